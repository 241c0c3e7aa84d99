"""The query adapter: the steps waiting at a month's end and those completed in the month, with the facts the
follow-up figures and the national export need, as plain rows (load_months; app.reports.tally counts them).

Waits come from the guarantee clock (app.guarantee.evaluate), evaluated on the month's last day with the events
known by then. Evaluating every step is too slow for 500 000 cases, so the clock columns cached on the step
(db.models.Step, written by app.steps from the clock) are used where they are exact for any past day:

    a step whose clock never excluded a day and never restarted (db.exports.CLOCK_UNINTERRUPTED: clock_start ==
    started_on == waiting_since, no open pause or PvV) ran without interruption from started_on to its stop, so
    on any day D before the stop the clock says waited = D - started_on, and at the stop the cached
    frozen_waited and met are final.

The other steps (MoV, SoV, PvV, restarts: a few per cent, found through the partial index
db.exports.STEP_CLOCK_INTERRUPTED) are evaluated by the clock from their events, but for those the cache is
exact for in a given month after all: `fresh` (nothing had interrupted them yet at its end; read like the exact
ones), `settled` (nothing turned after its end; counted by app.reports.tally) and `closed_in` (stopped in it
without being completed: in no figure). tests/reports holds the paths together step by step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import and_, case, null, or_, select
from sqlalchemy.orm import Session, aliased

from app.guarantee import ClockEvent, ClockResult, EventKind, PauseKind, RuleBook, State, evaluate
from app.reports.months import Month
from db.exports import CLOCK_UNINTERRUPTED
from db.models import Case, CaseEvent, Patient, Step


class Deviation(StrEnum):
    """SKR's kodAVVIKELSE, in the order of precedence when a step carries more than one."""

    PVV = "PvV"  # 1 patientvald väntan
    MOV = "MoV"  # 2 medicinskt orsakad väntan
    SOV = "SoV"  # 3 särskilt orsakad väntan


class Meta(NamedTuple):
    """What a step is and whose it is, pseudonymised: no name, no personnummer. (Named tuples: a report builds
    hundreds of thousands of these, and they are the cheapest plain rows Python has.)"""

    step_id: int
    case_id: int
    code: str
    mvo: str | None
    bup: bool
    activity: str | None
    unit: str | None
    home_region: str | None
    municipality: str | None
    sex: str | None          # M / K / None
    birth_year: int
    target_date: date | None
    first_start: date


class StepAt(NamedTuple):
    """A step on a month's last day: waiting then, or completed during the month."""

    meta: Meta
    waiting: bool
    active: bool              # the clock runs at month end: neither PvV nor MoV/SoV holds (completed: True)
    start: date               # the clock's current start (a restart after PvV is a new start)
    waited: int               # at the month's end while waiting; at the stop when completed
    stopped_on: date | None
    met: bool | None
    deviation: Deviation | None  # waiting: what holds at month end; completed: PvV ever, else MoV/SoV
    risk_from: date | None


class Tally(NamedTuple):
    """Steps alike in everything the follow-up figures count them by, and how many there are
    (app.reports.tally)."""

    waiting: bool             # waiting at the month's end; else completed during the month
    active: bool              # as StepAt.active
    pvv: bool                 # completed with PvV at some time: out of the guarantee measure (waiting: False)
    met: bool | None          # completed within the limit
    wait: int                 # days waited, or the least wait of its class: no figure's limit falls inside a class
    bup: bool = False
    mvo: str | None = None
    unit: str | None = None
    region: str | None = None  # the patient's home region
    sex: str | None = None
    age: str = ""              # the age band in the month's year
    n: int = 1
    capped: int = 0            # the n waits summed, each counted at most the report's cap (waiting only)


@dataclass
class MonthData:
    month: Month
    waiting: list[StepAt] = field(default_factory=list)
    completed: list[StepAt] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """Which steps a report covers; None means all."""

    region: str | None = None    # the patient's home region
    unit: str | None = None
    mvo: str | None = None
    step: str | None = None

    def conditions(self) -> list:
        """The scope as query conditions (on step, case_file and patient, which every query here joins)."""
        pairs = ((Patient.home_region_code, self.region), (Case.waiting_unit, self.unit),
                 (Case.specialty_code, self.mvo), (Step.code, self.step))
        return [column == value for column, value in pairs if value is not None]


# BUP is a step kind (DOMAIN §5): a BUP step filed under another MVO is still BUP.
BUP_STEPS = ("BUP_FORSTA", "BUP_UTREDNING", "BUP_BEHANDLING")
_META = (Step.id, Step.case_id, Step.code, Case.specialty_code, Step.code.in_(BUP_STEPS).label("bup"),
         Case.activity_code,
         Case.waiting_unit, Patient.home_region_code, Patient.municipality_code, Patient.sex, Patient.birth_year,
         Step.target_date, Step.started_on)
# The reports need neither activity nor municipality: NULL in their place keeps the rows narrow (and fast).
_META_NARROW = tuple(null().label(c.key) if c in (Case.activity_code, Patient.municipality_code) else c
                     for c in _META)
_WIDTH = len(_META)
# 1 where the cached clock columns are exact (see the module docstring), as a plain column of a row.
EXACT = case((CLOCK_UNINTERRUPTED, 1), else_=0)


def joined(*columns):
    """SELECT columns FROM step with its case and patient."""
    return select(*columns).join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)


def overlapping(months: Sequence[Month]):
    """Steps started by a month's end and not stopped before its first day, for any of the months."""
    return or_(*(and_(Step.started_on <= m.last, or_(Step.stopped_on.is_(None), Step.stopped_on >= m.first))
                 for m in months))


def exact_branches(month: Month) -> tuple:
    """The steps whose cached clock is exact that may be waiting at the month's end or completed in it, as two
    ranges of the index db.exports.STEP_CLOCK_EXACT: the open ones, and those stopped since the month's first
    day (but not stopped in the month without being completed). As one OR, the planner would read the whole
    step table."""
    started = Step.started_on <= month.last
    return (and_(CLOCK_UNINTERRUPTED, Step.stopped_on.is_(None), started),
            and_(CLOCK_UNINTERRUPTED, Step.stopped_on >= month.first, started,
                 or_(Step.stopped_on > month.last, Step.met.is_not(None))))


WAITING, COMPLETED = "waiting", "completed"


def cached_state(started_on: date, stopped_on: date | None, met: bool | None, first: date, last: date
                 ) -> str | None:
    """For a step whose cached clock is exact: WAITING at the end of the month from `first` to `last`,
    COMPLETED during it, or None."""
    if started_on > last or (stopped_on is not None and stopped_on < first):
        return None
    if stopped_on is None or stopped_on > last:
        return WAITING
    return COMPLETED if met is not None else None


def load_months(session: Session, months: Iterable[Month], rules: RuleBook, wide: bool = False,
                scope: Scope | None = None) -> dict[Month, MonthData]:
    """Waiting and completed steps for each month, one row per step and month. `wide` also loads each step's
    activity and the patient's municipality (the national export needs them; the figures do not)."""
    months = sorted(set(months))
    data = {m: MonthData(m) for m in months}
    conditions = scope.conditions() if scope else []
    # Core rather than ORM rows: a month at full scale is 100 000 steps and the ORM's per-row work would
    # dominate the time.
    columns = (*(_META if wide else _META_NARROW), Step.stopped_on, Step.met, Step.frozen_waited, Step.risk_from)
    for month in months:
        waiting, completed, first, last = data[month].waiting, data[month].completed, month.first, month.last
        for branch in exact_branches(month):
            for row in session.connection().execute(joined(*columns).where(branch, *conditions)).all():
                started_on = row[_WIDTH - 1]
                stopped_on, met, frozen, risk_from = row[_WIDTH:]
                state = cached_state(started_on, stopped_on, met, first, last)
                if state == WAITING:
                    waiting.append(StepAt(Meta(*row[:_WIDTH]), True, True, started_on, (last - started_on).days,
                                          None, None, None, risk_from))
                elif state == COMPLETED:
                    completed.append(StepAt(Meta(*row[:_WIDTH]), False, True, started_on, frozen, stopped_on, met,
                                            None, risk_from))
        for row in session.connection().execute(joined(*columns).where(fresh(month), *conditions)).all():
            started_on, code = row[_WIDTH - 1], row[2]
            waiting.append(StepAt(Meta(*row[:_WIDTH]), True, True, started_on, (last - started_on).days, None, None,
                                  None, _risk_from(rules, code, started_on)))
    for month, rows in interrupted(session, months, rules, wide, scope).items():
        for at in rows:
            (data[month].waiting if at.waiting else data[month].completed).append(at)
    return data


def _risk_from(rules: RuleBook, code: str, started_on: date) -> date | None:
    """The clock's risk date of a step that has run without interruption since it started."""
    days = rules.for_date(started_on).step(code).risk_waited_days
    return None if days is None else started_on + timedelta(days=days)


# The kinds that turn a clock between running and held, or begin a new period. START lies on started_on; a
# COMPLETED or CLOSED event after a day lies at the current period's stop, or in a period a RESTART ended later.
_TURNS = (EventKind.PAUSE_START, EventKind.PAUSE_END, EventKind.PVV, EventKind.RESTART)


def turned_after(day: date):
    """The steps with a pause, PvV or restart dated after `day` (from the (kind, on, step_id) index alone)."""
    return select(CaseEvent.step_id).where(CaseEvent.kind.in_(_TURNS), CaseEvent.on > day,
                                           CaseEvent.step_id.is_not(None))


def pvv_by(day: date):
    """The steps with a PvV dated on or before `day`."""
    return select(CaseEvent.step_id).where(CaseEvent.kind == EventKind.PVV, CaseEvent.on <= day)


def settled(month: Month) -> tuple:
    """The steps whose cached clock is not exact in general but is for this month, as two conditions:

    waiting at its end with no pause, PvV or restart after it. The clock on that day knew every event the cache
    was computed from but a later stop, and after its latest turn a clock only counts days: waited = last -
    waiting_since while it runs (all excluded days lie before), frozen_waited while it is held (paused or PvV:
    the hold began before and lasted, as no turn came after); held then is held now, or at the stop;

    completed during the month: the cache was computed at the stop or later, and a clock's wait and whether it
    was met are final at its stop. PvV at any time (out of the guarantee measure) shows as a restart, a PvV
    holding at the stop, or a PvV event by month end."""
    last = month.last
    waiting = and_(~CLOCK_UNINTERRUPTED, Step.started_on <= last,
                   or_(Step.stopped_on.is_(None), Step.stopped_on > last), Step.id.not_in(turned_after(last)))
    completed = and_(~CLOCK_UNINTERRUPTED, Step.stopped_on >= month.first, Step.stopped_on <= last,
                     Step.met.is_not(None))
    return waiting, completed


# Every kind that can end a clock's uninterrupted run from its start: a turn, or a stop.
_BREAKS = (*_TURNS, EventKind.COMPLETED, EventKind.CLOSED)


def fresh(month: Month):
    """The steps whose cached clock is not exact, waiting at the month's end, whose every pause, PvV, restart
    and stop is dated after it: on that day the clock knew the start alone, so it ran from started_on without
    interruption (waited = last - started_on, no deviation) like an exact step. Many steps are so in a recent
    month: paused or in PvV since, their cache no longer exact. Disjoint from `settled` (these turned after
    the month)."""
    last = month.last
    earlier = aliased(CaseEvent)
    broken = select(earlier.id).where(earlier.step_id == Step.id, earlier.kind.in_(_BREAKS), earlier.on <= last)
    return and_(~CLOCK_UNINTERRUPTED, Step.started_on <= last, or_(Step.stopped_on.is_(None), Step.stopped_on > last),
                Step.id.in_(turned_after(last)), ~broken.exists())


def closed_in(month: Month):
    """The steps stopped during the month without being completed (cancelled, closed): neither waiting at its
    end nor completed in it, as the clock would say too (the cache was computed at the stop or later)."""
    # stopped_on IS NOT NULL: so that NOT closed_in(...) is true, not NULL, for an open step.
    return and_(Step.stopped_on.is_not(None), Step.stopped_on >= month.first, Step.stopped_on <= month.last,
                Step.met.is_(None))


def interrupted(session: Session, months: Sequence[Month], rules: RuleBook, wide: bool = False,
                scope: Scope | None = None, but_settled: bool = False) -> dict[Month, list[StepAt]]:
    """The steps whose cached clock is not exact, evaluated by the clock on each month's last day: those
    waiting then or completed during the month, but the `fresh` ones (read like the exact ones). `but_settled`:
    not those `settled` for the month either (counted from the cache)."""
    months = sorted(set(months))
    out: dict[Month, list[StepAt]] = {m: [] for m in months}
    if not months:
        return out
    # Per month: does the clock have to be asked? Not for the fresh steps (read as the exact ones are) nor the
    # closed ones.
    asked = [and_(Step.started_on <= m.last, or_(Step.stopped_on.is_(None), Step.stopped_on >= m.first),
                  ~closed_in(m), ~fresh(m), *([~or_(*settled(m))] if but_settled else [])) for m in months]
    rows = session.connection().execute(
        joined(*(_META if wide else _META_NARROW), *(case((a, 1), else_=0) for a in asked))
        .where(~CLOCK_UNINTERRUPTED, or_(*asked), *(scope.conditions() if scope else []))).all()
    bounds = [(m.first, m.last, out[m]) for m in months]
    wanted = [(Meta(*row[:_WIDTH]), [b for b, ask in zip(bounds, row[_WIDTH:], strict=True) if ask]) for row in rows]
    events = _clock_events(session, [meta for meta, _ in wanted], months[-1].last)
    for meta, in_months in wanted:
        for first, last, month_rows in in_months:
            at = _evaluated(meta, events.get(meta.step_id, []), first, last, rules)
            if at is not None:
                month_rows.append(at)
    return out


def clock_rows(session: Session, step_ids: Iterable[int], month: Month, rules: RuleBook) -> dict[int, StepAt]:
    """These steps evaluated by the clock on the month's last day: those waiting then or completed in it."""
    ids = sorted(step_ids)
    metas = []
    for i in range(0, len(ids), 900):
        metas += [Meta(*row) for row in session.connection().execute(
            joined(*_META_NARROW).where(Step.id.in_(ids[i:i + 900]))).all()]
    events = _clock_events(session, metas, month.last)
    out = {}
    for meta in metas:
        at = _evaluated(meta, events.get(meta.step_id, []), month.first, month.last, rules)
        if at is not None:
            out[meta.step_id] = at
    return out


# The kinds that move a wait. Notices, contacts, offers and answers only raise or clear flags, which no figure
# and no export record reads; leaving them out halves the events to fetch and fold.
_WAIT_KINDS = {k.value: k for k in (EventKind.START, EventKind.PAUSE_START, EventKind.PAUSE_END, EventKind.PVV,
                                    EventKind.RESTART, EventKind.COMPLETED, EventKind.CLOSED)}
_FLAG_KINDS = [k.value for k in EventKind if k.value not in _WAIT_KINDS]
_PAUSE = {p.value: p for p in PauseKind}


def _clock_events(session: Session, metas: Sequence[Meta], until: date) -> dict[int, list[ClockEvent]]:
    """app.steps.clock_events for many steps: their events up to `until`, a chunk of ids per query (the step_id
    index), with dictionary lookups instead of enum calls."""
    target = {meta.step_id: meta.target_date for meta in metas}
    ids = list(target)
    by_step: dict[int, list[ClockEvent]] = defaultdict(list)
    for i in range(0, len(ids), 900):
        # No condition the (kind, on) index could serve: the planner might prefer it and read a large part of
        # the timeline.
        query = (
            select(CaseEvent.step_id, CaseEvent.kind, CaseEvent.on, CaseEvent.pause)
            .where(CaseEvent.step_id.in_(ids[i:i + 900]), CaseEvent.kind.not_in(_FLAG_KINDS))
            .order_by(CaseEvent.step_id, CaseEvent.on, CaseEvent.id)
        )
        for step_id, kind, on, pause in session.connection().execute(query).all():
            if kind in _WAIT_KINDS and on <= until:
                by_step[step_id].append(ClockEvent(_WAIT_KINDS[kind], on, pause=_PAUSE.get(pause),
                                                   target=target[step_id] if kind == EventKind.START else None))
    return by_step


def _evaluated(meta: Meta, events: list[ClockEvent], first: date, day: date, rules: RuleBook) -> StepAt | None:
    """The clock on `day`, the last of the month from `first`."""
    clock = evaluate(meta.code, events, day, rules)
    if clock.state is not State.CLOSED:
        active = clock.state not in (State.PAUSED, State.PVV)
        return StepAt(meta, True, active, clock.start, clock.waited, None, None, _holding(clock, events, day),
                      clock.risk_from)
    if clock.met is not None and first <= clock.stopped_on <= day:
        return StepAt(meta, False, True, clock.start, clock.waited, clock.stopped_on, clock.met,
                      _occurred(clock, events, day), clock.risk_from)
    return None


def _pause_kinds(clock: ClockResult, events: list[ClockEvent], day: date) -> list[PauseKind]:
    return [e.pause for e in events if e.kind is EventKind.PAUSE_START and clock.start <= e.on <= day and e.pause]


def _holding(clock: ClockResult, events: list[ClockEvent], day: date) -> Deviation | None:
    """A waiting step: the deviation in force at month end (DOMAIN §5). A MoV/SoV period that ended before
    then carries no code: the patient is actively waiting again, and SKR must count the wait."""
    if clock.pvv_since is not None:
        return Deviation.PVV
    kinds = _pause_kinds(clock, events, day)
    if clock.paused_since is not None and kinds:
        return Deviation(kinds[-1].value)
    return None


def _occurred(clock: ClockResult, events: list[ClockEvent], day: date) -> Deviation | None:
    """A completed step: PvV at any time takes it out of the guarantee measure; else MoV/SoV of the last wait."""
    if clock.restarts or clock.pvv_since is not None or any(e.kind is EventKind.PVV and e.on <= day
                                                            for e in events):
        return Deviation.PVV
    kinds = _pause_kinds(clock, events, day)
    if kinds:  # a MoV/SoV period during the step's (current) period, however short
        return Deviation.MOV if PauseKind.MOV in kinds else Deviation.SOV
    return None
