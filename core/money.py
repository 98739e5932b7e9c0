"""Money helpers. KRW has no minor unit: every amount is an int of won, never a float.

Rounding rule for percentages (commission, percent-off discounts): round half down to
whole won, i.e. ``floor(amount * rate / 100)``, computed exactly with integers; the shop
never charges a shopper a fraction it rounded up.
"""

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal


def percent_of(amount: int, percent: Decimal | int | str) -> int:
    """``percent`` % of ``amount`` in whole won, rounded down (e.g. 10% of 12,345 = 1,234)."""
    value = Decimal(int(amount)) * Decimal(str(percent)) / Decimal(100)
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def discount_rate(list_amount: int, sale_amount: int) -> int:
    """The discount shown next to a sale price, as whole percent rounded down (0 if none)."""
    if list_amount <= 0 or sale_amount >= list_amount:
        return 0
    return (list_amount - sale_amount) * 100 // list_amount


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` won over ``weights`` pro rata by the largest-remainder method.

    The parts always sum to ``total`` exactly. Ties in the remainder go to the larger weight,
    then to the earlier position, so the result is deterministic. Zero weights get nothing
    unless every weight is zero, in which case the split is even.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights:
        if total:
            raise ValueError("cannot allocate a non-zero total over no weights")
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def format_won(amount: int | None) -> str:
    """12900 → '12,900원'."""
    if amount is None:
        return ""
    return f"{int(amount):,}원"
