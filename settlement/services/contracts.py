"""Commission rules and seller contracts: written when an operator approves a seller (partners calls
``set_seller_contract``) or edits rules in the console; read when an order is placed."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.models import StatusChange

from ..models import CommissionRule, SettlementContract


@transaction.atomic
def set_seller_contract(*, seller, actor, commission_rate: Decimal | None, category_rates: dict | None = None,
                        cycle: str = SettlementContract.Cycle.WEEKLY, pg_fee_borne_by_seller: bool = False,
                        valid_from: date | None = None, reason: str = "") -> SettlementContract:
    """Record a seller's contract from ``valid_from`` (today by default): cycle, who bears the PG fee,
    the seller's own commission rate (None: the category/site rules apply) and per-category overrides
    ({category: rate}). Rules of this seller in force before are closed the day before."""
    valid_from = valid_from or timezone.localdate()
    contract = SettlementContract.objects.create(
        seller=seller, cycle=cycle, pg_fee_borne_by_seller=pg_fee_borne_by_seller, valid_from=valid_from,
        created_by=actor,
    )
    open_rules = CommissionRule.objects.filter(seller=seller).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)
    )
    for rule in open_rules:
        if rule.valid_from >= valid_from:
            rule.delete()  # not in force yet: replaced
        else:
            rule.valid_until = valid_from - timezone.timedelta(days=1)
            rule.save(update_fields=["valid_until", "updated_at"])
    rules = []
    if commission_rate is not None:
        rules.append(CommissionRule(seller=seller, rate=commission_rate, valid_from=valid_from, created_by=actor,
                                    reason=reason))
    for category, rate in (category_rates or {}).items():
        rules.append(CommissionRule(seller=seller, category=category, rate=rate, valid_from=valid_from,
                                    created_by=actor, reason=reason))
    CommissionRule.objects.bulk_create(rules)
    StatusChange.objects.create(  # the audit trail: who set which terms, when and why
        content_type=ContentType.objects.get_for_model(contract), object_id=contract.pk, field="contract",
        from_status="", to_status=cycle, actor=actor if getattr(actor, "pk", None) else None,
        reason=reason or f"commission {commission_rate}% {dict((str(k), str(v)) for k, v in (category_rates or {}).items())}",
    )
    return contract


def commission_rate_for(*, seller_id: int, category_path: str, on: date | None = None) -> tuple[CommissionRule | None, Decimal]:
    """The rule in force on ``on`` for a product of this seller in this category (materialised path),
    most specific first: seller + category (deepest category wins) > seller > category > site.
    Without any rule, ``settings.SETTLEMENT_DEFAULT_COMMISSION_RATE``."""
    on = on or timezone.localdate()
    in_force = CommissionRule.objects.filter(valid_from__lte=on).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    ).filter(Q(seller_id=seller_id) | Q(seller__isnull=True)).select_related("category")
    best, best_key = None, None
    for rule in in_force:
        if rule.category_id is not None and not category_path.startswith(rule.category.path):
            continue
        depth = len(rule.category.path) if rule.category_id else 0
        key = (rule.seller_id is not None, rule.category_id is not None, depth, rule.valid_from, rule.pk)
        if best_key is None or key > best_key:
            best, best_key = rule, key
    if best is None:
        return None, Decimal(str(getattr(settings, "SETTLEMENT_DEFAULT_COMMISSION_RATE", "10")))
    return best, best.rate
