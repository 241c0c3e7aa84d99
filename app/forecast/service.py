"""Forecast per unit × step kind from the database's own history (issue 18), and its back-test.

The list a forecast starts from and the flows it learns from are read as of a day `on`: today for the
forecast, a past month-end for the back-test, which then compares with what the database says happened.
In both, a step's days waited are counted from its current clock start (`clock_start`), as the worklist does."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Connection, and_, or_, select

from app.access import log_list_view
from app.context import AppContext
from app.forecast.simulate import (
    HISTORY_WEEKS,
    PRIORITY_CLASSES,
    WEEKS,
    Flows,
    priority_class,
    simulate,
)
from app.roles import Permission, require
from app.rulebook import step_names
from app.worklist import Filter
from db.models import Case, Patient, Step

BREACH_PROBABILITY = 0.5  # "will breach": more likely than not still waiting at the deadline
RISK_DAYS, OVER_DAYS = 60, 90


@dataclass(frozen=True)
class Breach:
    step_id: int
    case_id: int
    patient_name: str
    deadline: date
    probability: float      # of still waiting on the deadline
    passes_60: date
    passes_90: date


@dataclass(frozen=True)
class GroupForecast:
    unit: str
    step_code: str
    step_name: str
    waiting_now: int
    queue: list[tuple[float, float, float]]  # per week 0..12: 10 %, median, 90 %
    over_90_in_8_weeks: tuple[float, float, float]  # 10 %, median, 90 %
    breaches: list[Breach] = field(default_factory=list)

    def worklist_filter(self) -> Filter:
        return Filter(units=frozenset({self.unit}), steps=frozenset({self.step_code}))


@dataclass(frozen=True)
class RegionForecast:
    on: date
    groups: list[GroupForecast]
    region_queue: list[tuple[float, float, float]]
    seconds: float


def forecast(ctx: AppContext, seed: int = 0) -> RegionForecast:
    """Every unit × step kind with waiting patients; the will-breach lists name patients (a logged list view)."""
    require(ctx.role, Permission.CASE_WORK)
    started = time.perf_counter()
    today = ctx.today()
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, "prognos för väntelistorna")
        data = read(session.connection(), today, names=True)
    names = step_names(ctx.rules)
    groups, region = [], None
    for key, waiting in sorted(data.waiting.items()):
        unit, code = key
        waited = np.array([w.waited for w in waiting], dtype=float)
        outlook = simulate(waited, np.array([w.klass for w in waiting]), data.flows(key), seed=seed)
        paths = outlook.queue
        region = paths if region is None else region + paths  # run by run: the region's queue in each run
        bands = np.percentile(paths, [10, 50, 90], axis=0)
        breaches = []
        for i, w in enumerate(waiting):
            days = (w.deadline - today).days
            if 0 <= days <= 7 * WEEKS:
                p = float(outlook.waiting[i, min(WEEKS, days // 7 + 1)])
                if p >= BREACH_PROBABILITY:
                    breaches.append(Breach(w.step_id, w.case_id, w.name, w.deadline, p,
                                           w.clock_start + timedelta(days=RISK_DAYS),
                                           w.clock_start + timedelta(days=OVER_DAYS)))
        breaches.sort(key=lambda b: (b.deadline, -b.probability))
        over = outlook.over_days
        groups.append(GroupForecast(unit, code, names.get(code, code), len(waiting),
                                    [tuple(map(float, bands[:, w])) for w in range(WEEKS + 1)],
                                    tuple(map(float, np.percentile(over, [10, 50, 90]))), breaches))
    region_queue = [] if region is None else [
        tuple(map(float, np.percentile(region[:, w], [10, 50, 90]))) for w in range(WEEKS + 1)]
    return RegionForecast(today, groups, region_queue, time.perf_counter() - started)


# --- reading the history ---

@dataclass(frozen=True)
class Waiting:
    step_id: int
    case_id: int
    name: str
    waited: int
    klass: int
    deadline: date
    clock_start: date


@dataclass
class History:
    on: date
    waiting: dict[tuple[str, str], list[Waiting]]
    weekly: dict[tuple[str, str], np.ndarray]  # (3, HISTORY_WEEKS): inflow, completed, left
    classes: dict[tuple[str, str], np.ndarray]

    def flows(self, key: tuple[str, str]) -> Flows:
        weeks = self.weekly.get(key)
        if weeks is None:
            weeks = np.zeros((3, HISTORY_WEEKS))
        return Flows(weeks[0], weeks[1], weeks[2], self.classes.get(key, np.ones(len(PRIORITY_CLASSES))))


def read(conn: Connection, on: date, names: bool = False) -> History:
    """The list waiting on `on` (running clocks) and the last HISTORY_WEEKS weeks of flows before it."""
    since = on - timedelta(weeks=HISTORY_WEEKS)
    unit = Case.waiting_unit
    waiting: dict[tuple[str, str], list[Waiting]] = defaultdict(list)
    columns = [Step.id, Step.case_id, Step.code, unit, Case.medical_priority, Step.clock_start, Step.deadline]
    query = (select(*columns, Patient.name if names else Step.id).join(Case, Case.id == Step.case_id)
             .where(unit.is_not(None), Step.clock_start <= on, Step.pvv_since.is_(None),
                    or_(Step.stopped_on.is_(None), Step.stopped_on > on),
                    or_(Step.paused_since.is_(None), Step.paused_since > on)))
    if names:
        query = query.join(Patient, Patient.id == Case.patient_id)
    for step_id, case_id, code, where, priority, start, deadline, name in conn.execute(query):
        waiting[(where, code)].append(Waiting(step_id, case_id, name if names else "", (on - start).days,
                                              priority_class(priority), deadline, start))
    weekly: dict[tuple[str, str], np.ndarray] = {}
    classes: dict[tuple[str, str], np.ndarray] = {}
    flows = (select(Step.code, unit, Case.medical_priority, Step.started_on, Step.stopped_on, Step.met)
             .join(Case, Case.id == Step.case_id)
             .where(unit.is_not(None), or_(and_(Step.started_on >= since, Step.started_on < on),
                                           and_(Step.stopped_on >= since, Step.stopped_on < on))))
    for code, where, priority, started_on, stopped_on, met in conn.execute(flows):
        key = (where, code)
        counts = weekly.get(key)
        if counts is None:
            counts = weekly[key] = np.zeros((3, HISTORY_WEEKS))
            classes[key] = np.zeros(len(PRIORITY_CLASSES))
        if since <= started_on < on:
            counts[0, (started_on - since).days // 7] += 1
            classes[key][priority_class(priority)] += 1
        if stopped_on is not None and since <= stopped_on < on:
            counts[1 if met is not None else 2, (stopped_on - since).days // 7] += 1
    return History(on, waiting, weekly, classes)


# --- back-test ---

@dataclass(frozen=True)
class BacktestResult:
    month_ends: list[date]
    units: int
    mae_forecast: float        # mean over units of the mean absolute error of "waiting > 90 days in 8 weeks"
    mae_naive: float           # the same for "as many as today"
    units_better: int          # units where the forecast's error is below the naive one's
    per_unit: dict[str, tuple[float, float]]


def backtest(conn: Connection, month_ends: list[date], weeks: int = 8, seed: int = 0) -> BacktestResult:
    """Forecasts made at past month-ends against what happened `weeks` later, per unit (its step kinds summed)."""
    errors: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for on in month_ends:
        then = read(conn, on)
        actual = read(conn, on + timedelta(weeks=weeks)).waiting
        predicted: dict[str, float] = defaultdict(float)
        naive: dict[str, float] = defaultdict(float)
        real: dict[str, float] = defaultdict(float)
        for key, waiting in then.waiting.items():
            waited = np.array([w.waited for w in waiting], dtype=float)
            outlook = simulate(waited, np.array([w.klass for w in waiting]), then.flows(key), seed=seed,
                               over=OVER_DAYS, at_week=weeks)
            predicted[key[0]] += float(outlook.over_days.mean())
            naive[key[0]] += float((waited > OVER_DAYS).sum())
        for key, waiting in actual.items():
            real[key[0]] += sum(1 for w in waiting if w.waited > OVER_DAYS)
        for unit in set(predicted) | set(real):
            errors[unit].append((abs(predicted[unit] - real[unit]), abs(naive[unit] - real[unit])))
    per_unit = {u: (float(np.mean([e[0] for e in es])), float(np.mean([e[1] for e in es])))
                for u, es in errors.items()}
    return BacktestResult(
        month_ends, len(per_unit),
        float(np.mean([f for f, _ in per_unit.values()])) if per_unit else 0.0,
        float(np.mean([n for _, n in per_unit.values()])) if per_unit else 0.0,
        sum(1 for f, n in per_unit.values() if f < n), per_unit)


def month_ends(today: date, count: int, weeks_after: int = 8) -> list[date]:
    """The last `count` month-ends whose outcome `weeks_after` weeks later is already known."""
    out = []
    day = today.replace(day=1) - timedelta(days=1)
    while len(out) < count:
        if day + timedelta(weeks=weeks_after) <= today:
            out.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return sorted(out)
