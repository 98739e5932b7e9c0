"""Calendar arithmetic the shop needs (no business rules)."""

import calendar
from datetime import date, datetime


def add_months(value: date | datetime, months: int) -> date | datetime:
    """``value`` plus ``months`` calendar months, the day clamped to the month's last day.

    2026-01-31 + 1 month = 2026-02-28; 2024-02-29 + 12 months = 2025-02-28. Not 30 × months:
    "valid for 12 months" means until the same date next year. An aware datetime is counted in
    its own time zone (pass Korea time for Korean calendar dates).
    """
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)
