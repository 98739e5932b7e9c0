"""Demo data of the product editor: notice groups on the demo categories, and one seller whose new
products need review, with its newest product waiting in the console's review queue (as if the
seller had just registered it)."""

from catalog.models import Category, Product
from catalog.services.products import set_products_need_review
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
    if seller is None:
        return
    set_products_need_review(seller=seller, need_review=True)
    newest = Product.objects.filter(seller=seller, status=Product.Status.ON_SALE).order_by("-created_at", "-id").first()
    if newest is None or Product.objects.filter(seller=seller, review_status=Product.Review.PENDING).exists():
        return
    # What register_product does for a reviewed seller: hidden, waiting, the chosen status kept.
    Product.objects.filter(pk=newest.pk).update(status=Product.Status.HIDDEN, review_status=Product.Review.PENDING,
                                                requested_status=Product.Status.ON_SALE)
    if stdout is not None:
        stdout.write(f"Product review: {REVIEWED_SELLER}'s new products need review; “{newest.name}” is waiting.")
