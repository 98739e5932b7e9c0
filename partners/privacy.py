"""The shopper's address and phone in the portal: shown while the seller fulfils the line, masked
once the purchase is settled (confirmation, cancel, return or exchange) plus 90 days. Korean privacy
law (개인정보보호법) lets the seller keep them only as long as the delivery and its claims need."""

import re
from datetime import timedelta

from django.utils import timezone

KEEP_DAYS_AFTER_SETTLED = 90


def contact_visible(line, *, now=None) -> bool:
    from orders.models import OrderLine

    status = OrderLine.Status
    if line.status in (status.PENDING_PAYMENT,):
        return False
    if line.status == status.CONFIRMED:
        settled_at = line.confirmed_at or line.updated_at
    elif line.status in (status.CANCELLED, status.RETURNED, status.EXCHANGED):
        settled_at = line.updated_at
    else:
        return True
    return (now or timezone.now()) <= settled_at + timedelta(days=KEEP_DAYS_AFTER_SETTLED)


def mask_name(name: str) -> str:
    """홍길동 → 홍*동, 김철 → 김*."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """010-1234-5678 → 010-****-5678."""
    return re.sub(r"^(\d{2,3})-?\d{3,4}-?(\d{4})$", r"\1-****-\2", (phone or "").strip()) if phone else ""


def mask_address(address: str) -> str:
    """Keep the first two words (시/도, 시/군/구): 서울 강남구 ***."""
    words = (address or "").split()
    return " ".join(words[:2]) + " ***" if words else ""
