import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalize_business_number(value: str) -> str:
    """'123-45-67890' or '1234567890' → '123-45-67890'."""
    digits = re.sub(r"[\s-]", "", value or "")
    if len(digits) != 10 or not digits.isdigit():
        return value
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def is_valid_business_number(value: str) -> bool:
    """Korean business registration number (사업자등록번호): 10 digits with a check digit."""
    digits = re.sub(r"[\s-]", "", value or "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    numbers = [int(c) for c in digits]
    total = sum(n * w for n, w in zip(numbers[:9], _BRN_WEIGHTS, strict=True))
    total += numbers[8] * 5 // 10
    return (10 - total % 10) % 10 == numbers[9]


def validate_business_number(value: str) -> None:
    if not re.fullmatch(r"\d{3}-?\d{2}-?\d{5}", value or ""):
        raise ValidationError(_("Enter the business registration number as 123-45-67890."), code="format")
    if not is_valid_business_number(value):
        raise ValidationError(_("This business registration number is not valid (check digit)."), code="checksum")
