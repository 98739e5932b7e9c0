"""Demo CMS content, a believable month of funnel events and affiliate activity, so every
marketing report has data under ``make run``.

Visits and events go through the funnel's batch writer; orders are placed through the order
services with a visit in ``current_visit`` (so attribution is frozen as in a real request), paid
through the sandbox PG and, for some, taken to purchase confirmation, so affiliate commission
accrues and a statement closes.
"""

import random
import secrets
import time
from datetime import timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone

DAYS = 40  # a month of reports, and enough before it for last month's affiliate statement
VISITS_PER_DAY = (45, 90)
# (source, medium, campaign, share): a Korean shop's mix (search ads and organic, Kakao, Instagram).
SOURCES = [
    ("naver", "cpc", "fall_knit", 24), ("naver", "organic", "", 14), ("google", "cpc", "brand", 8),
    ("google", "organic", "", 6), ("kakao", "message", "vip_weekly", 8), ("instagram", "social", "reels_oct", 9),
    ("affiliate", "affiliate", "", 5), ("", "", "", 26),
]
SEARCHES = [("니트", 40), ("가디건", 25), ("캐시미어", 12), ("운동화", 18), ("원피스", 22), ("후드티", 9),
            ("겨울 패딩", 0), ("캠핑의자", 0), ("무선이어폰", 0), ("립밤", 3)]


def _picture(colours, size, text_seed: int) -> ContentFile:
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, colours[0])
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 4):  # a left-to-right gradient
        ratio = x / width
        colour = tuple(int(colours[0][i] * (1 - ratio) + colours[1][i] * ratio) for i in range(3))
        draw.rectangle([x, 0, x + 4, height], fill=colour)
    draw.ellipse([width * 0.7, -height * 0.3, width * 1.1, height * 0.7], fill=tuple(min(255, c + 40)
                                                                                      for c in colours[1]))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"demo-{text_seed}.jpg")


def _content(now, stdout):
    from catalog.models import Category
    from marketing.models import Banner, Coupon, Exhibition, ExhibitionSection, Faq, Notice

    if Banner.objects.exists():
        return
    top = Category.objects.filter(depth=0).order_by("path").first()
    banners = [
        ("home_hero", "가을 니트 페스티벌", "인기 니트 최대 40% 할인", "/exhibitions/fall-knit/", ((46, 91, 255), (255, 92, 138))),
        ("home_hero", "첫 구매 10% 쿠폰", "가입하고 바로 받으세요", "/coupons/", ((18, 161, 80), (46, 91, 255))),
        ("home_hero", "주말 특가", "금·토·일 단 3일", "/exhibitions/weekend/", ((232, 137, 12), (217, 45, 32))),
        ("home_strip", "무료배송 쿠폰 받기", "", "/coupons/", ((106, 61, 255), (46, 91, 255))),
        ("category_top", "이 카테고리 베스트", "", "/exhibitions/fall-knit/", ((27, 29, 31), (107, 112, 117))),
        ("product_page", "카카오페이 결제 시 2천원 할인", "", "/notices/", ((254, 229, 0), (255, 200, 0))),
        ("mypage", "친구 초대하고 적립금 받기", "", "/affiliate/", ((46, 91, 255), (18, 161, 80))),
    ]
    for order, (slot, title, subtitle, link, colours) in enumerate(banners):
        banner = Banner(slot=slot, title=title, subtitle=subtitle, link_url=link, sort_order=order,
                        starts_at=now - timedelta(days=DAYS), ends_at=now + timedelta(days=30))
        banner.image_desktop.save(f"demo-banner-{order}-d.jpg", _picture(colours, (1200, 480), order), save=False)
        banner.image_mobile.save(f"demo-banner-{order}-m.jpg", _picture(colours, (750, 500), order + 50), save=False)
        banner.save()
    coupon = Coupon.objects.filter(downloadable=True).order_by("id").first()
    fall = Exhibition.objects.create(slug="fall-knit", title="가을 니트 페스티벌", summary="따뜻한 니트, 최대 40% 할인",
                                     body_html="<p>이번 가을 가장 사랑받은 니트를 모았습니다. 쿠폰을 받고 더 저렴하게 만나 보세요.</p>",
                                     starts_at=now - timedelta(days=DAYS), ends_at=now + timedelta(days=14),
                                     is_published=True)
    fall.hero_image.save("demo-fall.jpg", _picture(((46, 91, 255), (255, 92, 138)), (1200, 480), 90))
    if coupon:
        fall.coupons.add(coupon)
    ExhibitionSection.objects.create(exhibition=fall, title="20% 이상 할인", kind="rule", rule_min_discount_percent=20,
                                     rule_category=top, limit=12, sort_order=1)
    picked = ExhibitionSection.objects.create(exhibition=fall, title="MD 추천", kind="picked", sort_order=0)
    from catalog.models import Product

    picked.products.set(Product.objects.filter(status="on_sale").order_by("-sales_count", "id")[:8])
    Exhibition.objects.create(slug="weekend", title="주말 특가", summary="금·토·일 단 3일",
                              starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=1), is_published=True)
    Exhibition.objects.create(slug="chuseok", title="추석 선물 기획전", summary="지난 기획전입니다",
                              starts_at=now - timedelta(days=70), ends_at=now - timedelta(days=50), is_published=True)
    for title, body, pinned in [("추석 연휴 배송 안내", "<p>연휴 기간에는 출고가 2일 늦어질 수 있습니다.</p>", True),
                                ("개인정보 처리방침 개정 안내", "<p>2026년 12월 1일부터 적용됩니다.</p>", False),
                                ("카카오페이 결제 이벤트", "<p>카카오페이로 결제하면 2,000원 즉시 할인.</p>", False)]:
        Notice.objects.create(audience="shoppers", title=title, body_html=body, is_pinned=pinned)
    for title, body in [("11월 정산 일정 안내", "<p>11월 정산은 12월 10일에 지급됩니다.</p>"),
                        ("택배사 연동 점검 안내", "<p>11월 30일 02:00~04:00 송장 등록이 중단됩니다.</p>")]:
        Notice.objects.create(audience="sellers", title=title, body_html=body)
    for order, (topic, question, answer) in enumerate([
        ("shipping", "주문한 상품은 언제 받을 수 있나요?", "<p>결제 후 평균 2~3일 안에 받으실 수 있습니다.</p>"),
        ("shipping", "묶음 배송이 되나요?", "<p>같은 판매자의 상품은 한 번에 배송됩니다.</p>"),
        ("claim", "반품은 어떻게 신청하나요?", "<p>마이페이지 &gt; 주문 내역에서 신청하세요.</p>"),
        ("claim", "교환 배송비는 누가 내나요?", "<p>단순 변심은 구매자, 상품 불량은 판매자가 부담합니다.</p>"),
        ("benefit", "쿠폰은 어디서 받나요?", "<p>쿠폰존과 기획전 페이지에서 받을 수 있습니다.</p>"),
        ("order", "가상계좌 입금 기한이 있나요?", "<p>주문 후 24시간 안에 입금해 주세요.</p>"),
    ]):
        Faq.objects.create(topic=topic, question=question, answer_html=answer, sort_order=order)


def _affiliates(now, operator):
    from django.contrib.auth import get_user_model

    from marketing.models import Affiliate
    from marketing.services import affiliates

    User = get_user_model()
    made = []
    for index, (name, kind, number) in enumerate([("살림왕 블로그", "individual", ""), ("패션 유튜버 하늘", "individual", ""),
                                                   ("리뷰팩토리", "business", "2208162517"), ("캠핑일기", "individual", "")]):
        user, _created = User.objects.get_or_create(email=f"affiliate{index + 1}@example.com",
                                                    defaults={"name": name})
        if Affiliate.objects.filter(user=user).exists():
            continue
        affiliate = affiliates.apply_as_affiliate(user=user, kind=kind, name=name, business_number=number,
                                                  bank_name="국민은행", account_number=f"123-45-{6789 + index}",
                                                  account_holder=name[:10])
        if index < 3:
            affiliates.decide_affiliate(affiliate_id=affiliate.pk, to="approved", actor=operator)
            affiliate.refresh_from_db()
            made.append(affiliate)
    return made


def seed_funnel(*, operator, stdout=None, seed: int = 2025) -> None:
    """Banners, exhibitions, notices, FAQ; 30 days of visits and events; orders with attribution;
    affiliates with links, clicks, orders, commission and a closed statement."""
    from django.contrib.auth import get_user_model

    from catalog.models import SKU, Product
    from marketing.funnel.middleware import VisitState, current_visit
    from marketing.funnel.sources import Source
    from marketing.funnel.writer import write_records
    from marketing.models import AffiliateClick, AffiliateLink, Banner, Exhibition, Visit
    from marketing.services import affiliates
    from orders.services import Delivery, place_order

    if Visit.objects.exists():
        return
    rng = random.Random(seed)
    now = timezone.now()
    _content(now, stdout)
    members = _affiliates(now, operator)
    # The first demo seller joined the affiliate program before the month of demo orders: it bears the
    # affiliate fee of its lines (settlement's affiliate_fee rows); other sellers' is the shop's cost.
    first_seller = Product.objects.filter(status="on_sale").order_by("id").values_list("seller", flat=True).first()
    if first_seller:
        from partners.models import Seller

        affiliates.join_affiliate_program(seller=Seller.objects.get(pk=first_seller),
                                          now=now - timedelta(days=DAYS + 1))
    links = [affiliates.create_link(affiliate=member, target_path=f"/products/{product_id}/", label="블로그 리뷰")
             for member in members
             for product_id in Product.objects.filter(status="on_sale").order_by("?").values_list("pk", flat=True)[:2]]
    # The links exist before the first of the clicks dated below.
    AffiliateLink.objects.filter(pk__in=[link.pk for link in links]).update(created_at=now - timedelta(days=DAYS + 1))
    products = list(Product.objects.filter(status="on_sale", seller__status="active").values_list("pk", flat=True)[:400])
    skus = list(SKU.objects.filter(product__status="on_sale", product__seller__status="active", is_active=True,
                                   stock_quantity__gte=3).values_list("pk", flat=True)[:400])
    banners = list(Banner.objects.values_list("pk", "title", "slot"))
    exhibitions = list(Exhibition.objects.filter(is_published=True).values_list("pk", "title"))
    if not products or not skus:
        return
    User = get_user_model()
    shoppers = []
    for index in range(40):
        user, _created = User.objects.get_or_create(email=f"buyer{index + 1:02d}@example.com",
                                                    defaults={"name": f"구매자{index + 1:02d}",
                                                              "phone": f"010-5{index:03d}-{1000 + index:04d}"})
        shoppers.append(user)
    weights = [share for *_fields, share in SOURCES]
    records, planned_orders = [], []
    # Today too, in the part of the day gone by: enough visits for the demo orders the other seeders
    # placed today, before and after this one (about one order in ten visits), so today's bar of the
    # daily chart is believable.
    from orders.models import Order

    local_now = timezone.localtime(now)
    since_midnight = int((local_now - local_now.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds())
    orders_today = Order.objects.filter(created_at__gte=now - timedelta(seconds=since_midnight)).count()
    for day in range(DAYS, -1, -1):
        visits = rng.randint(*VISITS_PER_DAY)
        if day == 0:
            visits = min(2000, max(visits * since_midnight // 86_400, 25 * orders_today))
        for _visit in range(visits):
            at = now - timedelta(days=day, seconds=rng.randint(0, since_midnight if day == 0 else 86_000))
            source, medium, campaign, _share = rng.choices(SOURCES, weights)[0]
            session_id, visitor_id = secrets.token_hex(12), secrets.token_hex(12)
            device = rng.choices(["mobile", "desktop", "tablet"], [72, 24, 4])[0]
            link = rng.choice(links) if source == "affiliate" and links else None
            if link:
                campaign = link.code
            records.append({"kind": "visit", "session_id": session_id, "visitor_id": visitor_id,
                            "at": at.timestamp(), "source": source, "medium": medium, "campaign": campaign,
                            "device": device, "landing_path": "/", "is_human": rng.random() > 0.04})

            def event(name, seconds, session_id=session_id, visitor_id=visitor_id, at=at, **fields):
                records.append({"kind": "event", "name": name, "session_id": session_id, "visitor_id": visitor_id,
                                "at": at.timestamp() + seconds, **fields})

            event("page_view", 0, path="/")
            for banner_id, title, slot in banners:
                if slot == "home_hero" and rng.random() < 0.7:
                    event("view_promotion", 1, promotion_id=f"banner-{banner_id}", promotion_name=title, slot=slot)
            if rng.random() < 0.08 and banners:
                banner_id, title, slot = rng.choice(banners)
                event("select_promotion", 3, promotion_id=f"banner-{banner_id}", promotion_name=title, slot=slot)
            if rng.random() < 0.05 and exhibitions:
                exhibition_id, title = rng.choice(exhibitions)
                event("select_promotion", 4, promotion_id=f"exhibition-{exhibition_id}", promotion_name=title,
                      slot="exhibition_list")
            if rng.random() < 0.3:
                query, count = rng.choice(SEARCHES)
                event("search", 5, search_query=query, result_count=count)
            if rng.random() < 0.62:
                product_id = rng.choice(products)
                event("view_item", 10, product_id=product_id, path=f"/products/{product_id}/")
                if rng.random() < 0.3:
                    event("add_to_cart", 40, product_id=product_id)
                    if rng.random() < 0.55:
                        event("begin_checkout", 60, path="/checkout/")
                        if rng.random() < 0.5:
                            planned_orders.append((session_id, visitor_id, at, source, medium, campaign, device,
                                                   link))
            if link:
                click = AffiliateClick.objects.create(link=link, visitor_id=visitor_id)
                AffiliateClick.objects.filter(pk=click.pk).update(created_at=at)
    for start in range(0, len(records), 5000):
        write_records(records[start:start + 5000])
    _orders(rng, planned_orders, shoppers, skus, operator, now, VisitState, Source, current_visit, place_order,
            Delivery)
    affiliates.accrue_commissions()
    _date_commissions(now)
    last_month = (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    affiliates.close_month(month=last_month)
    if stdout is not None:
        stdout.write(f"Demo funnel: {Visit.objects.count():,} visits over {DAYS} days, {len(planned_orders)} attributed "
                     f"orders, {len(members)} affiliates, banners, exhibitions, notices and FAQ")


def _date_commissions(now):
    """Commission accrues when a purchase is confirmed: date the demo's rows a week after the order."""
    from marketing.models import AffiliateCommission

    for row in AffiliateCommission.objects.select_related("line__order"):
        when = min(now, row.line.order.created_at + timedelta(days=8))
        AffiliateCommission.objects.filter(pk=row.pk).update(created_at=when)


def _orders(rng, planned, shoppers, skus, operator, now, VisitState, Source, current_visit, place_order, Delivery):
    from marketing.models import AffiliateClick, AffiliateOrder, Event, OrderAttribution, Visit
    from orders.models import Order, OrderLine
    from orders.payments.sandbox import SandboxPG
    from orders.services import confirm_payment
    from orders.services.fulfilment import (
        acknowledge_line,
        confirm_purchase,
        mark_delivered,
        mark_shipped,
        set_waybill,
    )

    delivery = Delivery(recipient="구매자", phone="010-2345-6789", postcode="06236",
                        address1="서울특별시 강남구 테헤란로 152", address2="101동")
    for index, (session_id, visitor_id, at, source, medium, campaign, device, link) in enumerate(planned):
        shopper = shoppers[index % len(shoppers)]
        touch = [int(at.timestamp()), source, medium, campaign, "", "", ""] if source else None
        state = VisitState(visitor_id=visitor_id, session_id=session_id, now=time.time(), source=Source(),
                           device=device, first_touch=touch, last_touch=touch)
        if link:
            click = AffiliateClick.objects.filter(link=link, visitor_id=visitor_id).first()
            state.affiliate_click_id = click.pk if click else None
        token = current_visit.set(state)
        try:
            order = place_order(user=shopper, items=[(rng.choice(skus), rng.choice([1, 1, 1, 2]))],
                                delivery=delivery, payment_method=rng.choice(["card", "card", "kakao_pay", "naver_pay"]))
        except Exception:
            continue
        finally:
            current_visit.reset(token)
        Visit.objects.filter(pk=session_id).update(user=shopper)
        if link and not AffiliateOrder.objects.filter(order=order).exists():
            # The demo's clicks are back-dated; claim the order as a click within the window would.
            click = AffiliateClick.objects.filter(link=link, visitor_id=visitor_id).first()
            if click:
                AffiliateOrder.objects.create(order=order, affiliate=link.affiliate, link=link, click=click,
                                              clicked_at=click.created_at)
        if rng.random() < 0.88:
            window = {"order_id": order.number, "order_name": "데모", "amount": order.total_amount,
                      "method": order.payment_method, "success_url": "", "fail_url": "", "customer_name": "구매자",
                      "webhook_url": ""}
            pg = SandboxPG.authorize(window=window)
            confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount,
                            user=shopper)
            order.refresh_from_db()
            # Confirm the older ones (past the delivery window) so commission and settlement have data.
            if (now - at).days > 8 or link:
                for line in order.lines.all():
                    try:
                        acknowledge_line(line_id=line.pk, actor=operator)
                        set_waybill(line_id=line.pk, courier_code="cj", waybill_number=f"8{line.pk:011d}",
                                    actor=operator)
                        mark_shipped(line_id=line.pk, actor=operator)
                        mark_delivered(line_id=line.pk, actor=operator)
                        confirm_purchase(line_id=line.pk, shopper=shopper)
                    except Exception:
                        break
        # Placed "back then": the order and its lines carry the visit's date.
        placed = at + timedelta(minutes=3)
        Order.objects.filter(pk=order.pk).update(created_at=placed, paid_at=placed if order.paid_at else None)
        OrderLine.objects.filter(order=order).update(created_at=placed)
        OrderAttribution.objects.filter(order=order).update(created_at=placed)
        Event.objects.filter(order_id=order.pk).update(created_at=placed)
        purchase = [{"kind": "event", "name": "purchase", "session_id": session_id, "visitor_id": visitor_id,
                           "user_id": shopper.pk, "at": placed.timestamp(), "order_id": order.pk,
                           "value_amount": order.total_amount}]
        from marketing.funnel.writer import write_records

        write_records(purchase)
