"""Affiliates (제휴 마케팅, after Coupang Partners): apply, approval, short links, last-click
attribution within AFFILIATE_WINDOW_HOURS (24), commission accrual on confirmed lines with
reversal for refunded units, monthly statements with a minimum payout and carry-over.

Commission never hooks into the order or claim services: ``accrue_commissions`` reads the state
of attributed lines (status, quantity, refunded units and amounts) and writes the difference
between what each line should earn now and what its ledger rows already say.
"""

import secrets
import string
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import percent_of
from core.transitions import move
from marketing.exceptions import MarketingError
from marketing.models_affiliate import (
    Affiliate,
    AffiliateCategoryRate,
    AffiliateClick,
    AffiliateCommission,
    AffiliateLink,
    AffiliateOrder,
    AffiliateProgramMembership,
    AffiliateStatement,
)

Status = Affiliate.Status

AFFILIATE_TRANSITIONS = {
    Status.APPLIED: {Status.APPROVED, Status.REJECTED},
    Status.APPROVED: {Status.SUSPENDED},
    Status.SUSPENDED: {Status.APPROVED},
    Status.REJECTED: set(),
}
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 7


class AffiliateError(MarketingError):
    pass


def default_rate_percent() -> Decimal:
    return Decimal(str(getattr(settings, "AFFILIATE_DEFAULT_RATE_PERCENT", 3)))


def window_hours() -> int:
    return getattr(settings, "AFFILIATE_WINDOW_HOURS", 24)


def minimum_payout() -> int:
    return getattr(settings, "AFFILIATE_MINIMUM_PAYOUT", 10_000)


# --- Application and approval ------------------------------------------------------------------

@transaction.atomic
def apply_as_affiliate(*, user, kind: str, name: str, bank_name: str, account_number: str, account_holder: str,
                       business_number: str = "", channel_url: str = "") -> Affiliate:
    """A signed-in person applies; an operator decides. A business needs its registration number."""
    if Affiliate.objects.filter(user=user).exists():
        raise AffiliateError(_("You have already applied."))
    digits = "".join(ch for ch in business_number if ch.isdigit())
    if kind == Affiliate.Kind.BUSINESS and len(digits) != 10:
        raise AffiliateError(_("Enter the 10-digit business registration number."))
    if kind not in Affiliate.Kind.values:
        raise AffiliateError(_("Choose individual or business."))
    if not (bank_name.strip() and account_number.strip() and account_holder.strip()):
        raise AffiliateError(_("Enter the bank account commission is paid to."))
    return Affiliate.objects.create(user=user, kind=kind, name=name.strip(), business_number=digits,
                                    channel_url=channel_url, bank_name=bank_name.strip(),
                                    account_number=account_number.strip(), account_holder=account_holder.strip())


@transaction.atomic
def decide_affiliate(*, affiliate_id: int, to: str, actor, note: str = "") -> Affiliate:
    """Approve, reject, suspend or reinstate (the table above says which moves exist)."""
    affiliate = Affiliate.objects.select_for_update().get(pk=affiliate_id)
    affiliate.decided_at = timezone.now()
    affiliate.decided_by = actor
    affiliate.note = note[:200]
    move(affiliate, to=to, table=AFFILIATE_TRANSITIONS, actor=actor, reason=note,
         extra_update_fields=("decided_at", "decided_by", "note"))
    return affiliate


# --- Links and clicks --------------------------------------------------------------------------

@transaction.atomic
def create_link(*, affiliate: Affiliate, target_path: str, label: str = "") -> AffiliateLink:
    """A short link to a page of this shop (a path, never another site)."""
    if affiliate.status != Status.APPROVED:
        raise AffiliateError(_("Links can be made once your application is approved."))
    target = (target_path or "").strip()
    if target.startswith(("http://", "https://")):
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not target.startswith("/") or target.startswith("//"):
        raise AffiliateError(_("Enter the address of a page of this shop."))
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _index in range(CODE_LENGTH))
        if not AffiliateLink.objects.filter(code=code).exists():
            return AffiliateLink.objects.create(affiliate=affiliate, code=code, target_path=target[:300],
                                                label=label[:80])
    raise AffiliateError(_("Could not make a link; try again."))


def _with_utm(path: str, code: str) -> str:
    if "utm_source=" in path:
        return path
    joiner = "&" if "?" in path else "?"
    return path + joiner + urlencode({"utm_source": "affiliate", "utm_medium": "affiliate", "utm_campaign": code})


def record_click(*, code: str, visitor_id: str = "", count: bool = True):
    """(link with its landing URL in ``landing_url``, click or None) for a short code, or None."""
    link = AffiliateLink.objects.select_related("affiliate").filter(code=code).first()
    if link is None:
        return None
    link.target_path = _with_utm(link.target_path, link.code)
    click = None
    if count and link.affiliate.status == Status.APPROVED:
        click = AffiliateClick.objects.create(link=link, visitor_id=visitor_id)
    return link, click


def _is_excluded_buyer(*, affiliate: Affiliate, user) -> bool:
    """Self-referral, operators and seller staff earn nobody commission."""
    if affiliate.user_id == user.pk or user.is_staff or user.is_superuser:
        return True
    from partners.models import SellerStaff

    return SellerStaff.objects.filter(user_id=user.pk).exists()


def attribute_affiliate_order(*, order, state=None, now: datetime | None = None) -> AffiliateOrder | None:
    """The last affiliate click within the window, if any, claims the order (once)."""
    if state is None or not state.affiliate_click_id:
        return None
    now = now or timezone.now()
    click = (AffiliateClick.objects.select_related("link__affiliate__user")
             .filter(pk=state.affiliate_click_id).first())
    if click is None or click.created_at < now - timedelta(hours=window_hours()) or click.created_at > now:
        return None
    affiliate = click.link.affiliate
    if affiliate.status != Status.APPROVED or _is_excluded_buyer(affiliate=affiliate, user=order.user):
        return None
    claimed, _created = AffiliateOrder.objects.get_or_create(
        order=order, defaults={"affiliate": affiliate, "link": click.link, "click": click,
                               "clicked_at": click.created_at})
    return claimed


# --- Sellers in the program ------------------------------------------------------------------

@transaction.atomic
def join_affiliate_program(*, seller, actor=None, now: datetime | None = None) -> AffiliateProgramMembership:
    """The seller joins the affiliate program: from now on it bears the affiliate fee of its lines in
    orders placed while it is a member (a settlement ledger row). Joining twice changes nothing."""
    open_row = AffiliateProgramMembership.objects.select_for_update().filter(seller=seller, left_at__isnull=True).first()
    if open_row is not None:
        return open_row
    return AffiliateProgramMembership.objects.create(seller=seller, joined_at=now or timezone.now())


@transaction.atomic
def leave_affiliate_program(*, seller, actor=None, now: datetime | None = None) -> int:
    """The seller leaves: orders placed from now on are the platform's cost again (past ones keep theirs)."""
    return AffiliateProgramMembership.objects.filter(seller=seller, left_at__isnull=True).update(
        left_at=now or timezone.now())


# --- Commission ----------------------------------------------------------------------------

def rate_for_category_path(category_path: str, rates: dict[str, Decimal]) -> Decimal:
    """The most specific category override on the path, else the default rate."""
    parts = [part for part in (category_path or "").split("/") if part]
    for depth in range(len(parts), 0, -1):
        path = "".join(f"{part}/" for part in parts[:depth])
        if path in rates:
            return rates[path]
    return default_rate_percent()


def line_commission_base(line) -> tuple[int, int]:
    """(units earning commission, base amount) of a line as it stands: confirmed lines only;
    the base is what the shopper paid for the goods (shipping excluded), less refunds."""
    from orders.models import OrderLine

    if line.status != OrderLine.Status.CONFIRMED:
        return 0, 0
    units = max(0, line.quantity - line.refunded_quantity)
    goods_paid = line.paid_amount - line.shipping_share_amount
    goods_refunded = line.refunded_amount - line.refunded_shipping_amount
    return units, max(0, goods_paid - goods_refunded) if units else 0


@transaction.atomic
def accrue_commissions(*, now: datetime | None = None) -> int:
    """Bring every affiliate-attributed line's ledger up to date; returns rows written.

    A line earns ``rate × base`` once purchase-confirmed; a later refund lowers its base and
    the difference is written as a reversal. Idempotent: a second run writes nothing.
    """
    from orders.models import OrderLine

    now = now or timezone.now()
    rates = {path: rate for path, rate in AffiliateCategoryRate.objects.values_list("category__path", "rate_percent")}
    lines = list(OrderLine.objects.filter(order__affiliate_attribution__isnull=False)
                 .select_related("order__affiliate_attribution", "product")
                 .only("id", "status", "quantity", "refunded_quantity", "paid_amount", "shipping_share_amount",
                       "refunded_amount", "refunded_shipping_amount", "product__category_path",
                       "order__affiliate_attribution__affiliate_id"))
    ledger = {row["line_id"]: row for row in AffiliateCommission.objects.filter(line_id__in=[line.pk for line in lines])
              .values("line_id").annotate(units=Sum("units"), amount=Sum("commission_amount"),
                                          base=Sum("base_amount"))}
    rows = []
    for line in lines:
        units, base = line_commission_base(line)
        booked = ledger.get(line.pk, {"units": 0, "amount": 0, "base": 0})
        rate = rate_for_category_path(line.product.category_path, rates)
        target = percent_of(base, rate)
        delta = target - booked["amount"]
        if delta == 0 and units == booked["units"]:
            continue
        rows.append(AffiliateCommission(
            affiliate_id=line.order.affiliate_attribution.affiliate_id, line_id=line.pk,
            kind=AffiliateCommission.Kind.ACCRUAL if delta >= 0 else AffiliateCommission.Kind.REVERSAL,
            units=units - booked["units"], base_amount=base - booked["base"], rate_percent=rate,
            commission_amount=delta, created_at=now))
    AffiliateCommission.objects.bulk_create(rows)
    return len(rows)


# --- Monthly statements --------------------------------------------------------------------

def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@transaction.atomic
def close_month(*, month: date) -> list[AffiliateStatement]:
    """Statements of ``month`` (its first day) for every affiliate with a balance.

    Earned: the ledger rows created in the month and not yet on a statement. Carried in: the
    previous statement's total when it was under the minimum payout. A total of at least the
    minimum (10,000 won) becomes payable; less carries over to next month. Idempotent per month.
    """
    month = month_start(month)
    tz = timezone.get_current_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    end_day = next_month(month)
    end = datetime(end_day.year, end_day.month, 1, tzinfo=tz)
    earned = dict(AffiliateCommission.objects.filter(created_at__gte=start, created_at__lt=end, statement__isnull=True)
                  .values("affiliate_id").annotate(total=Sum("commission_amount")).values_list("affiliate_id", "total"))
    # The latest earlier statement of each affiliate (ascending order: the last one wins).
    previous = {statement.affiliate_id: statement
                for statement in AffiliateStatement.objects.filter(month__lt=month).order_by("month", "id")}
    already = set(AffiliateStatement.objects.filter(month=month).values_list("affiliate_id", flat=True))
    statements = []
    for affiliate_id in sorted((set(earned) | {key for key, value in previous.items()
                                               if value.status == AffiliateStatement.Status.CARRIED}) - already):
        before = previous.get(affiliate_id)
        carried = before.total_amount if before and before.status == AffiliateStatement.Status.CARRIED else 0
        earned_amount = earned.get(affiliate_id, 0)
        total = carried + earned_amount
        if total == 0 and not earned_amount:
            continue
        status = (AffiliateStatement.Status.PAYABLE if total >= minimum_payout()
                  else AffiliateStatement.Status.CARRIED)
        statement = AffiliateStatement.objects.create(affiliate_id=affiliate_id, month=month, carried_in_amount=carried,
                                                      earned_amount=earned_amount, total_amount=total, status=status)
        AffiliateCommission.objects.filter(affiliate_id=affiliate_id, created_at__gte=start, created_at__lt=end,
                                           statement__isnull=True).update(statement=statement)
        statements.append(statement)
    return statements


@transaction.atomic
def mark_statements_paid(*, statement_ids: list[int], actor) -> int:
    return AffiliateStatement.objects.filter(pk__in=statement_ids, status=AffiliateStatement.Status.PAYABLE).update(
        status=AffiliateStatement.Status.PAID, paid_at=timezone.now())


def payout_workbook(*, month: date) -> bytes:
    """The bank transfer file (Excel) of the payable statements of ``month``."""
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{month:%Y-%m}"
    sheet.append([_("Affiliate"), _("Kind"), _("Business registration number"), _("Bank"), _("Account number"),
                  _("Account holder"), _("Carried in"), _("Earned"), _("Amount to pay")])
    statements = (AffiliateStatement.objects.filter(month=month_start(month), status=AffiliateStatement.Status.PAYABLE)
                  .select_related("affiliate").order_by("affiliate__name", "id"))
    for statement in statements:
        affiliate = statement.affiliate
        sheet.append([affiliate.name, affiliate.get_kind_display(), affiliate.business_number, affiliate.bank_name,
                      affiliate.account_number, affiliate.account_holder, statement.carried_in_amount,
                      statement.earned_amount, statement.total_amount])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
