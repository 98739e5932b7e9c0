"""The commission frozen on each order line when its order is placed (issue 11).

``orders`` sends ``order_placed`` inside ``place_order``'s transaction; this receiver writes one
LineCommission per line with the rule and rate in force that day. Orders never imports settlement.
"""

from django.db import transaction
from django.utils import timezone

from core.money import percent_of

from .. import sources
from ..models import LineCommission
from .contracts import commission_rate_for


@transaction.atomic
def freeze_commissions(*, lines, on=None) -> list[LineCommission]:
    """Write the frozen commission of ``lines`` (order lines just placed). The base is the items
    amount less the seller-funded coupon share (the platform's own discounts do not lower what the
    seller sells for); the amount is ``percent_of(base, rate)``, rounded down to whole won."""
    on = on or timezone.localdate()
    lines = list(lines)
    seller_shares = sources.seller_discounts([line.pk for line in lines])
    rules: dict[tuple, tuple] = {}
    rows = []
    for line in lines:
        key = (line.seller_id, sources.line_category_path(line))
        if key not in rules:
            rules[key] = commission_rate_for(seller_id=key[0], category_path=key[1], on=on)
        rule, rate = rules[key]
        seller_share = min(seller_shares.get(line.pk, 0), line.items_amount)
        base = line.items_amount - seller_share
        rows.append(LineCommission(order_line=line, seller_id=line.seller_id, rule=rule, rate=rate, base_amount=base,
                                   commission_amount=percent_of(base, rate), seller_discount_amount=seller_share))
    return LineCommission.objects.bulk_create(rows)


def on_order_placed(sender, *, order, lines, **kwargs) -> None:
    freeze_commissions(lines=lines, on=timezone.localdate(order.created_at) if order.created_at else None)
