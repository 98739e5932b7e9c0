"""Demo data of the product editor: notice groups on the demo categories, one seller whose new
products need review, and a product of theirs waiting in the console's review queue."""

from catalog.models import Category, Product
from catalog.services.products import OptionRow, OptionSpec, register_product, set_products_need_review
from partners.models import Seller

# category slug → notice group (상품정보제공고시); subcategories inherit.
NOTICE_GROUPS = {
    "fashion": "clothing", "fashion-shoes-bags": "shoes", "beauty": "cosmetics", "food": "food",
    "processed-food": "processed_food", "digital": "electronics", "home-appliances": "electronics",
    "kitchen-appliances": "electronics", "bedding": "bedding", "baby-clothing": "clothing",
}
REVIEWED_SELLER = "리빙앤테크"


def seed_products_demo(*, stdout=None) -> None:
    for slug, group in NOTICE_GROUPS.items():
        Category.objects.filter(slug=slug).update(notice_group=group)
    seller = Seller.objects.filter(name=REVIEWED_SELLER).first()
    category = Category.objects.filter(slug="bedding").first()
    if seller is None or category is None:
        return
    set_products_need_review(seller=seller, need_review=True)
    if Product.objects.filter(seller=seller, review_status=Product.Review.PENDING).exists():
        return
    category = category.children.first() or category
    notice = {"material": "면 100%", "color": "아이보리, 그레이", "size": "Q, K", "composition": "이불 1, 베개커버 2",
              "manufacturer": "리빙앤테크", "origin": "대한민국", "care": "30도 이하 단독 세탁",
              "warranty": "소비자분쟁해결기준에 따름", "cs_phone": "1588-0000"}
    register_product(
        seller=seller, category=category, name="호텔식 순면 침구 세트", list_price_amount=129000,
        sale_price_amount=99000, notice=notice,
        options=[OptionSpec("색상", ["아이보리", "그레이"]), OptionSpec("사이즈", ["Q", "K"])],
        rows=[OptionRow(values=(colour, size), price_delta_amount=20000 if size == "K" else 0, stock_quantity=15)
              for colour in ("아이보리", "그레이") for size in ("Q", "K")],
        description_html="<p>60수 순면 새틴</p>",
    )
    if stdout is not None:
        stdout.write(f"Product review: {REVIEWED_SELLER}'s new products wait for review (one is waiting).")
