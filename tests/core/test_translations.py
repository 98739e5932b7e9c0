"""The Korean catalogue (locale/ko) is complete, compiled from its final .po, and used by the pages;
English (the msgids) stays one cookie away.

The .po files are read with the tiny parser below (no polib dependency); the .mo files with the
standard library's gettext, so a stale or forgotten `compilemessages` fails here.
"""

import gettext as stdlib_gettext
import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from catalog.services import OptionSpec, create_product
from tests.accounts.factories import UserFactory
from tests.catalog.factories import BrandFactory, CategoryFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.korean

LOCALE = Path(settings.BASE_DIR) / "locale"
KO_PO = LOCALE / "ko" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: ctx, id, plural, str ({index: text}), flags. Header and obsolete
    (#~) entries left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines or any(line.startswith("#~") for line in lines):
            continue
        entry = {"ctx": None, "id": None, "plural": None, "str": {}, "flags": set()}
        field = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith("msgctxt "):
                entry["ctx"], field = _unquote(line[8:]), ("ctx",)
            elif line.startswith("msgid_plural "):
                entry["plural"], field = _unquote(line[13:]), ("plural",)
            elif line.startswith("msgid "):
                entry["id"], field = _unquote(line[6:]), ("id",)
            elif line.startswith("msgstr["):
                index = int(line[7 : line.index("]")])
                entry["str"][index], field = _unquote(line[line.index("]") + 1 :]), ("str", index)
            elif line.startswith("msgstr "):
                entry["str"][0], field = _unquote(line[7:]), ("str", 0)
            elif line.startswith('"'):
                if field[0] == "str":
                    entry["str"][field[1]] += _unquote(line)
                else:
                    entry[field[0]] += _unquote(line)
        if entry["id"]:
            entries.append(entry)
    return entries


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", text))


KO_ENTRIES = read_po(KO_PO)


def _label(entry) -> str:
    return f"{entry['ctx']}|{entry['id']}" if entry["ctx"] else entry["id"]


# --- the catalogue itself ------------------------------------------------------------------------


def test_the_korean_catalogue_is_complete_and_not_fuzzy():
    assert len(KO_ENTRIES) > 500
    untranslated = [_label(e) for e in KO_ENTRIES if not e["str"] or not all(e["str"].values())]
    fuzzy = [_label(e) for e in KO_ENTRIES if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    header = KO_PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    assert '"Language: ko\\n"' in header


def test_korean_keeps_every_placeholder_and_has_one_plural_form():
    broken = []
    for entry in KO_ENTRIES:
        text = entry["str"][0]
        if entry["plural"]:
            assert set(entry["str"]) == {0}, _label(entry)
            allowed = set(_placeholders(entry["id"])) | set(_placeholders(entry["plural"]))
            needed = set(_placeholders(entry["id"])) - {"%(counter)s"}  # Korean may leave the count implicit
            kept = needed <= set(_placeholders(text)) <= allowed
        else:
            kept = _placeholders(text) == _placeholders(entry["id"])
        if not kept:
            broken.append(_label(entry))
    assert broken == []


def test_english_needs_only_the_won_sign():
    entries = {_label(e): e for e in read_po(EN_PO)}
    assert entries["{amount}원"]["str"][0] == "₩{amount}"
    assert not [label for label, e in entries.items() if "fuzzy" in e["flags"]]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_mo_is_compiled_from_the_final_po(language):
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
    with open(po_path.with_suffix(".mo"), "rb") as mo_file:
        catalog = stdlib_gettext.GNUTranslations(mo_file)._catalog
    stale = []
    for entry in read_po(po_path):
        key = f"{entry['ctx']}\x04{entry['id']}" if entry["ctx"] else entry["id"]
        for index, text in entry["str"].items():
            if not text:
                continue  # untranslated English: msgfmt leaves it out
            got = catalog.get((key, index)) if entry["plural"] else catalog.get(key)
            if got != text:
                stale.append(_label(entry))
    assert stale == [], "run: .venv/bin/python manage.py compilemessages --ignore=.venv"


def test_django_serves_every_korean_msgstr():
    wrong = []
    with translation.override("ko"):
        for entry in KO_ENTRIES:
            if entry["plural"]:
                for n in (1, 5):
                    if entry["ctx"]:
                        got = translation.npgettext(entry["ctx"], entry["id"], entry["plural"], n)
                    else:
                        got = translation.ngettext(entry["id"], entry["plural"], n)
                    if got != entry["str"][0]:
                        wrong.append(_label(entry))
            else:
                if entry["ctx"]:
                    got = translation.pgettext(entry["ctx"], entry["id"])
                else:
                    got = translation.gettext(entry["id"])
                if got != entry["str"][0]:
                    wrong.append(_label(entry))
    assert wrong == []


def test_one_english_word_with_two_korean_meanings_has_a_context():
    with translation.override("ko"):
        assert translation.pgettext("line status", "Shipping") == "배송중"
        assert translation.gettext("Shipping") == "배송비"
        assert translation.pgettext("payment method", "Mobile phone") == "휴대폰 결제"
        assert translation.gettext("Mobile phone") == "휴대폰 번호"
        assert translation.pgettext("amount", "Items") == "상품금액"
        assert translation.gettext("Items") == "주문상품"
        from orders.models import OrderLine, PaymentMethod

        assert str(OrderLine.Status.SHIPPING.label) == "배송중"
        assert str(PaymentMethod.MOBILE.label) == "휴대폰 결제"


# --- the pages -----------------------------------------------------------------------------------


# Texts the pages show on purpose whatever the language: the language switcher names each language
# in itself.
_SHOWN_AS_IS = {"English"}


def english_leftovers(html: str) -> list[str]:
    """msgids that appear untranslated as an element's whole text or as a text attribute's value."""
    found = []
    for entry in KO_ENTRIES:
        msgid = entry["id"]
        if entry["plural"] or _placeholders(msgid) or msgid in _SHOWN_AS_IS or entry["str"][0] == msgid:
            continue
        if not re.search(r"[A-Za-z]{2}", msgid):
            continue
        escaped = html_lib.escape(msgid, quote=True)
        if re.search(rf">\s*{re.escape(escaped)}\s*<", html) or re.search(
            rf'(?:placeholder|aria-label|title|alt|data-label)="{re.escape(escaped)}"', html
        ):
            found.append(msgid)
    return found


@pytest.fixture
def product(db):
    seller = SellerFactory(name="무드온 공식스토어")
    return create_product(
        seller=seller,
        category=CategoryFactory(name="니트", parent=CategoryFactory(name="여성의류")),
        brand=BrandFactory(name="무드온"),
        name="캐시미어 니트 가디건",
        list_price_amount=89000,
        sale_price_amount=59900,
        options=[OptionSpec("색상", ["아이보리", "차콜"]), OptionSpec("사이즈", ["S", "L"], {"L": 2000})],
        initial_stock=3,
        notice={"소재": "캐시미어 30%"},
    )


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_the_home_page_is_korean(client, product):
    html = _page(client, reverse("shop:home"))
    assert '<html lang="ko">' in html
    for text in ("마켓온", "마이페이지", "로그인", "장바구니", "카테고리", "검색", "무료배송"):
        assert text in html, text
    assert "59,900원" in html
    assert english_leftovers(html) == []


@pytest.mark.django_db
def test_the_product_page_is_korean(client, product):
    html = _page(client, reverse("shop:product", args=[product.pk]))
    for text in ("장바구니 담기", "바로구매", "상품정보제공고시", "배송/교환/반품", "옵션 선택", "배송비"):
        assert text in html, text
    for english in (">Add to cart<", ">Buy now<", "Free shipping", "Product information notice"):
        assert english not in html, english
    assert english_leftovers(html) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/categories/",
        "/search/",
        "/search/?q=니트",
        "/search/?q=zzzz",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/cart/",
    ],
)
def test_the_other_shop_pages_are_korean(client, product, url):
    assert english_leftovers(_page(client, url)) == []


@pytest.mark.django_db
def test_the_category_page_and_a_full_cart_are_korean(client, product):
    html = _page(client, reverse("shop:category", args=[product.category.slug]))
    assert "정렬" in html or "신상품순" in html
    assert english_leftovers(html) == []

    sku = product.skus.filter(stock_quantity__gt=0).first()
    client.post(reverse("shop:cart_add"), {"sku": sku.pk, "quantity": 1, "action": "cart"})
    html = _page(client, reverse("shop:cart"))
    assert "캐시미어 니트 가디건" in html
    assert "전체선택" in html
    assert english_leftovers(html) == []


@pytest.mark.django_db
def test_my_page_is_korean(client):
    client.force_login(UserFactory(name="김구매"))
    html = _page(client, reverse("accounts:mypage"))
    assert "김구매님" in html
    assert english_leftovers(html) == []


@pytest.mark.django_db
def test_english_with_the_language_cookie(client, product):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _page(client, reverse("shop:product", args=[product.pk]))
    assert '<html lang="en">' in html
    assert ">Add to cart<" in html and ">Buy now<" in html
    assert "₩59,900" in html and "59,900원" not in html
    assert "장바구니 담기" not in html and "마이페이지" not in html
    assert "Add to cart" in english_leftovers(html)  # the leftover check does see English

    html = _page(client, reverse("shop:home"))
    assert "My page" in html and "Log in" in html
    assert "마이페이지" not in html
