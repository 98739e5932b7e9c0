"""Freeze a commission for every order line placed before settlement existed.

A close books only lines with a LineCommission (settlement.sources joins it), and the receiver that
writes one runs at order placement: without this backfill, lines placed before the upgrade would never
settle and their sellers would never be paid (found by tests/core/test_migrations_forward.py, which
upgrades the previous release's seeded database).

The rule is chosen as ``settlement.services.contracts.commission_rate_for`` chooses it, on the day the
order was placed, from the historical models: seller + category (deepest) > seller > category > site,
else ``settings.SETTLEMENT_DEFAULT_COMMISSION_RATE``. The base is the items amount less the seller-funded
coupon share, the amount is rounded down to whole won. Idempotent: lines that have one are skipped.
"""

from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import migrations
from django.db.models import Sum
from django.utils import timezone

BATCH = 2000


def _percent_of(amount, percent) -> int:
    value = Decimal(int(amount)) * Decimal(str(percent)) / Decimal(100)
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def freeze_older_lines(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")
    LineCommission = apps.get_model("settlement", "LineCommission")
    CommissionRule = apps.get_model("settlement", "CommissionRule")
    OrderLineDiscount = apps.get_model("marketing", "OrderLineDiscount")

    default_rate = Decimal(str(getattr(settings, "SETTLEMENT_DEFAULT_COMMISSION_RATE", "10")))
    rules = list(CommissionRule.objects.select_related("category"))

    def rule_for(seller_id, category_path, on):
        best, best_key = None, None
        for rule in rules:
            if rule.valid_from > on or (rule.valid_until is not None and rule.valid_until < on):
                continue
            if rule.seller_id is not None and rule.seller_id != seller_id:
                continue
            if rule.category_id is not None and not category_path.startswith(rule.category.path):
                continue
            depth = len(rule.category.path) if rule.category_id else 0
            key = (rule.seller_id is not None, rule.category_id is not None, depth, rule.valid_from, rule.pk)
            if best_key is None or key > best_key:
                best, best_key = rule, key
        return (best, best.rate) if best else (None, default_rate)

    missing = (OrderLine.objects.filter(settlement_commission__isnull=True)
               .select_related("order", "product").order_by("pk"))
    last = 0
    while True:
        lines = list(missing.filter(pk__gt=last)[:BATCH])
        if not lines:
            break
        last = lines[-1].pk
        shares = dict(OrderLineDiscount.objects.filter(line_id__in=[line.pk for line in lines])
                      .values_list("line_id").annotate(total=Sum("seller_amount")).values_list("line_id", "total"))
        rows = []
        for line in lines:
            on = timezone.localdate(line.order.created_at)
            rule, rate = rule_for(line.seller_id, line.product.category_path, on)
            seller_share = min(shares.get(line.pk) or 0, line.items_amount)
            base = line.items_amount - seller_share
            rows.append(LineCommission(order_line_id=line.pk, seller_id=line.seller_id, rule=rule, rate=rate,
                                       base_amount=base, commission_amount=_percent_of(base, rate),
                                       seller_discount_amount=seller_share))
        LineCommission.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0009_merge_20261206_1400"),
        ("marketing", "0005_affiliate_program_membership"),
        ("orders", "0014_console_recipient_search"),
    ]

    operations = [migrations.RunPython(freeze_older_lines, migrations.RunPython.noop)]
