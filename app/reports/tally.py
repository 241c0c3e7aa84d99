"""The steps of the follow-up figures, counted (source.Tally) instead of listed: a month at full scale has
100 000 waiting, and the figures only count them by state, wait class and the breakdowns' groups.

The steps whose cached clock is exact (see app.reports.source) are counted by the database: per month, a GROUP BY
over each of the two ranges of source.exact_branches (read from the index alone), with the state and wait class
computed from the cached columns in the query. The others are evaluated by the clock one by one
(source.interrupted) and counted here. tests/reports holds this count and the rows of source.load_months
together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from app.guarantee import RuleBook
from app.reports.figures import AGE_BANDS, AGE_UNKNOWN, age_band, age_band_label, wait_class
from app.reports.months import Month
from app.reports.source import Deviation, Scope, StepAt, Tally, exact_branches, interrupted
from db.models import Case, Patient, Specialty, Step
from db.sql import days_between

_WAITING, _LATE, _MET = 0, 1, 2  # a step's state in the month, as the query returns it


@dataclass
class Counted:
    tallies: dict[Month, list[Tally]]
    interrupted: dict[Month, dict[int, StepAt]]  # the clock's rows of the steps counted one by one, by step id


def count_steps(session: Session, months: Iterable[Month], rules: RuleBook, scope: Scope, bounds: Sequence[int],
                cap_days: int | None = None, groups: bool = False) -> Counted:
    """The months' steps in `scope`, counted by state and wait class (`bounds`: figures.wait_bounds); when
    `cap_days` is given, also by MVO (for the BUP figures), with the waits (at most cap_days each) summed for
    the mean; with `groups`, also by the breakdowns' groups."""
    months = sorted(set(months))
    bup = dict(session.execute(select(Specialty.code, Specialty.bup)).all()) if cap_days is not None else {}
    counts: dict[Month, dict[tuple, list[int]]] = {m: {} for m in months}
    for month in months:
        for branch in exact_branches(month):
            query = _count_query(month, branch, scope, bounds, cap_days, groups)
            for state, wait, *keys, n, capped in session.connection().execute(query).all():
                tally = Tally(state == _WAITING, True, False, None if state == _WAITING else state == _MET, wait)
                if keys:
                    mvo, *others = keys
                    tally = tally._replace(bup=bool(bup.get(mvo)), mvo=mvo)
                    if others:
                        age, unit, region, sex = others
                        tally = tally._replace(unit=unit, region=region, sex=sex, age=age)
                _add(counts[month], tally, n, capped or 0)
    evaluated = interrupted(session, months, rules, scope=scope)
    for month, rows in evaluated.items():
        for at in rows:
            tally = tally_of(at, month, bounds, cap_days, groups)
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


def tally_of(at: StepAt, month: Month, bounds: Sequence[int], cap_days: int | None = None,
             groups: bool = False) -> Tally:
    """One step's row counted as one, by what count_steps counts by."""
    tally = Tally(at.waiting, at.active, at.deviation is Deviation.PVV, at.met, wait_class(bounds, at.waited))
    if cap_days is None:
        return tally
    meta = at.meta
    tally = tally._replace(bup=bool(meta.bup), mvo=meta.mvo, capped=min(at.waited, cap_days) if at.waiting else 0)
    if groups:
        tally = tally._replace(unit=meta.unit, region=meta.home_region, sex=meta.sex,
                               age=age_band(meta.birth_year, month.last))
    return tally


def _count_query(month: Month, branch, scope: Scope, bounds: Sequence[int], cap_days: int | None, groups: bool):
    """The query's twin of source.cached_state and figures.wait_class for one of source.exact_branches: state
    (waiting at month end with waited = last - started_on, or completed late/in time with waited =
    frozen_waited), wait class, [MVO, [age band, unit, region, sex]], count, sum of capped waits (or 0). Dates
    are compared rather than subtracted: cheap, and the same in every SQL dialect."""
    last = month.last
    waiting = or_(Step.stopped_on.is_(None), Step.stopped_on > last)  # else completed, in the branch
    state = case((waiting, _WAITING), (Step.met.is_(True), _MET), else_=_LATE)
    by_start = case(*((Step.started_on <= last - timedelta(days=b), b) for b in reversed(bounds[1:])), else_=0)
    by_stop = case(*((Step.frozen_waited >= b, b) for b in reversed(bounds[1:])), else_=0)
    keys = [state, case((waiting, by_start), else_=by_stop)]
    capped = literal(0)
    if cap_days is not None:
        keys.append(Case.specialty_code)
        if groups:
            keys += [_age_band(month), Case.waiting_unit, Patient.home_region_code, Patient.sex]
        wait = case((Step.started_on <= last - timedelta(days=cap_days), cap_days),
                    else_=days_between(literal(last), Step.started_on))
        capped = func.sum(case((waiting, wait), else_=0))
    query = select(*keys, func.count(), capped).select_from(Step).where(branch, *scope.conditions())
    if cap_days is not None or scope.conditions():
        query = query.join(Case, Step.case_id == Case.id)
    if groups or scope.region:
        query = query.join(Patient, Case.patient_id == Patient.id)
    return query.group_by(*keys)


def _age_band(month: Month):
    """The query's twin of figures.age_band in the month's year (the bands follow each other from age 0)."""
    year = month.last.year
    whens = [(Patient.birth_year > year, AGE_UNKNOWN)]
    whens += [(Patient.birth_year >= year - high, age_band_label(low, high)) for low, high in AGE_BANDS if high]
    low, _ = AGE_BANDS[-1]
    return case(*whens, else_=age_band_label(low, None))
