"""Isolation (issue 10: "the thing that must never fail"). Every /partner/ URL pattern, taken from the
URL resolver (so pages added later are covered too), is requested:

- anonymous → the login page (or 405 for a GET on a POST-only action);
- as seller B's owner with seller A's objects, GET and POST → 404 (405 for a GET on a POST-only action);
- as seller A's staff of every role → 403 where the role lacks the area (GET: read, POST: write), never
  403 or 404 where it has it (GET).

Kwargs are filled by ``tests/partners/isolation.py``'s registry; a pattern whose kwargs it cannot fill
fails the test by name.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners.models import SellerStaff
from partners.portal import READ, WRITE
from tests.accounts.factories import UserFactory
from tests.partners.factories import seller_with_staff
from tests.partners.isolation import KWARG_FACTORIES, PUBLIC_PATTERNS

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Written from the issue, not read from the code: the area of each page this branch adds.
EXPECTED_AREAS = {
    "dashboard": "dashboard", "messages": "dashboard", "penalties": "dashboard",
    "store": "store", "shipping": "store", "holidays": "store", "holiday_delete": "store", "document": "store",
    "marketing_programs": "store",
    "staff": "staff", "staff_role": "staff", "staff_remove": "staff", "invitation_cancel": "staff",
    "line_list": "orders", "bulk_acknowledge": "orders", "line_detail": "orders", "acknowledge": "orders",
    "set_waybill": "orders", "mark_shipped": "orders", "register_delay": "orders", "backorder": "orders",
    "cancel_for_stock": "orders", "waybill_download": "orders", "waybill_upload": "orders",
    "waybill_preview": "orders", "waybill_apply": "orders",
    "claim_list": "orders", "claim_detail": "orders", "claim_memo": "orders", "claim_step": "orders",
    "low_stock": "products",
    # Questions, reviews and escalated inquiries are customer service: the orders/CS area.
    "voc:question_list": "orders", "voc:question_answer": "orders", "voc:answer_templates": "orders",
    "voc:review_list": "orders", "voc:review_reply": "orders", "voc:inquiry_list": "orders",
    "voc:inquiry_detail": "orders",
}
# An upload belongs to the person who uploaded it (like the console's): other staff of the same
# seller get 404 there too.
PERSONAL_PATTERNS = {"waybill_preview", "waybill_apply"}
# The registry's ``reference`` is a waybill upload; the product Excel pages look their own store up,
# so they answer 404 to everyone here (their own tests cover the uploader's view of them).
FOREIGN_REFERENCE_PATTERNS = {"product_excel_preview", "product_excel_apply", "product_excel_progress",
                              "product_excel_progress_json"}


def partner_patterns() -> list[tuple[str, list[str], object]]:
    """(url name, kwarg names, view) of every pattern under the ``partner`` namespace."""
    found = []

    def walk(patterns, inside: bool, converters: list[str], prefix: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                nested = prefix + (f"{entry.namespace}:" if inside and entry.namespace else "")
                walk(entry.url_patterns, inside or entry.namespace == "partner",
                     converters + list(entry.pattern.converters), nested)
            elif isinstance(entry, URLPattern) and inside:
                found.append((prefix + entry.name, converters + list(entry.pattern.converters), entry.callback))

    walk(get_resolver().url_patterns, False, [], "")
    return found


def _fill(kwargs: list[str], seller, owner) -> dict:
    return {name: KWARG_FACTORIES[name](seller, owner) for name in kwargs}


def test_every_partner_pattern_is_covered_by_the_registry():
    patterns = partner_patterns()
    assert len(patterns) >= len(EXPECTED_AREAS)
    missing = sorted({f"{name}: {kwarg}" for name, kwargs, _view in patterns for kwarg in kwargs
                      if kwarg not in KWARG_FACTORIES})
    assert not missing, f"add these URL kwargs to tests/partners/isolation.py KWARG_FACTORIES: {missing}"
    unguarded = sorted(name for name, _kwargs, view in patterns
                       if name not in PUBLIC_PATTERNS and not hasattr(view, "portal_area"))
    assert not unguarded, f"partner views without portal_view (or portal_area): {unguarded}"
    for name, _kwargs, view in patterns:
        if name in EXPECTED_AREAS:
            assert view.portal_area == EXPECTED_AREAS[name], name


def test_seller_b_never_reaches_seller_a_and_anonymous_goes_to_login(client):
    seller_a, owner_a = seller_with_staff(role="owner")
    _seller_b, owner_b = seller_with_staff(role="owner")
    login_path = reverse("accounts:login")
    failures = []
    for name, kwargs, _view in partner_patterns():
        if not kwargs and name in PUBLIC_PATTERNS:
            continue
        url = reverse(f"partner:{name}", kwargs=_fill(kwargs, seller_a, owner_a))
        client.logout()
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            to_login = response.status_code == 302 and response["Location"].startswith(login_path)
            # 405: the page does not take this method at all, before anything of seller A is read.
            if not (to_login or response.status_code == 405):
                failures.append(f"anonymous {method.upper()} {url}: {response.status_code}")
        if not kwargs:
            continue  # nothing of seller A's in the URL: B sees its own data there
        client.force_login(owner_b)
        get = client.get(url)
        if get.status_code not in (404, 405):
            failures.append(f"seller B GET {url}: {get.status_code}")
        post = client.post(url, {"reason": "x", "body": "x", "role": "orders"})
        if post.status_code not in (404, 405):
            failures.append(f"seller B POST {url}: {post.status_code}")
    assert not failures, "\n".join(failures)


def test_every_role_gets_403_where_it_has_no_right_and_the_page_where_it_has(client):
    seller_a, owner_a = seller_with_staff(role="owner")
    users = {role: UserFactory() for role in SellerStaff.Role.values}
    for role, user in users.items():
        SellerStaff.objects.create(user=user, seller=seller_a, role=role) if role != "owner" else None
    users["owner"] = owner_a
    failures = []
    for name, kwargs, view in partner_patterns():
        if name in PUBLIC_PATTERNS:
            continue
        area = view.portal_area
        url = reverse(f"partner:{name}", kwargs=_fill(kwargs, seller_a, owner_a))
        for role, user in users.items():
            client.force_login(user)
            get = client.get(url)
            if role not in READ[area] and get.status_code not in (403, 405):
                failures.append(f"{role} GET {url}: {get.status_code}, expected 403")
            not_found_ok = get.status_code == 404 and (
                (name in PERSONAL_PATTERNS and user != owner_a) or name in FOREIGN_REFERENCE_PATTERNS)
            if role in READ[area] and get.status_code in (403, 404, 500) and not not_found_ok:
                failures.append(f"{role} GET {url}: {get.status_code}, expected the page")
            if role not in WRITE[area]:
                post = client.post(url, {"reason": "x", "body": "x", "role": "orders"})
                if post.status_code not in (403, 405):  # 405: the page takes no POST from anybody
                    failures.append(f"{role} POST {url}: {post.status_code}, expected 403")
    assert not failures, "\n".join(failures)
