"""Demo data for the partner portal (issue 10): each demo seller gets staff of every role and work in
every dashboard box (new orders, to acknowledge, ship today, delayed, cancel / return / exchange
requests, a held claim, a refund due, low stock, today's sales, messages); three applicants wait in
the console (applied, under review, rejected). Everything goes through the services; only a few
dates are moved back in time (a delayed line) as the clock would have done."""

import io
from datetime import timedelta

from django.utils import timezone

DEMO_ROLES = ("manager", "products", "orders", "settlement")
APPLICANTS = (
    ("applicant1@example.com", "정신청", "새봄공방", "applied"),
    ("applicant2@example.com", "한심사", "바다식탁", "under_review"),
    ("applicant3@example.com", "오반려", "달빛문구", "rejected"),
)


def _documents():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from partners.models import SellerDocument

    pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >>"
           b" endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    image = Image.new("RGB", (640, 400), (246, 248, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 380), outline=(3, 169, 78), width=4)
    draw.text((40, 40), "BANK BOOK (demo)", fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {SellerDocument.Kind.BUSINESS_REGISTRATION: SimpleUploadedFile("registration.pdf", pdf),
            SellerDocument.Kind.BANK_BOOK: SimpleUploadedFile("bankbook.png", buffer.getvalue())}


def _business_number(n: int) -> str:
    from partners.validators import is_valid_business_number

    base = f"{501 + n:03d}86{n:04d}"
    for check in range(10):
        if is_valid_business_number(base + str(check)):
            return f"{base[:3]}-{base[3:5]}-{base[5:]}{check}"
    raise AssertionError("unreachable")


def _seed_applicants(*, make_user, operator) -> None:
    from partners import services
    from partners.models import Seller

    for n, (email, name, store, status) in enumerate(APPLICANTS):
        if Seller.objects.filter(name=store).exists():
            continue
        user = make_user(email, name)
        seller = services.apply_seller(
            user=user, name=store, business_name=f"{store} 주식회사", business_number=_business_number(n),
            representative=name, contact_name=name, contact_phone=f"010-7{n}00-1234", contact_email=email,
            description=f"{store} 입점 신청", mail_order_number=f"2026-서울종로-0{n}12",
            address="서울특별시 종로구 세종대로 172", cs_phone=f"1588-10{n}0", bank_name="국민은행",
            bank_account_number=f"123456-0{n}-123456", bank_account_holder=f"{store} 주식회사",
            documents=_documents(), agreed_to_terms=True)
        if status in ("under_review", "rejected"):
            services.start_review(seller=seller, actor=operator)
        if status == "rejected":
            services.reject_seller(seller=seller, actor=operator, reason="통장 사본의 예금주가 사업자명과 다릅니다.")


def _seed_staff(*, seller, owner_email: str, make_user) -> None:
    from partners.models import SellerStaff

    local, domain = owner_email.split("@")
    for role in DEMO_ROLES:
        user = make_user(f"{local}.{role}@{domain}", f"{seller.name} {SellerStaff.Role(role).label}")
        SellerStaff.objects.get_or_create(user=user, defaults={"seller": seller, "role": role})


def _exchangeable(seller, *, exclude):
    """A SKU and another option of the same product at the same price (an exchange of size/colour)."""
    from catalog.models import SKU, Product

    candidates = list(SKU.objects.filter(product__seller=seller, product__status=Product.Status.ON_SALE,
                                         is_active=True, stock_quantity__gte=3).exclude(pk__in=exclude)
                      .order_by("product_id", "id")[:400])
    for sku in candidates:
        sibling = next((other for other in candidates if other.product_id == sku.product_id and other.pk != sku.pk
                        and other.price_delta_amount == sku.price_delta_amount), None)
        if sibling is not None:
            return sku, sibling
    return None


def _seed_work(*, seller, shopper, owner, operator) -> None:
    """One of each: paid lines (new, to acknowledge), ship today, delayed, cancel / return / exchange
    requests, a held return, a return waiting for its refund, two low-stock options."""
    from catalog.models import SKU, Product
    from catalog.services import set_stock
    from claims.models import Claim
    from claims.services import approve_claim, complete_pickup, hold_claim, request_claim, start_pickup
    from orders.models import OrderLine
    from orders.payments.sandbox import SandboxPG
    from orders.services import Delivery, confirm_payment, place_order
    from orders.services.fulfilment import acknowledge_line, mark_delivered, mark_shipped, set_waybill

    skus = list(SKU.objects.filter(product__seller=seller, product__status=Product.Status.ON_SALE, is_active=True,
                                   stock_quantity__gte=8).select_related("product").order_by("id")[:14])
    if len(skus) < 12:
        return
    delivery = Delivery(recipient="김민지", phone="010-2345-6789", postcode="06236",
                        address1="서울특별시 강남구 테헤란로 152", address2="101동 1203호", request="부재 시 경비실")
    courier_code = "cj"
    waybill_base = 600000000000 + seller.pk * 1000

    def order(sku, quantity=1):
        placed = place_order(user=shopper, items=[(sku.pk, quantity)], delivery=delivery, payment_method="card")
        window = {"order_id": placed.number, "order_name": "데모", "amount": placed.total_amount, "method": "card",
                  "success_url": "", "fail_url": "", "customer_name": "김민지", "webhook_url": ""}
        pg = SandboxPG.authorize(window=window, card_company="삼성카드")
        confirm_payment(order_number=placed.number, payment_key=pg.payment_key, amount=placed.total_amount,
                        user=shopper)
        return placed, placed.lines.get()

    def shipped(sku, n):
        placed, line = order(sku)
        acknowledge_line(line_id=line.pk, actor=owner)
        set_waybill(line_id=line.pk, courier_code=courier_code, waybill_number=str(waybill_base + n), actor=owner)
        mark_shipped(line_id=line.pk, actor=owner)
        mark_delivered(line_id=line.pk, actor=operator)
        return placed, line

    # New and to acknowledge (paid now).
    order(skus[0], 2)
    order(skus[1])
    # Ship today: acknowledged, due today.
    _placed, line = order(skus[2])
    acknowledge_line(line_id=line.pk, actor=owner)
    OrderLine.objects.filter(pk=line.pk).update(ship_by_date=timezone.localdate())
    # Delayed: paid a few days ago and still not shipped.
    _placed, line = order(skus[3])
    OrderLine.objects.filter(pk=line.pk).update(ship_by_date=timezone.localdate() - timedelta(days=2))
    # A cancel request on a line ready to ship (the seller decides).
    placed, line = order(skus[4])
    acknowledge_line(line_id=line.pk, actor=owner)
    set_waybill(line_id=line.pk, courier_code=courier_code, waybill_number=str(waybill_base + 1), actor=owner)
    request_claim(order=placed, claim_type=Claim.Type.CANCEL, items=[(line.pk, 1)], reason_code="ordered_by_mistake",
                  requested_by=shopper)
    # A return request and an exchange request on delivered lines.
    placed, line = shipped(skus[5], 2)
    request_claim(order=placed, claim_type=Claim.Type.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                  requested_by=shopper, pickup_method=Claim.PickupMethod.SELLER_COLLECTS)
    exchange_pair = _exchangeable(seller, exclude=[sku.pk for sku in skus])
    if exchange_pair is not None:
        placed, line = shipped(exchange_pair[0], 3)
        request_claim(order=placed, claim_type=Claim.Type.EXCHANGE, items=[(line.pk, 1)], reason_code="wrong_option",
                      requested_by=shopper, pickup_method=Claim.PickupMethod.SHOPPER_SENDS,
                      replacements={line.pk: exchange_pair[1].pk})
    # A return held at inspection, and one picked up waiting for its refund.
    for n, (sku, hold) in enumerate(((skus[7], True), (skus[8], False)), start=4):
        placed, line = shipped(sku, n)
        claim = request_claim(order=placed, claim_type=Claim.Type.RETURN, items=[(line.pk, 1)], reason_code="defective",
                              requested_by=shopper, pickup_method=Claim.PickupMethod.SELLER_COLLECTS)
        approve_claim(claim_id=claim.pk, actor=owner)
        start_pickup(claim_id=claim.pk, actor=owner)
        complete_pickup(claim_id=claim.pk, actor=owner)
        if hold:
            hold_claim(claim_id=claim.pk, actor=owner, reason="구성품(더스트백) 누락 확인 중")
    # Low stock: two options nearly sold out.
    for sku in skus[9:11]:
        set_stock(sku_id=sku.pk, quantity=2, actor=owner, note="데모: 재고 부족")


def seed_portal(*, shopper, operator, make_user, stdout=None) -> None:
    """Staff of every role for each demo seller, work in every dashboard box, three applicants."""
    from catalog.management import demo_data
    from partners.models import Seller, SellerStaff

    if Seller.objects.filter(name=APPLICANTS[0][2]).exists():
        return  # seeded already
    for spec in demo_data.SELLERS:
        seller = Seller.objects.filter(slug=spec.slug).first()
        owner_staff = SellerStaff.objects.filter(seller=seller, role="owner").select_related("user").first()
        if seller is None or owner_staff is None:
            continue
        _seed_staff(seller=seller, owner_email=spec.staff_email, make_user=make_user)
        _seed_work(seller=seller, shopper=shopper, owner=owner_staff.user, operator=operator)
    _seed_applicants(make_user=make_user, operator=operator)
    if stdout is not None:
        stdout.write("Partner portal: staff of every role, dashboard work and 3 applications seeded.")
