"""The bulk loader (cached step columns where exact, the clock elsewhere) agrees with the clock, step by step."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app import cases
from app.guarantee import State
from app.reports.months import Month
from app.reports.source import Deviation, load_months
from tests.reports.build import at, complete, mov, open_step, pvv


def _random_history(ctx, rnd: random.Random) -> cases.Opened:
    start = date(2025, 1, 1) + timedelta(days=rnd.randrange(600))
    opened = open_step(ctx, start.isoformat(), rnd.choice(["SV_FORSTA_BESOK", "SV_BEHANDLING"]))
    day = start
    if rnd.random() < 0.3:
        begin = day + timedelta(days=rnd.randrange(1, 60))
        end = begin + timedelta(days=rnd.randrange(1, 60)) if rnd.random() < 0.7 else None
        mov(ctx, opened, begin.isoformat(), end and end.isoformat())
        day = end or begin
        if end is None:
            return opened
    if rnd.random() < 0.2:
        informed = day + timedelta(days=1)
        restart = informed + timedelta(days=rnd.randrange(5, 90)) if rnd.random() < 0.6 else None
        pvv(ctx, opened, informed.isoformat(), informed.isoformat(), (informed + timedelta(days=10)).isoformat(),
            (informed + timedelta(days=2)).isoformat(), restart=restart and restart.isoformat())
        day = restart or informed + timedelta(days=2)
        if restart is None:
            return opened
    if rnd.random() < 0.6:
        stop = day + timedelta(days=rnd.randrange(1, 200))
        if rnd.random() < 0.8:
            complete(ctx, opened, stop.isoformat())
        else:
            at(ctx, stop.isoformat())
            cases.close_case(ctx, opened.case_id, stop, "behov_upphort")
    return opened


def test_bulk_loader_matches_the_clock_on_every_month_end(ctx):
    rnd = random.Random(7)
    opened = [_random_history(ctx, rnd) for _ in range(60)]
    months = [Month(2025, 1).plus(i) for i in range(24)]
    with ctx.db.transaction() as session:
        data = load_months(session, months, ctx.rules)
    at(ctx, "2027-12-31")
    checked = 0
    for month in months:
        waiting = {r.meta.step_id: r for r in data[month].waiting}
        completed = {r.meta.step_id: r for r in data[month].completed}
        for o in opened:
            try:
                clock = cases.step_clock(ctx, o.step_id, month.last)
            except cases.InputError:  # not started by then
                assert o.step_id not in waiting and o.step_id not in completed
                continue
            if clock.state is not State.CLOSED:
                row = waiting[o.step_id]
                assert (row.waited, row.start, row.active) == (
                    clock.waited, clock.start, clock.state not in (State.PAUSED, State.PVV)), (month, o)
                assert (row.deviation is Deviation.PVV) == (clock.state is State.PVV)
                checked += 1
            else:
                assert o.step_id not in waiting
                if clock.met is not None and month.contains(clock.stopped_on):
                    row = completed[o.step_id]
                    assert (row.waited, row.met, row.stopped_on) == (clock.waited, clock.met, clock.stopped_on)
                    assert (row.deviation is Deviation.PVV) == bool(clock.restarts or clock.pvv_since)
                    checked += 1
                else:
                    assert o.step_id not in completed
    assert checked > 300
