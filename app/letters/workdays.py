"""Working days for reply deadlines: Monday to Friday except Swedish public holidays (the `holidays` package)
and midsommarafton, julafton and nyårsafton, which lag (1930:173) om beräkning av lagstadgad tid treats like
holidays for deadlines."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


@cache
def _days_off(year: int) -> frozenset[date]:
    import holidays  # only letters need it

    public = holidays.country_holidays("SE", years=year)
    midsummer_day = next(d for d, name in public.items() if d.month == 6 and d.weekday() == 5 and 20 <= d.day <= 26)
    return frozenset([*public, midsummer_day - timedelta(days=1), date(year, 12, 24), date(year, 12, 31)])


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when end is not after start."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
