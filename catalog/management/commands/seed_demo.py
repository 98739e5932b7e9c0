"""Build a believable Korean marketplace to look at: sellers, categories, brands, products
with options, SKUs, stock, notices and images, and the demo logins.

    python manage.py seed_demo [--products N] [--if-empty] [--seed S] [--no-images]

Products are written with bulk_create in chunks (100,000 load in a few minutes on
PostgreSQL). A few dozen images are drawn once with Pillow and shared by every product.
Deterministic for a given --seed (the dates are relative to now).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape

from catalog.management import demo_data
from catalog.management.demo_data import CATEGORY_TREE, KINDS, Leaf, Middle, Top
from catalog.models import (
    SKU,
    Brand,
    Category,
    OptionGroup,
    OptionValue,
    Product,
    ProductImage,
    StockMovement,
)
from catalog.services import create_category
from catalog.services.products import _sanitize_html
from core.management.commands.demo_logins import DEMO_PASSWORD, print_logins
from partners.models import Seller, SellerStaff, ShippingPolicy
from partners.validators import is_valid_business_number

FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
IMAGE_SIZE = 960
THUMBNAIL_WIDTHS = (240, 480, 960)
CHUNK = 2000  # products per transaction
BATCH = 2000  # rows per INSERT
DAYS_BACK = 90


def business_number(n: int) -> str:
    """A valid business registration number for the n-th demo seller (check digit computed)."""
    base = f"{214 + n * 7:03d}{81 + n:02d}{31_415 % 10_000 + n * 1_111:04d}"[:9]
    for check in range(10):
        candidate = f"{base}{check}"
        if is_valid_business_number(candidate):
            return f"{candidate[:3]}-{candidate[3:5]}-{candidate[5:]}"
    raise AssertionError("unreachable: one check digit always fits")


def round_down_hundreds(amount: float) -> int:
    return int(amount // 100) * 100


@contextlib.contextmanager
def explicit_timestamps(*model_classes):
    """Let bulk_create keep the created_at / updated_at we set (auto_now* would overwrite them)."""
    saved = []
    for model_class in model_classes:
        for model_field in model_class._meta.concrete_fields:
            if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
                saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


@dataclass
class DemoImage:
    name: str
    width: int
    height: int
    thumbnails: dict[str, str]


@dataclass
class ProductPlan:
    product: Product
    options: list[tuple[str, list[tuple[str, int]]]]  # (group name, [(value, price delta)])
    stocks: list[int]  # one per SKU, in the cartesian order of the options
    images: list[DemoImage] = field(default_factory=list)


class Command(BaseCommand):
    help = "Fill the database with a demo marketplace (sellers, categories, brands, products, logins)."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=1200, help="how many products (default 1,200)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when products already exist")
        parser.add_argument("--no-logins", action="store_true",
                            help="do not print the demo logins (make run prints them once, with its port)")
        parser.add_argument("--seed", type=int, default=2025, help="random seed (same seed, same shop)")
        parser.add_argument("--no-images", action="store_true", help="skip drawing and attaching images")
        parser.add_argument("--no-activity", action="store_true",
                            help="no demo coupons, points and orders (the benchmarks seed without them)")

    def handle(self, *args, **options):
        count = options["products"]
        if count < 0:
            raise CommandError("--products must be zero or more")
        if options["if_empty"] and Product.objects.exists():
            self.stdout.write("Products already exist; nothing seeded (--if-empty).")
            return
        started = time.monotonic()
        self.rng = random.Random(options["seed"])
        self.now = timezone.now()
        with transaction.atomic():
            users = self._users()
            sellers = self._sellers(users)
            leaves = self._categories()
            brands = self._brands()
        images = {} if options["no_images"] else self._images(options["seed"], count)
        setup_seconds = time.monotonic() - started
        self._products(count, sellers=sellers, leaves=leaves, brands=brands, images=images)
        from catalog.management.demo_products import seed_products_demo

        seed_products_demo(stdout=self.stdout)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self._report(elapsed=elapsed, setup_seconds=setup_seconds, count=count)
        if count and not options["no_activity"]:
            from django.test.utils import override_settings

            from catalog.management.demo_activity import seed_activity

            # The demo orders' mails are recorded in the outbox, not printed over the console.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                seed_activity(shopper=users["shopper"], operator=users["operator"], stdout=self.stdout)
                from catalog.management.demo_voc import seed_voc

                seed_voc(shopper=users["shopper"], operator=users["operator"], stdout=self.stdout)
                from catalog.management.demo_portal import seed_portal

                seed_portal(shopper=users["shopper"], operator=users["operator"], make_user=self._user,
                            stdout=self.stdout)
                from catalog.management.demo_funnel import seed_funnel

                seed_funnel(operator=users["operator"], stdout=self.stdout)
                from settlement.management.demo_settlement import seed_settlement_history

                seed_settlement_history(operator=users["operator"], stdout=self.stdout)
        if not options["no_logins"]:
            print_logins(self.stdout)

    # --- people -------------------------------------------------------------------------

    def _user(self, email: str, name: str, **extra):
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            fields = {"name": name, **extra}
            if any(f.name == "terms_agreed_at" for f in User._meta.fields):
                fields["terms_agreed_at"] = self.now
            # create_user applies no password validator: the demo password is short on purpose.
            user = User.objects.create_user(email, DEMO_PASSWORD, **fields)
        return user

    def _users(self) -> dict:
        from accounts.roles import OPERATOR_GROUPS

        shopper = self._user("shopper@example.com", "김민지", phone="010-2345-6789")
        self._shopper_address(shopper)
        operator = self._user("operator@example.com", "박운영", is_staff=True)
        operator.groups.add(*Group.objects.filter(name__in=list(OPERATOR_GROUPS)))
        admin = self._user("admin@example.com", "관리자", is_staff=True, is_superuser=True)
        return {"shopper": shopper, "operator": operator, "admin": admin}

    def _shopper_address(self, shopper) -> None:
        if shopper.addresses.exists():
            return
        try:
            from accounts.services import create_address
        except ImportError:
            return
        create_address(user=shopper, label="집", recipient="김민지", phone="010-2345-6789", postcode="06236",
                       address1="서울특별시 강남구 테헤란로 152", address2="101동 1203호",
                       delivery_request="문 앞에 놓아 주세요", is_default=True)

    def _sellers(self, users) -> list[tuple[Seller, demo_data.SellerSpec]]:
        sellers = []
        for n, spec in enumerate(demo_data.SELLERS):
            seller = Seller.objects.filter(slug=spec.slug).first()
            if seller is None:
                seller = Seller.objects.create(
                    name=spec.name, slug=spec.slug, status=Seller.Status.ACTIVE, business_name=spec.business_name,
                    business_number=business_number(n), representative=spec.representative,
                    contact_name=spec.contact_name, contact_phone=spec.contact_phone,
                    contact_email=spec.staff_email, description=spec.description,
                )
                seller.full_clean()  # the business number's check digit, the phone format
                ShippingPolicy.objects.create(
                    seller=seller, courier_name=spec.courier_name, base_fee_amount=spec.base_fee_amount,
                    free_threshold_amount=spec.free_threshold_amount, ship_within_days=spec.ship_within_days,
                    return_fee_amount=max(spec.base_fee_amount, 3000),
                    exchange_fee_amount=max(spec.base_fee_amount, 3000) * 2, return_address=spec.return_address,
                )
            staff_user = self._user(spec.staff_email, spec.staff_name, phone=f"010-{5100 + n:04d}-{1200 + n:04d}")
            SellerStaff.objects.get_or_create(user=staff_user, defaults={"seller": seller,
                                                                         "role": SellerStaff.Role.OWNER})
            sellers.append((seller, spec))
        return sellers

    # --- catalogue structure ------------------------------------------------------------------

    def _categories(self) -> list[tuple[Category, Top, Middle, Leaf]]:
        leaves = []
        existing = {c.slug: c for c in Category.objects.all()}

        def get_or_create(*, name, name_en, slug, parent, position):
            if slug not in existing:
                existing[slug] = create_category(name=name, name_en=name_en, slug=slug, parent=parent,
                                                 position=position)
            return existing[slug]

        for top_position, top in enumerate(CATEGORY_TREE):
            top_category = get_or_create(name=top.name, name_en=top.name_en, slug=top.slug, parent=None,
                                         position=top_position)
            for middle_position, middle in enumerate(top.middles):
                middle_category = get_or_create(name=middle.name, name_en=middle.name_en, slug=middle.slug,
                                                parent=top_category, position=middle_position)
                for leaf_position, leaf in enumerate(middle.leaves):
                    leaf_category = get_or_create(name=leaf.name, name_en=leaf.name_en, slug=leaf.slug,
                                                  parent=middle_category, position=leaf_position)
                    leaves.append((leaf_category, top, middle, leaf))
        return leaves

    def _brands(self) -> dict[str, list[Brand]]:
        existing = {b.slug: b for b in Brand.objects.all()}
        missing = [Brand(name=b.name, name_en=b.name_en, slug=b.slug) for b in demo_data.BRANDS
                   if b.slug not in existing]
        for brand in Brand.objects.bulk_create(missing):
            existing[brand.slug] = brand
        by_middle: dict[str, list[Brand]] = {}
        for spec in demo_data.BRANDS:
            for middle in spec.middles:
                by_middle.setdefault(middle, []).append(existing[spec.slug])
        return by_middle

    # --- images ---------------------------------------------------------------------------

    def _images(self, seed: int, count: int) -> dict[str, list[DemoImage]]:
        """Draw a few images per top category once; every product points at these files."""
        per_top = max(1, min(5, count // 200))
        rng = random.Random(seed * 7919)
        font = None
        if FONT_PATH.exists():
            from PIL import ImageFont

            font = ImageFont.truetype(str(FONT_PATH), 76)
            for index in range(6):  # the collection holds JP, KR, SC, TC, HK faces: take the Korean one
                try:
                    candidate = ImageFont.truetype(str(FONT_PATH), 76, index=index)
                except OSError:
                    break
                if "KR" in candidate.getname()[0]:
                    font = candidate
                    break
        images: dict[str, list[DemoImage]] = {}
        for top in CATEGORY_TREE:
            images[top.slug] = [self._image(top, i, seed=seed, rng=rng, font=font) for i in range(per_top)]
        return images

    def _image(self, top: Top, index: int, *, seed: int, rng: random.Random, font) -> DemoImage:
        base = f"demo/seed{seed}/{top.slug}-{index + 1:02d}"
        original_name = f"{base}.jpg"
        thumbnails = {str(w): f"{base}-{w}.webp" for w in THUMBNAIL_WIDTHS}
        colors = top.palette[index % len(top.palette)]
        accent = rng.choice(OBJECT_COLORS[top.shape])
        if default_storage.exists(original_name) and all(default_storage.exists(n) for n in thumbnails.values()):
            return DemoImage(original_name, IMAGE_SIZE, IMAGE_SIZE, thumbnails)
        picture = draw_product_picture(shape=top.shape, colors=colors, accent=accent, word=top.word, font=font,
                                       variant=index)
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        if default_storage.exists(original_name):
            default_storage.delete(original_name)
        default_storage.save(original_name, ContentFile(buffer.getvalue()))
        for width, name in thumbnails.items():
            size = int(width)
            thumb = picture if size == IMAGE_SIZE else picture.resize((size, size), resample=3)  # BICUBIC
            buffer = io.BytesIO()
            thumb.save(buffer, "WEBP", quality=82, method=4)
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, ContentFile(buffer.getvalue()))
        return DemoImage(original_name, IMAGE_SIZE, IMAGE_SIZE, thumbnails)

    # --- products -------------------------------------------------------------------------

    def _products(self, count, *, sellers, leaves, brands, images) -> None:
        seller_for_top = {}
        for seller, spec in sellers:
            for top in spec.tops:
                seller_for_top.setdefault(top, seller)
        # Fashion and food are the busiest floors of a Korean open market.
        weights = [1.6 if top.slug in ("fashion", "food") else 1.0 for _c, top, _m, _l in leaves]
        self.progress_every = max(CHUNK, (count // 10) // CHUNK * CHUNK)
        with explicit_timestamps(Product, SKU, ProductImage, StockMovement):
            done = 0
            while done < count:
                size = min(CHUNK, count - done)
                picks = self.rng.choices(leaves, weights=weights, k=size)
                plans = [self._plan(category, leaf, seller=seller_for_top[top.slug],
                                    brands=brands.get(middle.slug, []), images=images.get(top.slug, []))
                         for category, top, middle, leaf in picks]
                self._write(plans)
                done += size
                if count >= 10_000 and done % self.progress_every == 0:
                    self.stdout.write(f"  {done:,} / {count:,} products")

    def _plan(self, category: Category, leaf: Leaf, *, seller: Seller, brands: list[Brand],
              images: list[DemoImage]) -> ProductPlan:
        rng = self.rng
        kind = KINDS[leaf.kind]
        brand = rng.choice(brands) if brands and rng.random() < 0.95 else None
        modifier = rng.choice(kind.modifiers)
        noun = rng.choice(leaf.nouns)
        name = f"{modifier} {noun}" if modifier not in noun else noun
        if brand:
            name = f"[{brand.name}] {name}"
        low, high = kind.price_range
        # Skewed towards the cheap end, as real listings are; prices end in 900 won.
        list_price = int(low + (high - low) * rng.random() ** 2) * 1000 + 900
        discount = 0 if rng.random() < 0.3 else rng.choice((5, 8, 10, 12, 15, 18, 20, 25, 30, 35, 40, 45))
        sale_price = max(1000, round_down_hundreds(list_price * (100 - discount) / 100))
        sale_price = min(sale_price, list_price)
        options, colors, sizes = self._options(leaf, rng, sale_price)
        sku_count = math.prod(len(values) for _name, values in options) if options else 1
        whole_sold_out = rng.random() < 0.03
        stocks = [0 if whole_sold_out or rng.random() < 0.07 else rng.choice((3, 5, 10, 20, 30, 50, 80, 120, 300))
                  for _ in range(sku_count)]
        status = Product.Status.SOLD_OUT if not any(stocks) else Product.Status.ON_SALE
        if rng.random() < 0.015:
            status = Product.Status.HIDDEN
        created_at = self.now - timedelta(seconds=rng.randrange(DAYS_BACK * 86_400))
        sales_count = min(50_000, int(8 * rng.paretovariate(1.15)) - 8)
        made = (created_at - timedelta(days=rng.randrange(30, 300))).strftime("%Y년 %m월")
        summary = rng.choice(kind.summaries) if kind.summaries else ""
        product = Product(
            seller=seller, category=category, category_path=category.path, brand=brand, name=name[:120],
            summary=summary, status=status, list_price_amount=list_price, sale_price_amount=sale_price,
            description_html=self._description(name=name, kind=kind, summary=summary, brand=brand),
            notice=demo_data.notice_for(leaf.kind, rng=rng, name=name, brand=brand.name if brand else seller.name,
                                        seller_slug=seller.slug, business_name=seller.business_name,
                                        colors=colors, sizes=sizes, made=made),
            notice_kind=leaf.kind, sales_count=sales_count,
            review_count=sales_count // rng.randint(3, 12), created_at=created_at, updated_at=created_at,
        )
        picked_images = rng.sample(images, k=min(len(images), rng.choice((1, 1, 2, 3)))) if images else []
        return ProductPlan(product=product, options=options, stocks=stocks, images=picked_images)

    def _options(self, leaf: Leaf, rng: random.Random, price: int):
        """Option axes for a product: [(group name, [(value, price delta)])], plus colours and sizes for the notice."""

        def pick_colors(low, high):
            return rng.sample(demo_data.COLORS, rng.randint(low, high))

        def run_of(values, low, high):
            length = rng.randint(low, min(high, len(values)))
            start = rng.randrange(len(values) - length + 1)
            return list(values[start:start + length])

        def stepped(values, low, high, share):
            chosen = run_of(values, low, high)
            first = chosen[0][1]
            return [(label, round_down_hundreds(price * share * (step - first))) for label, step in chosen]

        kind = leaf.kind
        options: list[tuple[str, list[tuple[str, int]]]] = []
        colors: list[str] = []
        sizes: list[str] = []
        if kind == "clothing":
            colors = pick_colors(1, 4)
            if rng.random() < 0.2:
                sizes = ["FREE"]
                options = [("색상", [(c, 0) for c in colors])]
            else:
                sizes = list(demo_data.WOMEN_SIZES if leaf.slug.startswith("women") and rng.random() < 0.5
                             else demo_data.LETTER_SIZES)[: rng.randint(3, 4)]
                big = 2000 if rng.random() < 0.3 else 0
                options = [("색상", [(c, 0) for c in colors]),
                           ("사이즈", [(s, big if s in ("XL", "77") else 0) for s in sizes])]
        elif kind == "kids_clothing":
            colors = pick_colors(1, 3)
            sizes = run_of(demo_data.KIDS_SIZES, 3, 4)
            options = [("색상", [(c, 0) for c in colors]), ("사이즈", [(s, 0) for s in sizes])]
        elif kind == "shoes":
            colors = pick_colors(1, 3)
            sizes = run_of(demo_data.SHOE_SIZES, 5, 7)
            options = [("색상", [(c, 0) for c in colors]), ("사이즈", [(s, 0) for s in sizes])]
        elif kind in ("bags", "electronics", "sports", "kids"):
            chance = {"bags": 0.8, "electronics": 0.6, "sports": 0.4, "kids": 0.3}[kind]
            if rng.random() < chance:
                colors = pick_colors(2, 4) if kind != "electronics" else rng.sample(("화이트", "블랙", "그레이",
                                                                                       "네이비", "베이지"), 2)
                options = [("색상", [(c, 0) for c in colors])]
        elif kind == "cosmetics":
            if rng.random() < 0.6:
                values = stepped(demo_data.COSMETIC_VOLUMES, 2, 3, 0.45)
                sizes = [v for v, _d in values]
                options = [("용량", values)]
            else:
                sizes = [rng.choice(("50ml", "100ml", "150ml", "30g", "200ml"))]
        elif kind == "fresh":
            values = stepped(demo_data.FRESH_WEIGHTS, 2, 3, 0.6)
            sizes = [v for v, _d in values]
            options = [("중량", values)]
        elif kind == "processed":
            if rng.random() < 0.7:
                values = stepped(demo_data.PROCESSED_PACKS, 2, 3, 0.85)
                sizes = [v for v, _d in values]
                options = [("수량", values)]
            else:
                sizes = ["1개"]
        elif kind == "kitchen":
            if rng.random() < 0.5:
                values = stepped(demo_data.KITCHEN_SIZES, 2, 4, 0.12)
                sizes = [v for v, _d in values]
                options = [("사이즈", values)]
        elif kind == "bedding":
            colors = pick_colors(1, 3)
            values = stepped(demo_data.BED_SIZES, 2, 4, 0.2)
            sizes = [v for v, _d in values]
            options = [("색상", [(c, 0) for c in colors]), ("사이즈", values)]
        elif kind == "living" and rng.random() < 0.4:
            values = stepped(demo_data.PROCESSED_PACKS, 2, 3, 0.8)
            options = [("구성", values)]
        return options, colors, sizes

    def _description(self, *, name: str, kind, summary: str, brand) -> str:
        points = self.rng.sample(kind.description_points, k=min(3, len(kind.description_points)))
        html = [f"<h3>{escape(summary or name)}</h3>", f"<p><strong>{escape(name)}</strong></p>", "<ul>"]
        html += [f"<li>{escape(point)}</li>" for point in points]
        html.append("</ul>")
        if brand:
            html.append(f"<p><strong>{escape(brand.name)}</strong>의 정품만 판매합니다.</p>")
        html.append("<p><em>모니터 설정에 따라 실제 색상과 다를 수 있습니다.</em></p>")
        return _sanitize_html("".join(html))

    def _write(self, plans: list[ProductPlan]) -> None:
        """Write one chunk of products and everything under them, a handful of INSERTs per table."""
        through = SKU.option_values.through
        with transaction.atomic():
            Product.objects.bulk_create([p.product for p in plans], batch_size=BATCH)
            groups, group_values = [], []
            for plan in plans:
                for position, (group_name, values) in enumerate(plan.options):
                    groups.append(OptionGroup(product_id=plan.product.pk, name=group_name, position=position))
                    group_values.append(values)
            OptionGroup.objects.bulk_create(groups, batch_size=BATCH)
            values = [OptionValue(group_id=group.pk, value=label, position=i)
                      for group, pairs in zip(groups, group_values, strict=True)
                      for i, (label, _delta) in enumerate(pairs)]
            OptionValue.objects.bulk_create(values, batch_size=BATCH)

            skus, sku_values = [], []
            value_iter = iter(values)
            for plan in plans:
                product = plan.product
                axes = []
                for _group_name, pairs in plan.options:
                    axes.append([(next(value_iter), delta) for _label, delta in pairs])
                combos = list(itertools.product(*axes)) if axes else [()]
                prefix = f"{product.seller.slug.replace('-', '')[:3].upper()}{product.pk:07d}"
                for position, (combo, stock) in enumerate(zip(combos, plan.stocks, strict=True)):
                    skus.append(SKU(
                        product_id=product.pk,
                        code=f"{prefix}-{position + 1:02d}" if combo else prefix,
                        option_label=" / ".join(value.value for value, _delta in combo),
                        price_delta_amount=sum(delta for _value, delta in combo),
                        stock_quantity=stock, position=position,
                        created_at=product.created_at, updated_at=product.created_at,
                    ))
                    sku_values.append([value for value, _delta in combo])
            SKU.objects.bulk_create(skus, batch_size=BATCH)
            through.objects.bulk_create(
                [through(sku_id=sku.pk, optionvalue_id=value.pk)
                 for sku, combo in zip(skus, sku_values, strict=True) for value in combo],
                batch_size=BATCH * 2,
            )
            StockMovement.objects.bulk_create(
                [StockMovement(sku_id=sku.pk, reason=StockMovement.Reason.INITIAL, delta=sku.stock_quantity,
                               quantity_after=sku.stock_quantity, note="demo data", reference="seed_demo",
                               created_at=sku.created_at)
                 for sku in skus if sku.stock_quantity],
                batch_size=BATCH * 2,
            )
            ProductImage.objects.bulk_create(
                [ProductImage(product_id=plan.product.pk, original=image.name, width=image.width,
                              height=image.height, thumbnails=image.thumbnails, alt=plan.product.name,
                              position=position, created_at=plan.product.created_at,
                              updated_at=plan.product.created_at)
                 for plan in plans for position, image in enumerate(plan.images)],
                batch_size=BATCH * 2,
            )

    # --- report ---------------------------------------------------------------------------

    def _report(self, *, elapsed: float, setup_seconds: float, count: int) -> None:
        tables = [("sellers", Seller), ("categories", Category), ("brands", Brand), ("products", Product),
                  ("option groups", OptionGroup), ("option values", OptionValue), ("SKUs", SKU),
                  ("SKU option values", SKU.option_values.through), ("stock movements", StockMovement),
                  ("product images", ProductImage), ("users", get_user_model())]
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {count:,} products in {elapsed:.1f} s ({setup_seconds:.1f} s of it for people, "
            f"categories and images; {count / max(elapsed - setup_seconds, 0.001):,.0f} products/s). Rows now:"))
        for label, model_class in tables:
            self.stdout.write(f"  {label:<20} {model_class.objects.count():>10,}")


# --- drawing ---------------------------------------------------------------------------------


OBJECT_COLORS = {
    "shirt": ("#f5f1ea", "#2f3e56", "#b5533c", "#7c8c6e", "#d8b48a", "#3a3a3a"),
    "bottle": ("#ffffff", "#f4c6cf", "#9cc9b9", "#2f4858", "#e8d3b0"),
    "fruit": ("#d7372f", "#e0582a", "#f29d1a", "#b81d3c", "#9bbf3b"),
    "device": ("#fbfbfb", "#2b2d31", "#8a94a3", "#d9d4cc"),
    "pan": ("#3b3b3b", "#6a7b6a", "#b86b4b", "#40566e"),
    "ball": ("#2e7d4f", "#e8702a", "#1f5a8c", "#f2c230"),
    "blocks": ("#ffffff",),
}


def _hex(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))


def draw_product_picture(*, shape: str, colors: tuple[str, str], accent: str, word: str, font, variant: int):
    """A square product-like picture: a soft gradient, a simple object with a shadow, a word."""
    from PIL import Image, ImageDraw, ImageFilter

    size = IMAGE_SIZE
    gradient = Image.linear_gradient("L").resize((size, size))
    gradient = gradient.transpose((Image.Transpose.ROTATE_90, Image.Transpose.FLIP_TOP_BOTTOM,
                                   Image.Transpose.ROTATE_270, Image.Transpose.ROTATE_180)[variant % 4])
    picture = Image.composite(Image.new("RGB", (size, size), _hex(colors[1])),
                              Image.new("RGB", (size, size), _hex(colors[0])), gradient)
    object_color = _hex(accent)
    detail = tuple(max(0, c - 40) for c in object_color) if sum(object_color) > 380 else \
        tuple(min(255, c + 60) for c in object_color)

    shadow = Image.new("L", (size, size), 0)
    ImageDraw.Draw(shadow).ellipse((size * 0.24, size * 0.74, size * 0.76, size * 0.82), fill=110)
    shadow = shadow.filter(ImageFilter.GaussianBlur(18))
    picture.paste(Image.new("RGB", (size, size), (60, 50, 40)), (0, 0), shadow)

    draw = ImageDraw.Draw(picture)
    c = size / 2
    if shape == "shirt":
        s = size * 0.26
        body = [(c - s * 0.62, c - s * 0.9), (c - s * 0.2, c - s), (c, c - s * 0.82), (c + s * 0.2, c - s),
                (c + s * 0.62, c - s * 0.9), (c + s * 1.15, c - s * 0.35), (c + s * 0.82, c - s * 0.08),
                (c + s * 0.62, c - s * 0.3), (c + s * 0.62, c + s * 1.0), (c - s * 0.62, c + s * 1.0),
                (c - s * 0.62, c - s * 0.3), (c - s * 0.82, c - s * 0.08), (c - s * 1.15, c - s * 0.35)]
        draw.polygon(body, fill=object_color)
        draw.line([(c - s * 0.2, c - s), (c, c - s * 0.82), (c + s * 0.2, c - s)], fill=detail, width=8)
    elif shape == "bottle":
        draw.rounded_rectangle((c - 120, c - 170, c + 120, c + 230), radius=60, fill=object_color)
        draw.rounded_rectangle((c - 55, c - 290, c + 55, c - 160), radius=18, fill=detail)
        draw.rounded_rectangle((c - 80, c - 20, c + 80, c + 90), radius=12, fill=(255, 255, 255))
    elif shape == "fruit":
        draw.ellipse((c - 200, c - 170, c + 200, c + 220), fill=object_color)
        draw.ellipse((c - 130, c - 110, c - 60, c - 40), fill=tuple(min(255, v + 70) for v in object_color))
        draw.line([(c, c - 170), (c + 20, c - 250)], fill=(92, 64, 40), width=14)
        draw.ellipse((c + 20, c - 270, c + 130, c - 210), fill=(76, 140, 74))
    elif shape == "device":
        draw.rounded_rectangle((c - 230, c - 170, c + 230, c + 200), radius=36, fill=object_color)
        draw.rounded_rectangle((c - 195, c - 135, c + 195, c + 120), radius=14, fill=detail)
        draw.ellipse((c - 16, c + 145, c + 16, c + 177), fill=detail)
    elif shape == "pan":
        draw.ellipse((c - 240, c - 180, c + 160, c + 220), fill=object_color)
        draw.ellipse((c - 200, c - 140, c + 120, c + 180), fill=detail)
        draw.rounded_rectangle((c + 140, c - 10, c + 360, c + 40), radius=20, fill=(60, 52, 48))
    elif shape == "ball":
        draw.ellipse((c - 210, c - 200, c + 210, c + 220), fill=object_color)
        draw.arc((c - 330, c - 200, c + 90, c + 220), start=-60, end=60, fill=detail, width=12)
        draw.arc((c - 90, c - 200, c + 330, c + 220), start=120, end=240, fill=detail, width=12)
    else:  # blocks
        palette = [(239, 108, 92), (250, 196, 70), (98, 170, 222), (120, 190, 120)]
        for i, (x, y) in enumerate(((-190, 30), (10, 30), (-90, -170))):
            fill = palette[(i + variant) % len(palette)]
            draw.rounded_rectangle((c + x, c + y, c + x + 180, c + y + 180), radius=22, fill=fill)
            draw.ellipse((c + x + 60, c + y + 60, c + x + 120, c + y + 120), fill=(255, 255, 255))
    if font is not None:
        left, top, right, bottom = draw.textbbox((0, 0), word, font=font)
        draw.text(((size - (right - left)) / 2 - left, size * 0.86 - top), word, font=font, fill=(60, 56, 52))
    return picture
