"""The steps of the follow-up figures, counted (source.Tally) instead of listed: a month at full scale has
100 000 waiting, and the figures only count them by state, wait class and the breakdowns' groups.

The steps whose cached clock is exact for the month (see app.reports.source) are counted by the database: per
month, a GROUP BY over each of the two ranges of source.exact_branches (read from the index alone) and over the
source.fresh and source.settled steps, with the state and wait class computed from the cached columns in the
query. The others are evaluated by the clock one by one (source.interrupted) and counted here. tests/reports
holds this count and the rows of source.load_months together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, case, func, literal, select
from sqlalchemy.orm import Session

from app.guarantee import RuleBook
from app.reports.figures import AGE_BANDS, AGE_UNKNOWN, age_band, age_band_label, wait_class
from app.reports.months import Month
from app.reports.source import (
    BUP_STEPS,
    Deviation,
    Scope,
    StepAt,
    Tally,
    exact_branches,
    fresh,
    interrupted,
    pvv_by,
    settled,
)
from db.models import Case, Patient, Step
from db.sql import days_between

_WAITING, _LATE, _MET = 0, 1, 2  # a step's state in the month, as the query returns it


@dataclass
class Counted:
    tallies: dict[Month, list[Tally]]
    interrupted: dict[Month, dict[int, StepAt]]  # the clock's rows of the steps counted one by one, by step id


def count_steps(session: Session, months: Iterable[Month], rules: RuleBook, scope: Scope, bounds: Sequence[int],
                cap_days: int | None = None, groups: bool = False) -> Counted:
    """The months' steps in `scope`, counted by state and wait class (`bounds`: figures.wait_bounds); when
    `cap_days` is given, also by BUP or not, with the waits (at most cap_days each) summed for the mean; with
    `groups` too, also by the breakdowns' groups."""
    months = sorted(set(months))
    exact = {m: count_exact(session.connection(), m, scope, bounds, cap_days, groups) for m in months}
    evaluated = interrupted(session, months, rules, scope=scope, but_settled=True)
    return Counted({m: with_evaluated(exact[m], evaluated[m], m, bounds, cap_days, groups) for m in months},
                   {m: {at.meta.step_id: at for at in rows} for m, rows in evaluated.items()})


def count_exact(connection: Connection, month: Month, scope: Scope, bounds: Sequence[int],
                cap_days: int | None = None, groups: bool = False) -> dict[tuple, list[int]]:
    """count_steps for the steps whose cached clock is exact for the month (source.exact_branches and
    source.settled), in the database: {Tally but n and capped: [n, capped]}. Reads on `connection` only, so
    that it can run beside the session's own work (db.exports.reader_beside)."""
    counts: dict[tuple, list[int]] = {}
    opened, stopped = exact_branches(month)
    waiting, completed = settled(month)
    for kind, branch in ((_OPEN, opened), (_OPEN, fresh(month)), (_STOPPED, stopped), (_SETTLED, waiting),
                         (_DONE, completed)):
        query = _count_query(kind, month, branch, scope, bounds, cap_days, groups)
        for state, active, pvv, wait, *keys, n, capped in connection.execute(query).all():
            common = (state == _WAITING, bool(active), bool(pvv), None if state == _WAITING else state == _MET,
                      wait)
            if groups:
                mvo, age, unit, region, sex, bup = keys
                key = (*common, bool(bup), mvo, unit, region, sex, age)
            else:
                key = (*common, bool(keys and keys[0]), *_UNGROUPED)
            _add(counts, key, n, capped or 0)
    return counts


def with_evaluated(counts: dict[tuple, list[int]], rows: Iterable[StepAt], month: Month, bounds: Sequence[int],
                   cap_days: int | None = None, groups: bool = False) -> list[Tally]:
    """The tallies of count_exact's counts and the clock's rows of the other steps."""
    for at in rows:
        tally = tally_of(at, month, bounds, cap_days, groups)
        _add(counts, tally[:-2], 1, tally.capped)
    return [Tally(*key, n, capped) for key, (n, capped) in counts.items()]


_UNGROUPED = Tally(False, False, False, None, 0)[6:11]  # mvo, unit, region, sex, age when not counted by them


def _add(counts: dict[tuple, list[int]], key: tuple, n: int, capped: int) -> None:
    """Add n steps (their capped waits summing to `capped`) to those counted under `key` (a Tally but n, capped)."""
    total = counts.get(key)
    if total is None:
        counts[key] = [n, capped]
    else:
        total[0] += n
        total[1] += capped


def tally_of(at: StepAt, month: Month, bounds: Sequence[int], cap_days: int | None = None,
             groups: bool = False) -> Tally:
    """One step's row counted as one, by what count_steps counts by."""
    pvv = not at.waiting and at.deviation is Deviation.PVV
    common = (at.waiting, at.active, pvv, at.met, wait_class(bounds, at.waited))
    if cap_days is None:
        return Tally(*common)
    meta = at.meta
    capped = min(at.waited, cap_days) if at.waiting else 0
    if not groups:
        return Tally(*common, bool(meta.bup), *_UNGROUPED, 1, capped)
    return Tally(*common, bool(meta.bup), meta.mvo, meta.unit, meta.home_region, meta.sex,
                 age_band(meta.birth_year, month.last), 1, capped)


_OPEN, _STOPPED, _SETTLED, _DONE = "open", "stopped", "settled", "done"  # exact_branches (and fresh), settled


def _count_query(kind: str, month: Month, branch, scope: Scope, bounds: Sequence[int], cap_days: int | None,
                 groups: bool):
    """The query's twin of source.cached_state and figures.wait_class for the steps of `branch`: state, active,
    PvV, wait class, [BUP | MVO, age band, unit, region, sex], count, sum of capped waits (or 0). Open steps
    wait at month end with waited = last - started_on; stopped ones either that or completed (late or in time)
    with waited = frozen_waited; settled waiting ones with waited = last - waiting_since while running, else
    frozen_waited (held: not actively waiting); settled completed ones as stopped ones, PvV or not. Dates are
    compared rather than subtracted: cheap, and the same in every SQL dialect."""
    last = month.last

    def since(column):  # the wait class and the capped wait of a wait counted from `column`
        return (case(*((column <= last - timedelta(days=b), b) for b in reversed(bounds[1:])), else_=0),
                case((column <= last - timedelta(days=cap_days), cap_days), else_=days_between(literal(last), column))
                if cap_days is not None else None)

    frozen = (case(*((Step.frozen_waited >= b, b) for b in reversed(bounds[1:])), else_=0),
              case((Step.frozen_waited >= cap_days, cap_days), else_=Step.frozen_waited)
              if cap_days is not None else None)
    state, active, pvv, grouped = literal(_WAITING), literal(1), literal(0), []  # constants: not grouped by
    if kind == _OPEN:
        wait, capped = since(Step.started_on)
    elif kind == _STOPPED:
        waiting = Step.stopped_on > last  # else completed in the month
        (by_start, capped_start), (by_stop, _) = since(Step.started_on), frozen
        state = case((waiting, _WAITING), (Step.met.is_(True), _MET), else_=_LATE)
        wait = case((waiting, by_start), else_=by_stop)
        capped = case((waiting, capped_start), else_=0) if cap_days is not None else None
        grouped.append(state)
    elif kind == _DONE:
        state = case((Step.met.is_(True), _MET), else_=_LATE)
        pvv = case(((Step.clock_start != Step.started_on) | Step.pvv_since.is_not(None)
                    | Step.id.in_(pvv_by(last)), 1), else_=0)
        wait, capped = frozen[0], None
        grouped += [state, pvv]
    else:
        held = Step.paused_since.is_not(None) | Step.pvv_since.is_not(None)
        (by_since, capped_since), (by_frozen, capped_frozen) = since(Step.waiting_since), frozen
        active = case((held, 0), else_=1)
        wait = case((held, by_frozen), else_=by_since)
        capped = case((held, capped_frozen), else_=capped_since) if cap_days is not None else None
        grouped.append(active)
    keys = [wait]
    bup = case((Step.code.in_(BUP_STEPS), 1), else_=0)  # BUP is a step kind, not an MVO code
    if groups:
        keys += [Case.specialty_code, _age_band(month), Case.waiting_unit, Patient.home_region_code, Patient.sex,
                 bup]
    elif cap_days is not None:
        keys.append(bup)
    total = func.sum(capped) if capped is not None else literal(0)
    query = select(state, active, pvv, *keys, func.count(), total).select_from(Step).where(branch, *scope.conditions())
    if groups or scope.conditions():
        query = query.join(Case, Step.case_id == Case.id)
    if groups or scope.region:
        query = query.join(Patient, Case.patient_id == Patient.id)
    return query.group_by(*keys, *grouped)


def _age_band(month: Month):
    """The query's twin of figures.age_band in the month's year (the bands follow each other from age 0)."""
    year = month.last.year
    whens = [(Patient.birth_year > year, AGE_UNKNOWN)]
    whens += [(Patient.birth_year >= year - high, age_band_label(low, high)) for low, high in AGE_BANDS if high]
    low, _ = AGE_BANDS[-1]
    return case(*whens, else_=age_band_label(low, None))
