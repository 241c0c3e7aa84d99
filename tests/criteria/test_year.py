"""The criteria for a year from timelines built through the case services, on both backends.

Primary-care assessments (criterion 1): January 2023 7 of 25 within 3 days (28 %) against January 2022 1 of 4
(25 %): +3.0 p.e. → 75 %. February 2023 9 of 17 (52.9 %) against February 2022 1 of 2 (50 %): +2.9 p.e. →
50 %. The region's share of the pot 10 %: 2 500 mnkr / 11 × 18 % × 10 % = 4 090 909.09 kr a month for it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.criteria.service import REGION_SHARE, criteria_year
from app.errors import InputError
from app.reports.months import Month
from app.settings import set_setting
from tests.export.conftest import configure
from tests.reports.build import at, complete, open_step


def assessments(ctx, month: Month, in_time: int, total: int) -> None:
    for i in range(total):
        start = month.first + timedelta(days=i % 20)
        opened = open_step(ctx, start.isoformat(), "PV_BEDOMNING", specialty="011")
        complete(ctx, opened, (start + timedelta(days=3 if i < in_time else 5)).isoformat())


@pytest.fixture
def year(ctx):
    configure(ctx)
    set_setting(ctx.db, REGION_SHARE, "10")
    assessments(ctx, Month(2022, 1), 1, 4)
    assessments(ctx, Month(2022, 2), 1, 2)
    assessments(ctx, Month(2023, 1), 7, 25)
    assessments(ctx, Month(2023, 2), 9, 17)
    at(ctx, "2023-03-10")
    return ctx


def test_tiers_and_money_from_timelines(year):
    result = criteria_year(year, 2023)
    assert result.months == [Month(2023, 1), Month(2023, 2)]  # up to the last whole month
    jan, feb = (next(r for r in result.results[m] if r.criterion.number == 1) for m in result.months)
    assert (jan.value, jan.last_year, jan.change, jan.pays) == (28, 25, Decimal("3.0"), 75)
    assert (feb.change, feb.pays) == (Decimal("2.9"), 50)
    assert jan.money_kr == Decimal(3068182) and feb.money_kr == Decimal(2045455)
    # The other criteria have nothing to measure: no value, nothing paid.
    assert all(r.value is None and r.pays == 0 for m in result.months for r in result.results[m]
               if r.criterion.number != 1)
    assert result.year_total == Decimal(5113637)
    assert result.coverage.startswith("Omfattning: ärendena i Lotsen")


def test_a_bad_region_share_is_named(year):
    set_setting(year.db, REGION_SHARE, "tio")
    with pytest.raises(InputError, match="Regionens andel"):
        criteria_year(year, 2023)


def test_a_year_without_criteria_is_named(year):
    with pytest.raises(InputError, match="inga prestationskrav för 2017"):
        criteria_year(year, 2017)


def test_only_an_administrator_sets_the_share(year):
    from dataclasses import replace

    from app.criteria.service import region_share, set_region_share
    from app.errors import PermissionDenied
    from app.roles import Role

    with pytest.raises(PermissionDenied, match="får inte ändra inställningar"):
        set_region_share(replace(year, role=Role.VARDLOTS), "20")
    assert str(region_share(year)) == "10"
    assert str(set_region_share(year, " 13,4 ")) == "13.4"
