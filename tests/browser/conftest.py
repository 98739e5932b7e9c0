"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live server.

Every test here is marked ``browser`` and ``django_db(transaction=True)`` (the live server runs in
other threads, so the data must be committed). Pages are seen as on a phone (390x844, touch, Korean).

- Chromium is launched once for the package and closed after its last test: while Playwright runs,
  its event loop counts as running in the main thread, which would break other tests' use of
  ``async_to_sync``; for the same reason ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only meanwhile.
- Without /usr/bin/chromium the tests are skipped, except in CI (``REQUIRE_POSTGRES=1``, where
  ``.ci/run`` installs it): there a missing browser fails the run.
- A failing test saves a full-page screenshot and prints its path. With ``BROWSER_SCREENSHOTS=<dir>``
  each step's screenshot is kept there too (``snap`` fixture), for a person to look at.
"""

import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "ko-KR",
}
ACTION_TIMEOUT_MS = 10_000
IN_CI = os.environ.get("REQUIRE_POSTGRES") == "1" or os.environ.get("CI") == "true"

# The UI's strings are English msgids translated to Korean afterwards: match either.
ADD_TO_CART = re.compile(r"장바구니\s*담기|Add to cart", re.IGNORECASE)
BUY_NOW = re.compile(r"바로\s*구매|구매하기|Buy now", re.IGNORECASE)
PAID = re.compile(r"결제\s*완료|Paid")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def _playwright_browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium fonts-noto-cjk)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop "running" in this thread; Django's ORM refuses
    # to run there unless told that this is deliberate (the documented switch for this case).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


from tests.conftest import restore_migration_data  # noqa: E402


@pytest.fixture(autouse=True)
def _migration_data(transactional_db):
    """Each browser test starts with the migrations' data, even after another test's flush."""
    restore_migration_data()


@pytest.fixture(scope="package", autouse=True)
def _migration_data_after_the_package(django_db_setup, django_db_blocker):
    """After the package's last flush, leave the migrations' data for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        restore_migration_data()


@pytest.fixture
def site(live_server, settings, _media_root):
    """The live server, with the sandbox PG's callbacks pointed at it and uploaded media served.

    ``config.urls`` binds the media view's document root when it is first imported; the tests'
    media live in a per-test temporary directory, so point the view there for this test.
    """
    from django.urls import get_resolver

    settings.SITE_URL = live_server.url
    media_patterns = [p for p in get_resolver().url_patterns
                      if getattr(p, "default_args", None) and "document_root" in p.default_args]
    saved = [(p, p.default_args["document_root"]) for p in media_patterns]
    for pattern in media_patterns:
        pattern.default_args["document_root"] = settings.MEDIA_ROOT
    yield live_server
    for pattern, root in saved:
        pattern.default_args["document_root"] = root


@pytest.fixture
def phone(_playwright_browser, site):
    """A fresh phone-sized browser context (its own cookies) for one test."""
    context = _playwright_browser.new_context(base_url=site.url, **PHONE)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield context
    context.close()


def _screenshot_dir() -> Path:
    wanted = os.environ.get("BROWSER_SCREENSHOTS")
    directory = Path(wanted) if wanted else Path(tempfile.gettempdir()) / "browser-test-screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def page(phone, request):
    """A page in the phone context; on failure its screenshot is saved and the path printed."""
    page = phone.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        path = _screenshot_dir() / f"FAILED-{request.node.name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"\nscreenshot of the failure: {path} (at {page.url})")
        except Exception as error:  # the screenshot must not hide the test's own failure
            print(f"\ncould not save a screenshot: {error}")


@pytest.fixture
def snap(request):
    """``snap(page, "step")`` keeps a screenshot of a step when BROWSER_SCREENSHOTS is set."""
    directory = os.environ.get("BROWSER_SCREENSHOTS")
    test_name = request.node.name
    counter = iter(range(1, 100))

    def take(page, step: str, *, full_page: bool = False) -> None:
        if not directory:
            return
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{test_name}-{next(counter):02d}-{step}.png"),
                        full_page=full_page)

    return take


def log_in_with_cookie(context, client, user, live_server_url: str) -> None:
    """Sign ``user`` in by giving the browser a session made with Django's test client."""
    from django.conf import settings

    client.force_login(user)
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server_url,
    }])


def log_in_with_form(page, *, email: str, password: str) -> None:
    """Fill the login page's form as a shopper would (the page is already open)."""
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form.auth__form button[type=submit]").click()
    page.wait_for_load_state()


# --- The catalogue -----------------------------------------------------------------------------

def picture(colour: tuple[int, int, int], *, name: str = "photo.jpg", size=(640, 640)) -> SimpleUploadedFile:
    """A real JPEG made with Pillow: a coloured square with a lighter band, like a product shot."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    lighter = tuple(min(255, c + 60) for c in colour)
    draw.rectangle([size[0] // 4, size[1] // 3, size[0] * 3 // 4, size[1] * 2 // 3], fill=lighter)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class Catalog:
    fashion: object  # 패션 (root)
    women: object  # 패션 > 여성의류
    knits: object  # 패션 > 여성의류 > 니트
    mono: object  # brand 모노웨어
    linen: object  # brand 린넨하우스
    cashmere: object  # 모노웨어 캐시미어 니트 39,000원: 색상 × 사이즈, 블랙/L sold out, 블랙/M 3 left
    cardigan: object  # 모노웨어 울 가디건 59,000원
    cotton: object  # 린넨하우스 코튼 니트 19,900원

    def sku(self, product, label: str):
        return product.skus.get(option_label=label)


@pytest.fixture
def catalog(db) -> Catalog:
    """A small fashion catalogue built with the catalog services, as a seller would build it."""
    from catalog.models import Brand, StockMovement
    from catalog.services import OptionSpec, add_product_image, create_category, create_product, set_stock
    from tests.partners.factories import SellerFactory

    seller = SellerFactory(name="모노스토어", shipping_policy__base_fee_amount=3000,
                           shipping_policy__free_threshold_amount=50000)
    fashion = create_category(name="패션", slug="fashion", position=1)
    women = create_category(name="여성의류", slug="women", parent=fashion)
    knits = create_category(name="니트", slug="knits", parent=women)
    create_category(name="뷰티", slug="beauty", position=2)
    mono = Brand.objects.create(name="모노웨어", name_en="Monowear", slug="monowear")
    linen = Brand.objects.create(name="린넨하우스", name_en="Linen House", slug="linen-house")

    colour_size = [OptionSpec(name="색상", values=["블랙", "아이보리"]),
                   OptionSpec(name="사이즈", values=["S", "M", "L"], price_deltas={"L": 2000})]
    cashmere = create_product(seller=seller, category=knits, brand=mono, name="캐시미어 라운드 니트",
                              list_price_amount=49000, sale_price_amount=39000, options=colour_size,
                              initial_stock=20, summary="부드러운 캐시미어 블렌드")
    cardigan = create_product(seller=seller, category=knits, brand=mono, name="울 블렌드 가디건",
                              list_price_amount=59000, sale_price_amount=59000, options=colour_size,
                              initial_stock=20)
    cotton = create_product(seller=seller, category=knits, brand=linen, name="코튼 베이직 니트",
                            list_price_amount=25000, sale_price_amount=19900,
                            options=[OptionSpec(name="사이즈", values=["FREE"])], initial_stock=20)
    set_stock(sku_id=cashmere.skus.get(option_label="블랙 / L").pk, quantity=0,
              reason=StockMovement.Reason.COUNTED, actor=None)
    set_stock(sku_id=cashmere.skus.get(option_label="블랙 / M").pk, quantity=3,
              reason=StockMovement.Reason.COUNTED, actor=None)
    for product, colours in ((cashmere, [(30, 30, 34), (236, 228, 214)]), (cardigan, [(120, 84, 60)]),
                             (cotton, [(180, 196, 210)])):
        for colour in colours:
            add_product_image(product=product, uploaded_file=picture(colour), actor=None, alt=product.name,
                              generate_now=True)
    return Catalog(fashion=fashion, women=women, knits=knits, mono=mono, linen=linen, cashmere=cashmere,
                   cardigan=cardigan, cotton=cotton)
