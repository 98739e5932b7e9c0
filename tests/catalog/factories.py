import factory

from catalog.models import SKU, Brand, Category, OptionGroup, OptionValue, Product
from tests.partners.factories import SellerFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    """Builds categories through the service so the materialised path is right."""

    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"카테고리{n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from catalog.services import create_category

        return create_category(**kwargs)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"브랜드{n}")
    name_en = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    category = factory.SubFactory(CategoryFactory)
    category_path = factory.LazyAttribute(lambda o: o.category.path)
    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"상품 {n}")
    list_price_amount = 20000
    sale_price_amount = 15900
    status = Product.Status.ON_SALE


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:06d}")
    stock_quantity = 10


class OptionGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptionGroup

    product = factory.SubFactory(ProductFactory)
    name = "색상"


class OptionValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptionValue

    group = factory.SubFactory(OptionGroupFactory)
    value = factory.Sequence(lambda n: f"값{n}")
