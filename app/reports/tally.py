"""The steps of the follow-up figures, counted (source.Tally) instead of listed: a month at full scale has
100 000 waiting, and the figures only count them by state, wait class and the breakdowns' groups.

The steps whose cached clock is exact (see app.reports.source) are counted by the database: one GROUP BY over
the step table for all the months asked for, with each month's state and wait class computed from the cached
columns in the query. The others are evaluated by the clock one by one (source.interrupted) and counted here.
tests/reports holds this count and the rows of source.load_months together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from app.guarantee import RuleBook
from app.reports.figures import AGE_BANDS, AGE_UNKNOWN, age_band, age_band_label, wait_class
from app.reports.months import Month
from app.reports.source import Deviation, Scope, StepAt, Tally, interrupted, joined, overlapping
from db.exports import CLOCK_UNINTERRUPTED
from db.models import Case, Patient, Specialty, Step
from db.sql import days_between

_WAITING, _LATE, _MET = 0, 1, 2  # a step's state in a month, as the query returns it (NULL: not counted)
_DIMS = (Case.specialty_code, Case.waiting_unit, Patient.home_region_code, Patient.sex)


@dataclass
class Counted:
    tallies: dict[Month, list[Tally]]
    interrupted: dict[Month, dict[int, StepAt]]  # the clock's rows of the steps counted one by one, by step id


def count_steps(session: Session, months: Iterable[Month], rules: RuleBook, scope: Scope, bounds: Sequence[int],
                cap_days: int | None = None) -> Counted:
    """The months' steps in `scope`, counted by state, wait class (`bounds`: figures.wait_bounds) and, when
    `cap_days` is given, by the breakdowns' groups too, with the capped waits summed for the mean."""
    months = sorted(set(months))
    detailed = cap_days is not None
    bup = dict(session.execute(select(Specialty.code, Specialty.bup)).all()) if detailed else {}
    counts: dict[Month, dict[tuple, list[int]]] = {m: {} for m in months}
    columns = [c for i, m in enumerate(months) for c in _state_and_class(i, m, bounds)]
    if detailed:
        columns += [_age_band(i, m) for i, m in enumerate(months)] + list(_DIMS)
    keys = len(columns)
    sums = [func.sum(_capped(m, cap_days)) for m in months] if detailed else []
    # Without groups or scope, the step table alone answers.
    query = (joined if detailed or scope.conditions() else select)(*columns, func.count(), *sums)
    query = query.where(CLOCK_UNINTERRUPTED, overlapping(months), *scope.conditions()).group_by(*columns)
    for row in session.connection().execute(query):
        n = row[keys]
        for i, month in enumerate(months):
            state = row[2 * i]
            if state is None:
                continue
            if detailed:
                mvo, unit, region, sex = row[keys - 4:keys]
                key = Tally(state == _WAITING, True, False, None if state == _WAITING else state == _MET,
                            row[2 * i + 1], bool(bup.get(mvo)), mvo, unit, region, sex, row[2 * len(months) + i])
                capped = row[keys + 1 + i] or 0
            else:
                key = Tally(state == _WAITING, True, False, None if state == _WAITING else state == _MET,
                            row[2 * i + 1])
                capped = 0
            _add(counts[month], key, n, capped)
    evaluated = interrupted(session, months, rules, scope=scope)
    for month, rows in evaluated.items():
        for at in rows:
            tally = tally_of(at, month, bounds, cap_days)
            _add(counts[month], tally, 1, tally.capped)
    return Counted({m: [Tally(*key, n, capped) for key, (n, capped) in c.items()] for m, c in counts.items()},
                   {m: {at.meta.step_id: at for at in rows} for m, rows in evaluated.items()})


def _add(counts: dict[tuple, list[int]], tally: Tally, n: int, capped: int) -> None:
    key = tally[:-2]  # all but n and capped
    total = counts.get(key)
    if total is None:
        counts[key] = [n, capped]
    else:
        total[0] += n
        total[1] += capped


def tally_of(at: StepAt, month: Month, bounds: Sequence[int], cap_days: int | None = None) -> Tally:
    """One step's row counted as one; with the breakdowns' groups when `cap_days` is given."""
    common = (at.waiting, at.active, at.deviation is Deviation.PVV, at.met, wait_class(bounds, at.waited))
    if cap_days is None:
        return Tally(*common)
    meta = at.meta
    return Tally(*common, bool(meta.bup), meta.mvo, meta.unit, meta.home_region, meta.sex,
                 age_band(meta.birth_year, month.last), 1, min(at.waited, cap_days) if at.waiting else 0)


def _state_and_class(i: int, month: Month, bounds: Sequence[int]) -> tuple:
    """The query's twin of source.cached_state and figures.wait_class, for a step whose cache is exact: waiting
    (at month end, waited = last - started_on) or completed late/in time (waited = frozen_waited), and the class
    of that wait. Dates are compared rather than subtracted: cheap, and the same in every SQL dialect."""
    last = month.last
    waiting = _waiting_at(month)
    completed = (Step.stopped_on >= month.first) & (Step.stopped_on <= last) & Step.met.is_not(None)
    state = case((waiting, _WAITING), (completed, case((Step.met.is_(True), _MET), else_=_LATE)))
    by_start = case(*((Step.started_on <= last - timedelta(days=b), b) for b in reversed(bounds[1:])), else_=0)
    by_stop = case(*((Step.frozen_waited >= b, b) for b in reversed(bounds[1:])), else_=0)
    return state.label(f"state_{i}"), case((waiting, by_start), (completed, by_stop)).label(f"class_{i}")


def _age_band(i: int, month: Month):
    """The query's twin of figures.age_band in the month's year (the bands follow each other from age 0)."""
    year = month.last.year
    whens = [(Patient.birth_year > year, AGE_UNKNOWN)]
    whens += [(Patient.birth_year >= year - high, age_band_label(low, high)) for low, high in AGE_BANDS if high]
    low, _ = AGE_BANDS[-1]
    return case(*whens, else_=age_band_label(low, None)).label(f"age_{i}")


def _capped(month: Month, cap_days: int):
    """A waiting step's wait at month end, at most cap_days; 0 for the others."""
    last = month.last
    wait = case((Step.started_on <= last - timedelta(days=cap_days), cap_days),
                else_=days_between(literal(last), Step.started_on))
    return case((_waiting_at(month), wait), else_=0)


def _waiting_at(month: Month):
    return (Step.started_on <= month.last) & (Step.stopped_on.is_(None) | (Step.stopped_on > month.last))
