import factory

from partners.models import Seller, SellerStaff, ShippingPolicy
from tests.accounts.factories import UserFactory

# Numbers with a valid check digit (see partners.validators).
VALID_BUSINESS_NUMBERS = ["220-81-62517", "124-81-00998", "120-81-47521", "107-86-13236", "214-86-18758"]


def business_number(n: int) -> str:
    """A valid business registration number for the n-th seller (check digit computed)."""
    from partners.validators import is_valid_business_number

    base = f"{101 + n % 800:03d}{81 + n % 7:02d}{n % 10000:04d}"
    for check in range(10):
        candidate = f"{base}{check}"
        if is_valid_business_number(candidate):
            return f"{candidate[:3]}-{candidate[3:5]}-{candidate[5:]}"
    raise AssertionError("unreachable")


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"판매자{n}")
    slug = factory.Sequence(lambda n: f"seller-{n}")
    status = Seller.Status.ACTIVE
    business_name = factory.LazyAttribute(lambda o: f"(주){o.name}")
    business_number = factory.Sequence(business_number)
    representative = "김대표"
    contact_name = "이담당"
    contact_phone = "02-123-4567"
    contact_email = factory.Sequence(lambda n: f"seller{n}@example.com")
    shipping_policy = factory.RelatedFactory("tests.partners.factories.ShippingPolicyFactory", "seller")


class ShippingPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingPolicy

    seller = factory.SubFactory(SellerFactory, shipping_policy=None)
    base_fee_amount = 3000
    free_threshold_amount = 50000


class SellerStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerStaff

    user = factory.SubFactory(UserFactory)
    seller = factory.SubFactory(SellerFactory)
    role = SellerStaff.Role.OWNER


def pdf_upload(name: str = "certificate.pdf"):
    """A small but complete PDF (header and %%EOF), as an upload."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_upload(name: str = "bankbook.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 220, 240)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def application_documents() -> dict:
    from partners.models import SellerDocument

    return {SellerDocument.Kind.BUSINESS_REGISTRATION: pdf_upload(), SellerDocument.Kind.BANK_BOOK: png_upload()}


APPLICATION_EXTRA = {
    "mail_order_number": "2026-서울강남-01234",
    "address": "서울 강남구 테헤란로 1",
    "cs_phone": "1588-1234",
    "bank_name": "국민은행",
    "bank_account_number": "123456-01-234567",
    "bank_account_holder": "(주)봄날",
}


def application_fields() -> dict:
    """The application's extra fields, fresh documents and the terms agreement (apply_seller kwargs)."""
    return {**APPLICATION_EXTRA, "documents": application_documents(), "agreed_to_terms": True}


# --- Orders and claims of a seller (for the portal's tests) ------------------------------------------

def paid_order(*, seller, quantity: int = 1, price: int = 20000, shopper=None, stock: int = 20):
    """An order of one product of ``seller``, paid by card; returns (order, line)."""
    from orders.services import place_order
    from tests.accounts.factories import UserFactory
    from tests.orders.factories import DELIVERY, make_product
    from tests.orders.helpers import pay

    _product, (sku, *_rest) = make_product(seller=seller, price=price, stock=stock)
    order = place_order(user=shopper or UserFactory(), items=[(sku.pk, quantity)], delivery=DELIVERY,
                        payment_method="card")
    pay(order)
    return order, order.lines.get()


def delivered_line(*, seller, **kwargs):
    """A paid line moved to DELIVERED (as if shipped and delivered); returns (order, line)."""
    from django.utils import timezone

    from orders.models import OrderLine

    order, line = paid_order(seller=seller, **kwargs)
    OrderLine.objects.filter(pk=line.pk).update(status=OrderLine.Status.DELIVERED, delivered_at=timezone.now(),
                                                shipped_at=timezone.now())
    line.refresh_from_db()
    return order, line


def return_claim(*, seller, reason_code: str = "change_of_mind", **kwargs):
    """A requested return of a delivered line of ``seller``; returns the claim."""
    from claims.models import Claim
    from claims.services import request_claim

    order, line = delivered_line(seller=seller, **kwargs)
    return request_claim(order=order, claim_type=Claim.Type.RETURN, items=[(line.pk, 1)], reason_code=reason_code,
                         requested_by=order.user, pickup_method=Claim.PickupMethod.SELLER_COLLECTS)


def seller_with_staff(*, role: str = "owner", **seller_kwargs):
    """An active seller and one staff user of ``role``; returns (seller, user)."""
    from partners.models import SellerStaff
    from tests.accounts.factories import UserFactory

    seller = SellerFactory(**seller_kwargs)
    user = UserFactory()
    SellerStaff.objects.create(user=user, seller=seller, role=role)
    return seller, user
