from .contracts import commission_rate_for, set_seller_contract

__all__ = ["commission_rate_for", "set_seller_contract"]
