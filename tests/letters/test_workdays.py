"""Reply deadlines in Swedish working days."""

from __future__ import annotations

from datetime import date

from app.letters.workdays import add_working_days, is_working_day, working_days_between

D = date.fromisoformat


def test_christmas_and_new_year():
    # 24 Dec (julafton) and 31 Dec (nyårsafton) count as holidays for deadlines, like 25-26 Dec and 1 and 6 Jan.
    assert add_working_days(D("2026-12-22"), 3) == D("2026-12-29")
    assert add_working_days(D("2026-12-29"), 2) == D("2027-01-04")
    assert not is_working_day(D("2026-12-24")) and not is_working_day(D("2026-12-31"))


def test_midsummer_eve_easter_and_weekends():
    assert not is_working_day(D("2026-06-19"))   # midsommarafton, a Friday
    assert not is_working_day(D("2026-04-06"))   # annandag påsk
    assert not is_working_day(D("2026-11-21"))   # a Saturday
    assert is_working_day(D("2026-11-23"))
    assert add_working_days(D("2026-06-17"), 2) == D("2026-06-22")


def test_counting_back_matches_adding():
    start = D("2026-11-22")
    for n in range(1, 30):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(start, start) == 0
