"""Benchmarks of issue 18 on the generated region (its register comes with the demo, app/demo_register.py):
the forecast for every unit × step kind (< 10 s at 100 000 open cases), its back-test at past month-ends against
the naive "as many as today", matching 5 000 at-risk steps against the register's capacity (< 5 s; the demo
register has 608 units), and the matching's effect against searching one patient at a time.

The forecast and the matching each write one access-log row (a list view) to the shared database; nothing else."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from app.context import sign_in
from app.database import open_database
from app.forecast.service import backtest, forecast, month_ends
from app.matching.service import AT_RISK, effect, propose
from app.worklist import open_step_ids
from db.register import CareUnit

MATCHED_STEPS = 5_000
BACKTEST_MONTHS = 6
EFFECT_WEEKS = 8


def _signed_in(bench):
    db = open_database(bench.db_path)
    ctx = sign_in(db, "bench.forecast", "Bench")
    ctx.today = lambda: bench.today
    return db, ctx


def forecast_all(bench) -> list[dict]:
    db, ctx = _signed_in(bench)
    try:
        forecast(ctx)  # warm: imports, the worklist's read model brought to the day
        started = time.perf_counter()
        result = forecast(ctx)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    return [{"name": "prognos, alla enheter × steg", "value": round(seconds, 2), "unit": "s"},
            {"name": "prognos, enheter × steg", "value": len(result.groups), "unit": "st"},
            {"name": "prognos, passerar troligen tidsgränsen inom 12 veckor",
             "value": sum(len(g.breaches) for g in result.groups), "unit": "patienter"}]


def forecast_backtest(bench) -> list[dict]:
    db = open_database(bench.db_path)
    try:
        ends = month_ends(bench.today, BACKTEST_MONTHS)
        started = time.perf_counter()
        with db.engine.connect() as conn:
            result = backtest(conn, ends)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    return [{"name": "backtest MAE väntat > 90 dagar om 8 veckor, prognos (per enhet)",
             "value": round(result.mae_forecast, 3), "unit": "patienter"},
            {"name": "backtest MAE väntat > 90 dagar om 8 veckor, naiv 'som i dag' (per enhet)",
             "value": round(result.mae_naive, 3), "unit": "patienter"},
            {"name": "backtest, enheter där prognosen slår den naiva",
             "value": result.units_better, "unit": f"av {result.units}"},
            {"name": f"backtest, {len(ends)} månadsskiften {ends[0].isoformat()}–{ends[-1].isoformat()}",
             "value": round(seconds, 2), "unit": "s"}]


def matching(bench) -> list[dict]:
    db, ctx = _signed_in(bench)
    try:
        with db.reading() as session:
            units = session.scalar(select(func.count()).select_from(CareUnit))
        ids = open_step_ids(ctx, AT_RISK, limit=MATCHED_STEPS)
        propose(ctx, step_ids=ids[:50])  # warm
        started = time.perf_counter()
        result = propose(ctx, step_ids=ids)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    return [{"name": f"matchning {len(ids)} steg i riskzonen mot {units} enheters kapacitet",
             "value": round(seconds, 2), "unit": "s"},
            {"name": "matchning, förslag", "value": len(result.proposals), "unit": "st"}]


def matching_effect(bench) -> list[dict]:
    """Issue 18, item 5: of the patients forecast to pass their deadline within 8 weeks, how many get a place
    before it from the registered capacity: list-wide against one at a time (most urgent first)."""
    db, ctx = _signed_in(bench)
    try:
        horizon = bench.today + timedelta(weeks=EFFECT_WEEKS)
        breaching = [b.step_id for g in forecast(ctx).groups for b in g.breaches if b.deadline <= horizon]
        result = effect(ctx, breaching)
    finally:
        db.close()
    return [{"name": "effekt: patienter som troligen passerar tidsgränsen inom 8 veckor",
             "value": result.patients, "unit": "patienter"},
            {"name": "effekt: får en tid före tidsgränsen, hela listan på en gång",
             "value": result.list_wide, "unit": "patienter"},
            {"name": "effekt: får en tid före tidsgränsen, en patient i taget",
             "value": result.one_at_a_time, "unit": "patienter"}]


BENCHMARKS = {"forecast_all": forecast_all, "forecast_backtest": forecast_backtest, "matching_5000": matching,
              "matching_effect": matching_effect}
