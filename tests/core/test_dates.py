from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.dates import add_months

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 3, 15), 12, date(2027, 3, 15)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 1), 1, date(2027, 1, 1)),
    (date(2026, 5, 31), -3, date(2026, 2, 28)),
    (date(2026, 1, 15), 0, date(2026, 1, 15)),
    (date(2026, 1, 15), 25, date(2028, 2, 15)),
])
def test_add_months_counts_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_keeps_the_time_and_the_zone():
    start = datetime(2026, 8, 31, 23, 30, tzinfo=SEOUL)
    assert add_months(start, 12) == datetime(2027, 8, 31, 23, 30, tzinfo=SEOUL)
    assert add_months(start, 6) == datetime(2027, 2, 28, 23, 30, tzinfo=SEOUL)
