from catalog.services import OptionSpec, create_product
from orders.services import Delivery
from tests.catalog.factories import BrandFactory, CategoryFactory
from tests.partners.factories import SellerFactory

DELIVERY = Delivery(recipient="김구매", phone="010-1234-5678", postcode="06236", address1="서울특별시 강남구 테헤란로 152",
                    address2="12층")
JEJU_DELIVERY = Delivery(recipient="김구매", phone="010-1234-5678", postcode="63100", address1="제주특별자치도 제주시 첨단로 242")


def make_product(*, seller=None, price=15900, list_price=None, stock=10, options=None, name="니트 가디건",
                 fee=3000, free_threshold=50000):
    """A product with real SKUs built through the catalog service; returns (product, [skus])."""
    seller = seller or SellerFactory(shipping_policy__base_fee_amount=fee,
                                     shipping_policy__free_threshold_amount=free_threshold)
    product = create_product(
        seller=seller, category=CategoryFactory(), brand=BrandFactory(), name=name,
        list_price_amount=list_price or price, sale_price_amount=price,
        options=options or [], initial_stock=stock,
    )
    return product, list(product.skus.order_by("id"))


def sized_product(**kwargs):
    return make_product(options=[OptionSpec(name="사이즈", values=["S", "M", "L"], price_deltas={"L": 2000})], **kwargs)
