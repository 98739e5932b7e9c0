"""Calendar arithmetic the shop needs (no business rules)."""

import calendar
from datetime import date, datetime, timedelta


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


# --- Business days (영업일) --------------------------------------------------------------------
#
# Korean public holidays (공휴일) the shop does not count as business days, including the
# substitute holidays (대체공휴일) and the 2026 local election day. Dates after the government's
# announcements for 2026 and 2027 (lunar holidays: 설날, 부처님오신날, 추석); check them against the
# 관보 when it publishes the next year and extend ``settings.PUBLIC_HOLIDAYS`` (ISO dates), which
# replaces this list when set. 근로자의 날 (May 1) is not a public holiday and is not listed.
KOREAN_PUBLIC_HOLIDAYS_2026_2027 = (
    "2026-01-01",  # 신정
    "2026-02-16", "2026-02-17", "2026-02-18",  # 설날 연휴
    "2026-03-02",  # 삼일절 대체공휴일 (3/1 is a Sunday)
    "2026-05-05",  # 어린이날
    "2026-05-25",  # 부처님오신날 대체공휴일 (5/24 is a Sunday)
    "2026-06-03",  # 전국동시지방선거
    "2026-08-17",  # 광복절 대체공휴일 (8/15 is a Saturday)
    "2026-09-24", "2026-09-25",  # 추석 연휴 (9/26 is a Saturday)
    "2026-10-05",  # 개천절 대체공휴일 (10/3 is a Saturday)
    "2026-10-09",  # 한글날
    "2026-12-25",  # 성탄절
    "2027-01-01",  # 신정
    "2027-02-08", "2027-02-09",  # 설날 연휴 (2/6–2/8) and its 대체공휴일 (2/7 is a Sunday)
    "2027-03-01",  # 삼일절
    "2027-05-05",  # 어린이날
    "2027-05-13",  # 부처님오신날
    "2027-08-16",  # 광복절 대체공휴일 (8/15 is a Sunday)
    "2027-09-14", "2027-09-15", "2027-09-16",  # 추석 연휴
    "2027-10-04",  # 개천절 대체공휴일 (10/3 is a Sunday)
    "2027-10-11",  # 한글날 대체공휴일 (10/9 is a Saturday)
    "2027-12-27",  # 성탄절 대체공휴일 (12/25 is a Saturday)
)


def public_holidays() -> frozenset[date]:
    """The shop's public holidays: ``settings.PUBLIC_HOLIDAYS`` (ISO dates) or the list above."""
    from django.conf import settings

    configured = getattr(settings, "PUBLIC_HOLIDAYS", None)
    values = KOREAN_PUBLIC_HOLIDAYS_2026_2027 if configured is None else configured
    return frozenset(value if isinstance(value, date) else date.fromisoformat(str(value)) for value in values)


def is_business_day(day: date, holidays=frozenset()) -> bool:
    """Not a Saturday, Sunday, public holiday or one of ``holidays`` (e.g. a seller's 휴무일)."""
    return day.weekday() < 5 and day not in holidays and day not in public_holidays()


def add_business_days(start: date, days: int, holidays=frozenset()) -> date:
    """``start`` plus ``days`` business days (``start`` itself never counts).

    Wednesday 2026-09-23 + 1 = Monday 2026-09-28: 추석 (9/24–25) and the weekend are skipped.
    """
    public = public_holidays()
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays and current not in public:
            days -= 1
    return current


def business_days_after(deadline: date, done: date, holidays=frozenset()) -> int:
    """Business days after ``deadline`` up to and including ``done`` (0 when ``done`` is not later)."""
    public = public_holidays()
    late, current = 0, deadline
    while current < done:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays and current not in public:
            late += 1
    return late
