"""Issue 15, point 3: no 5xx from hostile input, on any page.

The test walks EVERY URL pattern the resolver knows (so pages added later are covered without
touching this file), fills the path converters with ids and keys of objects that exist and with
junk, and sends GET and POST requests whose parameters carry a corpus of hostile values (NUL
bytes, invalid UTF-8, 10 kB values, unusual Unicode, arrays where a scalar is expected, numbers
that are not numbers), as an anonymous visitor, a shopper, a seller's staff and an operator. Any
5xx answer, or an exception a view lets through, is a failure.

The parameter names are gathered from the code itself: every ``request.GET/POST`` key in the
project's Python files, every form field, and every ``name="…"`` in the templates. Each request
sets all the names that the page's own module reads, plus a deterministic sample of the others,
to one value of the corpus; which values a page gets is chosen by a hash of its route, so a run is
reproducible and every value reaches many pages.
"""

import hashlib
import inspect
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = {"accounts", "catalog", "claims", "core", "dashboards", "marketing", "orders", "partners", "settlement"}

# Percent-encoded as they go on the wire (so invalid UTF-8 can be sent at all).
CORPUS = [
    "%00", "a%00b", "%FF%FE", "%C0%AF", "%ED%A0%80",  # NUL, invalid UTF-8, overlong /, a UTF-8 surrogate
    quote("가" * 3400), "A" * 10240,  # 10 kB values
    quote("\u202e\ufeff\u200b"), quote("👨‍👩‍👧‍👦" * 20), quote("e\u0301" * 200), quote("１２３"), quote("٣"),
    "-1", "0", "99999999999999999999999", "1e309", "NaN", "-0", "0x10", "%201%20", "",
    quote("[]"), quote("{}"), "null", "true", quote("<script>alert(1)</script>"), quote("' OR 1=1--"),
    "%25", "_", "%5C", quote("../../etc/passwd"), quote("2026-02-30"), quote("https://evil.example/"),
]
ARRAY_MARK = "ARRAY"  # the request repeats every name with two different values

JUNK_PATH = {"int": ["0", "99999999999999999999"], "str": [quote("없는값"), "x" * 300, quote("..%2F")],
             "slug": ["no-such-slug", "a" * 300], "path": [quote("../../etc/passwd")],
             "uuid": ["00000000-0000-0000-0000-000000000000"]}


# --- the parameter names, read from the code ----------------------------------------------------

REQUEST_KEY = re.compile(r"""request\.(?:GET|POST|FILES)(?:\.get|\.getlist|\.__getitem__)?\s*[\(\[]\s*["']([\w\-\[\]]+)["']""")
TEMPLATE_NAME = re.compile(r"""\bname=["']([\w\-\[\]]+)["']""")


def _python_files():
    for app in sorted(PROJECT_APPS):
        folder = ROOT / app
        if folder.is_dir():
            yield from (path for path in folder.rglob("*.py") if "migrations" not in path.parts)
    yield from (ROOT / "config").rglob("*.py")


def _form_fields() -> set[str]:
    from django import forms

    names = set()
    for app_config in apps.get_app_configs():
        if app_config.label not in PROJECT_APPS:
            continue
        for module_name in ("forms", "forms_console", "forms_partner", "forms_shop"):
            try:
                module = __import__(f"{app_config.name}.{module_name}", fromlist=["*"])
            except ImportError:
                continue
            for _name, member in inspect.getmembers(module, inspect.isclass):
                if issubclass(member, forms.BaseForm) and member.__module__ == module.__name__:
                    names.update(member.base_fields)
    return names


def _names_by_module() -> tuple[dict[str, set[str]], set[str]]:
    by_module: dict[str, set[str]] = {}
    for path in _python_files():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        by_module[module] = set(REQUEST_KEY.findall(path.read_text(encoding="utf-8")))
    everything = set().union(*by_module.values()) | _form_fields()
    for template in (ROOT / "templates").rglob("*.html"):
        everything |= set(TEMPLATE_NAME.findall(template.read_text(encoding="utf-8")))
    everything.discard("csrfmiddlewaretoken")
    return by_module, everything


# --- the URL patterns, from the resolver --------------------------------------------------------


def _walk(patterns, prefix=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, (*prefix, entry.pattern))
        elif isinstance(entry, URLPattern):
            yield (*prefix, entry.pattern), entry


ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _template(pieces) -> tuple[str, list[tuple[str, str]]]:
    """The URL as a format string with {name} holes, and its (name, converter) list."""
    text, holes = "", []
    for piece in pieces:
        if isinstance(piece, RoutePattern):
            route = str(piece._route)

            def hole(match):
                holes.append((match["name"], match["converter"] or "str"))
                return "{" + match["name"] + "}"

            text += ROUTE_PART.sub(hole, route)
        elif isinstance(piece, RegexPattern):
            regex = piece._regex.lstrip("^").rstrip("$").replace("\\", "")

            def group(match):
                holes.append((match["name"], "regex"))
                return "{" + match["name"] + "}"

            text += REGEX_GROUP.sub(group, regex)
        else:  # LocalePrefixPattern and others: their text as is
            text += str(piece)
    return "/" + text, holes


# --- plausible values for the path, from the database -------------------------------------------


def _plausible_values() -> dict[str, list[str]]:
    """kwarg name → values of objects that exist: fields of that name, pks of models of that name."""
    values: dict[str, list[str]] = {}

    def add(name, value):
        if value not in (None, "") and str(value) not in values.setdefault(name, []):
            values[name].append(str(value))

    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        model_name = model._meta.model_name
        for field in model._meta.concrete_fields:
            if field.get_internal_type() in ("CharField", "SlugField"):
                add(field.name, getattr(first, field.attname))
        for kwarg in (f"{model_name}_id", f"{model_name}_pk"):
            add(kwarg, first.pk)
        for suffix in ("line", "photo", "image", "callback", "address", "coupon", "user", "claim", "product"):
            if model_name.endswith(suffix):
                add(f"{suffix}_id", first.pk)
        add("pk", first.pk)
        add("id", first.pk)
    return values


def _fills(holes, plausible) -> list[dict[str, str]]:
    """Path fillings: one (or two) with values that exist, and one of junk."""
    if not holes:
        return [{}]
    good = []
    for choice in range(2):
        fill = {}
        for name, _converter in holes:
            candidates = plausible.get(name) or plausible.get(name.removesuffix("_id") + "_id") or ["1"]
            fill[name] = quote(candidates[min(choice, len(candidates) - 1)], safe="")
        if fill not in good:
            good.append(fill)
    junk = {name: JUNK_PATH.get(converter, JUNK_PATH["str"])[index % 2 if converter != "path" else 0]
            for index, (name, converter) in enumerate(holes)}
    return [*good, junk]


# --- requests -----------------------------------------------------------------------------------


def _pick(seed: str, population: list, count: int) -> list:
    """A deterministic sample: the same route always gets the same values."""
    ranked = sorted(population, key=lambda item: hashlib.sha256(f"{seed}|{item}".encode()).hexdigest())
    return ranked[:count]


def _encoded(names, value: str) -> str:
    if value == ARRAY_MARK:
        return "&".join(f"{quote(name)}=1&{quote(name)}=%FF{quote('가')}" for name in names)
    return "&".join(f"{quote(name)}={value}" for name in names)


def _request(client, method: str, path: str, query: str):
    if method == "get":
        return client.get(path, QUERY_STRING=query)
    return client.post(path, data=query.encode("ascii"), content_type="application/x-www-form-urlencoded")


def _module_names(callback, by_module) -> set[str]:
    module = getattr(callback, "__module__", "") or ""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        module = view_class.__module__
    return by_module.get(module, set())


@pytest.fixture
def world(django_user_model):
    """A small seeded shop (orders in every state, coupons, a claim or two) and one person per role."""
    from django.core.management import call_command

    from partners.models import Seller
    from tests.partners.factories import SellerStaffFactory

    call_command("seed_demo", products=12, no_images=True, no_logins=True, stdout=open("/dev/null", "w"))
    staff = SellerStaffFactory(seller=Seller.objects.order_by("pk").first()).user
    return {
        "anonymous": None,
        "shopper": django_user_model.objects.get(email="shopper@example.com"),
        "seller staff": staff,
        "operator": django_user_model.objects.get(email="operator@example.com"),
    }


@pytest.mark.django_db
def test_no_page_answers_5xx_to_hostile_input(world, settings):
    settings.AXES_ENABLED = False  # hundreds of junk logins must not lock the accounts mid-walk
    settings.PAYMENT_WEBHOOK_RATE_PER_MINUTE = 0
    by_module, all_names = _names_by_module()
    all_names = sorted(all_names)
    plausible = _plausible_values()
    patterns = list(_walk(get_resolver().url_patterns))
    assert len(patterns) > 80  # the whole shop, not a fragment of it
    failures: list[str] = []
    requests_made = 0

    for role, user in world.items():
        client = Client()
        session_cookie = None
        if user is not None:
            client.force_login(user)
            session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        for pieces, pattern in patterns:
            template, holes = _template(pieces)
            is_admin = template.startswith("/" + settings.ADMIN_URL.strip("/"))
            own_names = sorted(_module_names(pattern.callback, by_module))
            for fill_index, fill in enumerate(_fills(holes, plausible)):
                try:
                    path = template.format(**fill)
                except (KeyError, IndexError, ValueError):
                    continue
                seed = f"{role}|{template}|{fill_index}"
                values = _pick(seed, CORPUS + [ARRAY_MARK], 1 if (is_admin or fill_index) else 3)
                for method in ("get", "post"):
                    for value in values[: 1 if method == "post" and len(values) > 2 else None]:
                        names = own_names + _pick(seed + value, [n for n in all_names if n not in own_names], 25)
                        # Each request is rolled back, so a logout (or a junk cookie) is undone by
                        # putting the session cookie back.
                        client.cookies.clear()
                        if session_cookie:
                            client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
                        requests_made += 1
                        try:
                            with transaction.atomic():
                                response = _request(client, method, path, _encoded(names, value))
                                status = response.status_code
                                transaction.set_rollback(True)  # every request starts from the same shop
                        except Exception as exc:  # a view that lets an error through: a 500 in production
                            frame = exc.__traceback__
                            while frame.tb_next is not None:
                                frame = frame.tb_next
                            where = f"{frame.tb_frame.f_code.co_filename.replace(str(ROOT) + '/', '')}:{frame.tb_lineno}"
                            failures.append(f"{role} {method.upper()} {path[:120]} value={value[:30]!r}: "
                                            f"{type(exc).__name__}: {str(exc)[:160]} at {where}")
                            continue
                        if status >= 500:
                            failures.append(f"{role} {method.upper()} {path[:120]} value={value[:30]!r}: HTTP {status}")

    print(f"{requests_made} requests over {len(patterns)} URL patterns, {len(all_names)} parameter names")
    assert requests_made > 1000
    assert failures == [], f"{len(failures)} failures:\n" + "\n".join(failures[:80])
