from .commissions import freeze_commissions
from .contracts import commission_rate_for, set_seller_contract
from .operations import (
    add_adjustment,
    create_payout_batch,
    hold_settlement,
    mark_statement_failed,
    mark_statement_paid,
    release_settlement_hold,
)
from .periods import SettlementError, close_settlement_period, payout_date_for, period_of

__all__ = [
    "SettlementError", "add_adjustment", "close_settlement_period", "commission_rate_for", "create_payout_batch",
    "freeze_commissions", "hold_settlement", "mark_statement_failed", "mark_statement_paid", "payout_date_for",
    "period_of", "release_settlement_hold", "set_seller_contract",
]
