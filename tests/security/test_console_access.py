"""Who reaches the console's marketing (CMS, funnel reports, affiliates, coupons, points), VOC and
settlement pages. Every URL pattern of those namespaces is taken from the URL resolver (a page added
later is covered, or fails here by name) and requested as:

- anonymous → the login page (or 405 for a GET on a POST-only action);
- a shopper, a seller's owner (seller staff), and an operator of every group that lacks the page's
  right → 403;
- an operator of a group that has it → the page (200) on GET.

POST-only actions are tried with POST by the people who must get 403 (nothing may change); settlement
is requested with GET only (another branch owns it). The groups that may open each page are written
from the issues (13: marketing; 12: customer service works the VOC queues; reviews and the survey
report are marketing's too) and accounts/roles.py's teams, not read from the views.
"""

from datetime import date, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import OPERATOR_GROUPS
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.partners.factories import seller_with_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NAMESPACES = ("console:marketing", "console:voc", "console:settlement")
MARKETING, CS, SETTLEMENT = "marketing", "cs", "settlement"

# url name → the operator groups that may open it.
EXPECTED_GROUPS = {
    **{f"console:marketing:{name}": {MARKETING} for name in (
        "coupon_list", "coupon_create", "product_search", "coupon_detail", "coupon_status", "coupon_issue",
        "points", "points_adjust",
        "banner_list", "banner_create", "banner_edit", "banner_delete", "banner_preview",
        "exhibition_list", "exhibition_create", "exhibition_edit", "exhibition_preview", "section_create",
        "section_edit", "section_delete", "notice_list", "notice_create", "notice_edit", "faq_create", "faq_edit",
        "report_funnel", "report_searches", "report_promotions", "report_cohorts",
        "affiliate_list", "affiliate_detail", "affiliate_decide", "affiliate_rate", "affiliate_statements",
        "affiliate_payout_file")},
    "console:voc:review_list": {MARKETING, CS}, "console:voc:review_visibility": {MARKETING, CS},
    "console:voc:question_list": {CS}, "console:voc:question_answer": {CS},
    "console:voc:inquiry_list": {CS}, "console:voc:inquiry_detail": {CS}, "console:voc:answer_templates": {CS},
    "console:voc:survey_report": {MARKETING},
    **{f"console:settlement:{name}": {SETTLEMENT} for name in (
        "dashboard", "close_period", "statements", "statement_detail", "statement_excel", "statement_paid",
        "statement_failed", "holds", "release_hold", "adjustments", "batches", "batch_detail", "batch_excel",
        "commission_rules", "reconcile", "statistics", "tax_invoices")},
}


def console_patterns() -> list[tuple[str, list[str]]]:
    """(namespaced url name, kwarg names) of every pattern under NAMESPACES."""
    found = []

    def walk(patterns, namespace: str, converters: list[str]):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                    entry.namespace or namespace)
                walk(entry.url_patterns, inner or "", converters + list(entry.pattern.converters))
            elif isinstance(entry, URLPattern) and namespace in NAMESPACES and entry.name:
                found.append((f"{namespace}:{entry.name}", converters + list(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "", [])
    return found


@pytest.fixture
def objects(settings):
    """One of everything the URLs name, made through the services where they exist."""
    from marketing.models import Exhibition, ExhibitionSection, Faq, Notice
    from marketing.services import affiliates, cms, inquiries, questions
    from settlement.models import PayoutBatch, SettlementHold, Statement
    from settlement.services import close_settlement_period
    from tests.marketing.factories import CouponFactory
    from tests.marketing.test_views_cms import png
    from tests.orders.factories import make_product
    from tests.settlement.helpers import at, deliver, paid_order
    from tests.settlement.helpers import confirm as settle_confirm

    operator = OperatorFactory(groups=[MARKETING])
    product, _skus = make_product()
    banner = cms.save_banner(actor=operator, slot="home_hero", title="배너", link_url="/", starts_at=timezone.now(),
                             ends_at=None, audience="everyone", sort_order=0, is_active=True, image_desktop=png())
    exhibition = Exhibition.objects.create(slug="winter", title="겨울 기획전", starts_at=timezone.now() - timedelta(days=1))
    section = ExhibitionSection.objects.create(exhibition=exhibition, title="추천", kind=ExhibitionSection.Kind.RULE)
    affiliate = affiliates.apply_as_affiliate(user=UserFactory(), kind="individual", name="리뷰왕", bank_name="국민은행",
                                              account_number="123", account_holder="김리뷰")
    question = questions.ask_question(product=product, user=UserFactory(), body="사이즈 문의드립니다")
    inquiry = inquiries.open_inquiry(user=UserFactory(), category="other", title="문의", body="문의 내용입니다")
    _, (sku,) = make_product(price=25_000, stock=9)
    order = paid_order([(sku.pk, 1)])
    deliver(order)
    settle_confirm(order.lines.get(), on=date(2026, 11, 3))
    close_settlement_period(cycle="weekly", period_start=date(2026, 11, 2), now=at(date(2026, 11, 20)))
    statement = Statement.objects.get(seller=sku.product.seller)
    hold = SettlementHold.objects.create(seller=product.seller, reason="서류 확인")
    batch = PayoutBatch.objects.create(payout_date=date(2026, 11, 20))
    return {
        "coupon_id": CouponFactory().pk, "user_id": UserFactory().pk, "banner_id": banner.pk,
        "exhibition_id": exhibition.pk, "section_id": section.pk,
        "notice_id": Notice.objects.create(title="공지", body_html="<p>공지</p>").pk,
        "faq_id": Faq.objects.create(topic=Faq.Topic.values[0], question="질문", answer_html="<p>답</p>").pk,
        "affiliate_id": affiliate.pk, "year": 2026, "month": 11,
        "review_id": 1,  # only POST-only actions name a review: refused before it is looked up
        "question_id": question.pk, "inquiry_id": inquiry.pk,
        "statement_id": statement.pk, "hold_id": hold.pk, "batch_id": batch.pk,
    }


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_every_console_pattern_of_these_areas_has_its_expected_groups():
    names = {name for name, _kwargs in console_patterns()}
    assert {name.rsplit(":", 1)[0] for name in names} == set(NAMESPACES)
    assert not sorted(names - set(EXPECTED_GROUPS)), "a new console page: say which groups may open it"
    assert not sorted(set(EXPECTED_GROUPS) - names), "a page in EXPECTED_GROUPS no longer exists"


def test_anonymous_shoppers_sellers_and_operators_without_the_group_are_refused(client, objects):
    _seller, seller_owner = seller_with_staff(role="owner")
    outsiders = {"shopper": UserFactory(), "seller staff": seller_owner,
                 **{f"operator ({group})": OperatorFactory(groups=[group]) for group in OPERATOR_GROUPS}}
    failures = []
    for name, kwargs in console_patterns():
        url = reverse(name, kwargs={kwarg: objects[kwarg] for kwarg in kwargs})
        read_only = name.startswith("console:settlement:")
        client.logout()
        response = client.get(url)
        if not (_is_login_redirect(response) or response.status_code == 405):
            failures.append(f"anonymous GET {url}: {response.status_code}")
        for who, user in outsiders.items():
            group = who[len("operator ("):-1] if who.startswith("operator") else None
            if group in EXPECTED_GROUPS[name]:
                continue
            client.force_login(user)
            response = client.get(url)
            if response.status_code == 405 and not read_only:
                response = client.post(url, {"to": "approved", "body": "x", "reason": "x"})
            if response.status_code not in (403, 405):
                failures.append(f"{who} {response.request['REQUEST_METHOD']} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_operators_of_the_groups_with_the_right_open_every_page(client, objects):
    operators = {group: OperatorFactory(groups=[group]) for group in OPERATOR_GROUPS}
    failures, opened = [], 0
    for name, kwargs in console_patterns():
        url = reverse(name, kwargs={kwarg: objects[kwarg] for kwarg in kwargs})
        for group in EXPECTED_GROUPS[name]:
            client.force_login(operators[group])
            response = client.get(url)
            if response.status_code == 405:
                continue  # a POST-only action: the page that posts it is checked instead
            opened += 1
            if response.status_code != 200:
                failures.append(f"{group} GET {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert opened >= 40
