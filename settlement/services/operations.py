"""Holds, adjustments and payouts: what operators do between closes (issue 11)."""

from datetime import date

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.transitions import move

from .. import sources
from ..models import LedgerEntry, PayoutBatch, SettlementAdjustment, SettlementHold, Statement
from .periods import SettlementError

S = Statement.Status
STATEMENT_TRANSITIONS = {
    S.CLOSED: {S.PAID, S.FAILED},
    S.PAID: set(),
    S.FAILED: set(),
}


@transaction.atomic
def hold_settlement(*, seller, actor, reason: str, order_line=None, release_on: date | None = None) -> SettlementHold:
    """Hold one order line of ``seller`` or (``order_line`` None) the whole seller. Closes book
    nothing it covers until it is released (by hand or on ``release_on``); nothing else waits."""
    reason = (reason or "").strip()
    if not reason:
        raise SettlementError(_("Give a reason for the hold."))
    if order_line is not None and order_line.seller_id != seller.pk:
        raise SettlementError(_("This order line belongs to another seller."))
    return SettlementHold.objects.create(seller=seller, order_line=order_line, reason=reason[:200],
                                         release_on=release_on, created_by=actor)


@transaction.atomic
def release_settlement_hold(*, hold_id: int, actor) -> SettlementHold:
    from django.shortcuts import get_object_or_404

    hold = get_object_or_404(SettlementHold.objects.select_for_update(), pk=hold_id)
    if hold.released_at is not None:
        raise SettlementError(_("This hold was already released."))
    hold.released_at = timezone.now()
    hold.released_by = actor
    hold.save(update_fields=["released_at", "released_by", "updated_at"])
    return hold


def holds_in_force(*, on: date | None = None):
    on = on or timezone.localdate()
    return SettlementHold.objects.filter(released_at__isnull=True).filter(
        Q(release_on__isnull=True) | Q(release_on__gt=on))


@transaction.atomic
def add_adjustment(*, seller, actor, amount: int, reason: str, order_line=None) -> SettlementAdjustment:
    """An operator's correction (plus: owed to the seller; minus: owed by it), booked by the next close."""
    reason = (reason or "").strip()
    if not reason:
        raise SettlementError(_("Give a reason for the adjustment."))
    if not amount:
        raise SettlementError(_("The amount cannot be zero."))
    if order_line is not None and order_line.seller_id != seller.pk:
        raise SettlementError(_("This order line belongs to another seller."))
    return SettlementAdjustment.objects.create(seller=seller, order_line=order_line, amount=int(amount),
                                               reason=reason[:200], created_by=actor)


def statement_totals(statement_ids) -> dict[int, int]:
    return dict(LedgerEntry.objects.filter(statement_id__in=statement_ids).values_list("statement_id")
                .annotate(total=Sum("amount")).values_list("statement_id", "total"))


@transaction.atomic
def create_payout_batch(*, payout_date: date, actor) -> tuple[PayoutBatch, list[Statement]]:
    """Gather the closed statements due on or before ``payout_date`` with something to pay into one
    batch. Sellers without a verified bank account stay out (held): returned second."""
    batch, _created = PayoutBatch.objects.get_or_create(payout_date=payout_date, defaults={"created_by": actor})
    candidates = list(Statement.objects.select_for_update(of=("self",)).select_related("seller")
                      .filter(status=S.CLOSED, batch__isnull=True, payout_due_on__lte=payout_date))
    totals = statement_totals([statement.pk for statement in candidates])
    held = []
    for statement in candidates:
        if totals.get(statement.pk, 0) <= 0:
            continue
        if not sources.seller_bank_account(statement.seller).verified:
            held.append(statement)
            continue
        statement.batch = batch
        statement.save(update_fields=["batch", "updated_at"])
    return batch, held


def _locked_statement(statement_id: int) -> Statement:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Statement.objects.select_for_update(), pk=statement_id)  # unknown id: 404


@transaction.atomic
def mark_statement_paid(*, statement_id: int, actor) -> Statement:
    """The bank transfer went out: the statement is paid with its total (recorded for reconcile)."""
    statement = _locked_statement(statement_id)
    statement.paid_amount = statement_totals([statement.pk]).get(statement.pk, 0)
    statement.paid_at = timezone.now()
    move(statement, to=S.PAID, table=STATEMENT_TRANSITIONS, actor=actor, reason=_("transfer sent"),
         extra_update_fields=("paid_amount", "paid_at"))
    return statement


@transaction.atomic
def mark_statement_failed(*, statement_id: int, actor, reason: str) -> Statement:
    """The transfer bounced: the amount goes back to the seller's balance. A carry-out row takes it
    out of this statement and the next close carries it in (append-only, like a negative balance)."""
    reason = (reason or "").strip()
    if not reason:
        raise SettlementError(_("Give the reason the transfer failed."))
    statement = _locked_statement(statement_id)
    statement.failure_reason = reason[:200]
    move(statement, to=S.FAILED, table=STATEMENT_TRANSITIONS, actor=actor, reason=reason,
         extra_update_fields=("failure_reason",))
    total = statement_totals([statement.pk]).get(statement.pk, 0)
    if total:
        now = timezone.now()
        LedgerEntry.objects.create(seller_id=statement.seller_id, statement=statement, kind=LedgerEntry.Kind.CARRY_OVER,
                                   amount=-total, effective_at=now, created_at=now,
                                   reason=_("payout failed: back to the balance"))
    return statement
