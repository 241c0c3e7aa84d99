"""The criteria's arithmetic on hand-made measures: tiers at their boundaries, routes, BUP's waiting condition,
the "what if" and the money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.criteria.definitions import agreement, available_years
from app.criteria.evaluate import ABSOLUTE, IMPROVEMENT, evaluate, rounded, tier_for
from app.export.measures import Count, Measure, StepMeasures
from app.reports.months import Month

JAN = Month(2023, 1)
TERMS = agreement(2023)
C = {c.number: c for c in TERMS.criteria}


def step(code: str, **counts: Count) -> StepMeasures:
    return StepMeasures(code, code, 90, tuple(Measure(k, k, c) for k, c in counts.items()))


def test_the_criteria_are_data_for_each_year():
    assert {2022, 2023} <= set(available_years())
    assert [c.number for c in TERMS.criteria] == list(range(1, 10))
    assert sum(c.pot_share for c in TERMS.criteria) == 100
    assert TERMS.months == tuple(range(1, 12)) and agreement(2022).months == tuple(range(2, 12))
    assert agreement(2022).month_pot_kr is None  # the sources give no amount for 2022


@pytest.mark.parametrize(("now", "before", "change", "pays"), [
    (529, 500, "2.9", 50), (530, 500, "3.0", 75), (5295, 5000, "3.0", 75),  # 2.95 rounds half up
    (509, 500, "0.9", 0), (510, 500, "1.0", 50), (549, 500, "4.9", 75), (550, 500, "5.0", 100),
])
def test_tier_boundaries(now, before, change, pays):
    base = 10_000 if now > 1000 else 1000
    r = evaluate(C[1], TERMS, JAN, step("PV_BEDOMNING", completed_within_limit=Count(now, base)),
                 step("PV_BEDOMNING", completed_within_limit=Count(before, base)), None)
    assert (r.change, r.tier, r.pays, r.route) == (Decimal(change), pays, pays, IMPROVEMENT if pays else "")


def test_bup_tiers_are_wider():
    assert [tier_for(Decimal(x), C[7].tiers) for x in ("4.9", "5.0", "9.9", "10.0")] == [50, 75, 75, 100]


def test_absolute_route_pays_alone_and_money_follows_the_share():
    # 91 % within 3 days, and +5 p.e. too: the absolute route pays 100 %, once.
    r = evaluate(C[1], TERMS, JAN, step("PV_BEDOMNING", completed_within_limit=Count(91, 100)),
                 step("PV_BEDOMNING", completed_within_limit=Count(86, 100)), Decimal(10))
    assert (r.absolute, r.tier, r.pays, r.route) == (True, 100, 100, ABSOLUTE)
    # 2 500 mnkr / 11 months × 18 % × the region's 10 % = 4 090 909.09 kr
    assert r.money_kr == Decimal(4090909)


def test_smaller_is_better_for_the_150_day_share():
    r = evaluate(C[4], TERMS, JAN, step("SV_FORSTA_BESOK", waiting_gt150=Count(10, 100)),
                 step("SV_FORSTA_BESOK", waiting_gt150=Count(12, 100)), None)
    assert (r.change, r.tier, r.absolute) == (Decimal("2.0"), 50, False)
    assert (r.what_if.more, r.what_if.pays) == (2, 75)  # 8 of 98 = 8.2 %: 3.8 p.e.; 9 of 99 only 2.9


def test_bup_absolute_needs_the_waiting_too_when_more_than_20_wait():
    done = Count(80, 100)
    few = step("BUP_FORSTA", completed_within_limit=done, waiting_within_limit=Count(5, 20))
    many = step("BUP_FORSTA", completed_within_limit=done, waiting_within_limit=Count(10, 21))
    assert evaluate(C[7], TERMS, JAN, few, None, None).absolute is True      # 20 waiting: not applied
    r = evaluate(C[7], TERMS, JAN, many, None, None)
    assert (r.absolute, r.pays) == (False, 0)
    assert r.waiting_condition.startswith("21 väntar; 47,6 % har väntat högst 30 dagar (inte uppfyllt")


def test_what_if_for_the_waiting_share_names_the_longest_waiters_near_60_days():
    near = [(17, 60), (4, 59), (9, 58)]
    r = evaluate(C[2], TERMS, JAN, step("SV_FORSTA_BESOK", waiting_lt60=Count(60, 100), waiting_le60=Count(61, 100)),
                 step("SV_FORSTA_BESOK", waiting_lt60=Count(58, 100)), None, near)
    assert (r.change, r.tier) == (Decimal("2.0"), 50)
    # 60 of 98 = 61.2 % (+3.2 p.e.); 60 of 99 = 60.6 % only +2.6
    assert (r.what_if.more, r.what_if.pays, r.what_if.candidates) == (2, 75, ((17, 60), (4, 59)))


def test_what_if_for_completed_share():
    r = evaluate(C[1], TERMS, JAN, step("PV_BEDOMNING", completed_within_limit=Count(50, 100)),
                 step("PV_BEDOMNING", completed_within_limit=Count(47, 100)), None)
    assert (r.tier, r.what_if.more, r.what_if.pays) == (75, 2, 100)  # 52 of 100: +5.0 p.e.


def test_no_last_year_no_improvement_route():
    r = evaluate(C[1], TERMS, JAN, step("PV_BEDOMNING", completed_within_limit=Count(50, 100)), None, None)
    assert (r.change, r.tier, r.pays) == (None, 0, 0)
    assert rounded(__import__("fractions").Fraction(295, 100), 1) == Decimal("3.0")
