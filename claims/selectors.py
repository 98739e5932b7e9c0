"""Reads of claims for the shopper's pages and the console, each in a constant number of queries."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from claims.models import Claim, ClaimLine
from claims.services import ENDED, REASONS, TRANSITIONS
from orders.models import OrderLine

T, St = Claim.Type, Claim.Status
LS = OrderLine.Status

CANCELLABLE_LINE_STATUSES = (LS.PAID, LS.PREPARING, LS.READY_TO_SHIP)
# The statuses a return waits in for its refund once the goods are back (the law's 3 business days).
AWAITING_REFUND = (St.PICKED_UP, St.HELD)


def _claim_lines():
    return Prefetch("lines", queryset=ClaimLine.objects.select_related(
        "order_line__product", "order_line__seller", "replacement_sku").prefetch_related(
        "order_line__product__images").order_by("id"))


# --- The shopper ------------------------------------------------------------------------------

def claim_types_for_line(line: OrderLine, *, now=None) -> list[str]:
    """The claims a shopper can ask for on ``line`` right now (the service checks again)."""
    if line.quantity - line.claimed_quantity < 1:
        return []
    if line.status in CANCELLABLE_LINE_STATUSES:
        return [T.CANCEL]
    if line.status == LS.DELIVERED:
        now = now or timezone.now()
        longest = max(settings.CLAIM_WINDOW_DAYS, settings.CLAIM_SELLER_FAULT_WINDOW_DAYS)
        if line.delivered_at is None or now <= line.delivered_at + timedelta(days=longest):
            return [T.EXCHANGE, T.RETURN]
    return []


def list_claimable_lines(*, order, claim_type: str) -> list[OrderLine]:
    """The order's lines the shopper may put in a ``claim_type`` claim now, with what is left of each."""
    lines = [line for line in order.lines.all() if claim_type in claim_types_for_line(line)]
    for line in lines:
        line.claimable_quantity = line.quantity - line.claimed_quantity
    return lines


def list_replacement_options(*, lines: list[OrderLine]) -> dict[int, list]:
    """Per line id, the SKUs it may be exchanged for: same product, same price difference (one query)."""
    from catalog.models import SKU

    if not lines:
        return {}
    skus = list(SKU.objects.filter(product_id__in={line.product_id for line in lines}, is_active=True)
                .order_by("position", "id"))
    options = {}
    for line in lines:
        options[line.pk] = [sku for sku in skus if sku.product_id == line.product_id
                            and sku.price_delta_amount == line.option_delta_amount]
    return options


def reason_groups() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The reasons grouped by who is at fault: [(fault, heading, [(code, label)])]."""
    from django.utils.translation import gettext as _

    groups = []
    for fault, heading in ((Claim.Fault.SHOPPER, _("My reason")), (Claim.Fault.SELLER, _("The seller's fault"))):
        groups.append((fault, heading, [(code, str(label)) for code, (who, label) in REASONS.items() if who == fault]))
    return groups


def list_claims_for_shopper(*, user):
    return (Claim.objects.filter(order__user=user).select_related("order")
            .prefetch_related(_claim_lines()).order_by("-created_at", "-id"))


def get_claim_for_shopper(*, user, number: str) -> Claim | None:
    return (Claim.objects.filter(order__user=user, number=number)
            .select_related("order__payment", "pickup_courier", "replacement_courier", "converted_to",
                            "converted_from")
            .prefetch_related(_claim_lines(), "photos").first())


# --- The console ------------------------------------------------------------------------------

def get_claim_for_console(*, number: str) -> Claim | None:
    return (Claim.objects.filter(number=number)
            .select_related("order__payment", "order__user", "requested_by", "pickup_courier",
                            "replacement_courier", "converted_to", "converted_from")
            .prefetch_related(_claim_lines(), "photos").first())


def count_claims_by_type_and_status() -> dict[str, dict[str, int]]:
    """{type: {status: n, "all": n, "open": n}} in one GROUP BY."""
    counts = {claim_type: {"all": 0, "open": 0} for claim_type in T.values}
    for row in Claim.objects.values("type", "status").annotate(n=Count("id")).order_by():
        bucket = counts.setdefault(row["type"], {"all": 0, "open": 0})
        bucket[row["status"]] = row["n"]
        bucket["all"] += row["n"]
        if row["status"] not in ENDED:
            bucket["open"] += row["n"]
    return counts


def statuses_of(claim_type: str) -> list[str]:
    """The statuses a claim of this type can be in, in the order of its flow."""
    return [status for status in TRANSITIONS[claim_type]]


def search_console_claims(*, claim_type: str, status: str = "", query: str = ""):
    claims = Claim.objects.filter(type=claim_type)
    if status:
        claims = claims.filter(status=status)
    query = query.strip()
    if query:
        claims = claims.filter(Q(number__istartswith=query) | Q(order__number__startswith=query))
    return claims.select_related("order").prefetch_related(_claim_lines()).order_by("-created_at", "-id")


def list_refunds_due(*, today=None):
    """Returns back at the seller whose refund is due today or late, the oldest due first."""
    today = today or timezone.localdate()
    return (Claim.objects.filter(type=T.RETURN, status__in=AWAITING_REFUND, refund_due_date__lte=today)
            .select_related("order").prefetch_related(_claim_lines()).order_by("refund_due_date", "id"))


def list_failed_refunds(*, stuck_after_minutes: int = 10):
    """Refunds the PG refused (REFUND_FAILED), and those still REFUNDING after some minutes (the worker
    stopped between the commit and the PG's answer): the console retries them. Oldest first."""
    stuck = timezone.now() - timedelta(minutes=stuck_after_minutes)
    return (Claim.objects.filter(Q(status=St.REFUND_FAILED) | Q(status=St.REFUNDING, updated_at__lt=stuck))
            .select_related("order").prefetch_related(_claim_lines()).order_by("updated_at", "id"))


def count_claims_waiting(*, today=None) -> dict[str, int]:
    """For the dashboard: requests waiting for a decision, and refunds due today or late (one query)."""
    today = today or timezone.localdate()
    return Claim.objects.aggregate(
        requested=Count("id", filter=Q(status=St.REQUESTED)),
        refunds_due=Count("id", filter=Q(type=T.RETURN, status__in=AWAITING_REFUND, refund_due_date__lte=today)),
        refunds_failed=Count("id", filter=Q(status=St.REFUND_FAILED)),
    )


def get_claim_timeline(*, claim: Claim, for_shopper: bool = False) -> list:
    """The claim's moves and notes. The shopper's version leaves out the notes of 보류 및 거부 승인 (a
    proposed or refused rejection) and the reason of a hold an operator has not approved: only the
    approved, current hold reads its reason."""
    from core.transitions import history

    labels = dict(Claim.Status.choices)
    changes = list(history(claim).order_by("created_at", "id"))
    if for_shopper:
        changes = [change for change in changes if change.field != "decision_note"]
        holds = [change for change in changes if change.field == "status" and change.to_status == Claim.Status.HELD]
        shown = holds[-1] if holds and claim.status == Claim.Status.HELD and not claim.decision_pending else None
        for change in holds:
            if change is not shown:
                change.reason = ""
    for change in changes:
        change.from_label = labels.get(change.from_status, change.from_status)
        change.to_label = labels.get(change.to_status, change.to_status)
    return changes


def list_claim_messages(*, claim: Claim) -> list:
    """The messages queued about this claim (mail and 알림톡, shopper and sellers)."""
    from core.outbox import messages_about

    return list(messages_about(claim.order).filter(event__startswith="claim.",
                                                   dedupe_key__contains=f":{claim.number}:"))
