"""Out of stock after payment (option 1, seed 002): a cancel claim at the seller's fault.

It goes through the claims' refund path like any cancel (issue 9 point 2): the points spent on
the line come back, the coupons come back when every line of the order is cancelled, the line
records ``refunded_quantity``; the stock is not given back (the goods were not there).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.models import Claim, ClaimLine
from core.outbox import notify
from orders.exceptions import OrderError
from orders.models import Order, Payment, PaymentMethod
from orders.payments import RefundAccount
from orders.services.claimed import claimable_units, lock_line, reserve_claimed_units, units_held_by_claims
from orders.services.fulfilment import check_line_access

from .common import claim_number
from .refunds import STOCK_OUT, refund_claim
from .rules import ClaimType, Fault, LineStatus


def cancel_line_for_stock(*, line_id: int, actor, reason: str, refund_account: RefundAccount | None = None):
    """Cancel what is left of a paid, not yet shipped line for lack of stock; refund it exactly; tell the shopper.

    Refused (nothing changed) while another claim holds units of the line: settle that one first.
    Returns the line. Call outside a transaction (the PG call follows the commit).
    """
    from orders.models import OrderLine

    number = claim_number()
    with transaction.atomic():
        try:
            line = lock_line(line_id)
            check_line_access(actor, line, "orders.handle_order_cs")
        except OrderError as exc:
            raise ClaimError(exc.message, code=exc.code) from exc
        if line.status not in (LineStatus.PAID, LineStatus.PREPARING):
            raise ClaimError(_("Only paid lines not yet shipped can be cancelled for stock."), code="bad_status")
        if units_held_by_claims(line):
            raise ClaimError(_("An open claim holds units of this line: approve or reject it first."),
                             code="held_by_claim")
        quantity = claimable_units(line)
        if quantity < 1:
            raise ClaimError(_("Nothing is left of this line to cancel."), code="quantity")
        order = line.order
        if refund_account is None and Payment.objects.filter(order=order,
                                                             method=PaymentMethod.VIRTUAL_ACCOUNT).exists():
            raise ClaimError(_("Tell us the bank account for the refund."), code="refund_account")
        claim = Claim.objects.create(
            number=number, order=order, type=ClaimType.CANCEL, reason_code=STOCK_OUT, reason_detail=reason[:2000],
            fault=Fault.SELLER, requested_by=actor,
            refund_bank_code=refund_account.bank_code if refund_account else "",
            refund_account_number=refund_account.account_number if refund_account else "",
            refund_holder=refund_account.holder_name if refund_account else "",
        )
        ClaimLine.objects.create(claim=claim, order_line=line, quantity=quantity)
        reserve_claimed_units(line, quantity=quantity)
        OrderLine.objects.filter(pk=line.pk).update(cancel_reason=reason[:200])
        from orders.services.lines import record_created

        record_created([claim], actor=actor, reason=_("Out of stock: %(reason)s") % {"reason": reason})
    claim = refund_claim(claim.pk, actor=actor, reason=_("Out of stock: %(reason)s") % {"reason": reason},
                         check=False, tell=False)
    if claim.status != Claim.Status.COMPLETED:  # committed and listed; the shopper is told once it is refunded
        raise ClaimError(_("The cancel %(number)s is recorded but the payment service did not refund it: retry it "
                           "from Failed refunds.") % {"number": claim.number}, code="refund_failed")
    with transaction.atomic():
        order = Order.objects.get(pk=claim.order_id)
        line = OrderLine.objects.get(pk=line_id)
        notify(event="line.cancelled_for_stock", key=f"{order.number}:{line.pk}",
               context={"order": order, "line": line, "amount": claim.refund_amount, "reason": reason,
                        "claim": claim},
               email=order.orderer_email, phone=order.orderer_phone, subject_object=order)
    return line
