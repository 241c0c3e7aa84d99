"""The forecast on a demo region in a real database (both backends): every unit and step kind with waiting
patients, will-breach lists that hold together with the clock, the worklist filter it opens, and a back-test
against the database's own history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import demo, worklist
from app.forecast.service import backtest, forecast, month_ends
from app.forecast.simulate import WEEKS
from app.guarantee import State
from db.models import AccessLog
from tests.conftest import TODAY


@pytest.fixture
def region(ctx):
    demo.generate(ctx.db, 150, 600, today=TODAY, workers=1)
    return ctx


def test_forecast_for_every_unit_and_step_kind(region):
    result = forecast(region)
    assert result.on == TODAY and result.groups
    running = worklist.count_by_state(region, worklist.Filter(
        states=frozenset({State.OK, State.RISK, State.AKUT, State.OVERDUE})))
    clinic_waiting = sum(g.waiting_now for g in result.groups)
    assert 0 < clinic_waiting <= sum(running.values())
    assert result.region_queue[0] == (clinic_waiting,) * 3
    for g in result.groups:
        assert len(g.queue) == WEEKS + 1 and g.queue[0] == (g.waiting_now,) * 3
        assert all(low <= mid <= high for low, mid, high in g.queue)
        low, mid, high = g.over_90_in_8_weeks
        assert 0 <= low <= mid <= high <= g.waiting_now
        for b in g.breaches:
            assert TODAY <= b.deadline <= TODAY + timedelta(weeks=WEEKS) and b.probability >= 0.5
            assert b.passes_60 < b.passes_90
    assert sum(len(g.breaches) for g in result.groups) > 0
    with region.db.transaction() as session:
        assert session.scalar(select(AccessLog.detail).where(AccessLog.detail == "prognos för väntelistorna"))


def test_the_will_breach_list_opens_its_worklist(region):
    group = max(forecast(region).groups, key=lambda g: len(g.breaches))
    shown = set(worklist.open_step_ids(region, group.worklist_filter()))
    assert {b.step_id for b in group.breaches} <= shown
    rows = worklist.rows_for(region, list(shown))
    assert {r.waiting_unit for r in rows} == {group.unit}


def test_backtest_reports_both_errors(region):
    ends = month_ends(TODAY, 4)
    assert len(ends) == 4 and all(e + timedelta(weeks=8) <= TODAY for e in ends)
    assert ends == sorted(ends) and all((e + timedelta(days=1)).day == 1 for e in ends)
    with region.db.engine.connect() as conn:
        result = backtest(conn, ends)
    assert result.units > 10 and result.mae_forecast >= 0 and result.mae_naive >= 0
    assert set(result.per_unit) and 0 <= result.units_better <= result.units
