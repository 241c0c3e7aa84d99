"""The query adapter: loads the steps waiting at a month's end and those completed in the month, with the
facts the follow-up figures and the national export need, as plain rows.

Waits come from the guarantee clock (app.guarantee.evaluate), evaluated on the month's last day with the events
known by then. Evaluating every step is too slow for 500 000 cases, so the clock columns cached on the step
(db.models.Step, written by app.steps from the clock) are used where they are exact for any past day:

    a step whose clock never excluded a day and never restarted (clock_start == started_on ==
    waiting_since, no open pause or PvV) ran without interruption from started_on to its stop, so on any day D
    before the stop the clock says waited = D - started_on, and at the stop the cached frozen_waited and met
    are final.

Every other step (MoV, SoV, PvV, restarts) is evaluated by the clock from its events. tests/reports holds the
two paths together step by step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import and_, case, null, or_, select
from sqlalchemy.orm import Session

from app.guarantee import Answer, ClockEvent, ClockResult, EventKind, PauseKind, RuleBook, State, evaluate
from app.reports.months import Month
from db.models import Case, CaseEvent, Patient, Specialty, Step


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


@dataclass(frozen=True, slots=True)
class Offer:
    meta: Meta
    on: date
    provider_region: str | None   # offer details "provider_region", when the register supplies it
    ownership: str | None         # offer details "ownership": "offentlig" / "privat"
    answer: str | None
    answered_on: date | None


@dataclass(frozen=True, slots=True)
class NoticeDue:
    """A step whose 14-day notice window (from its first start) closed in the month."""

    meta: Meta
    due: date
    given: bool


@dataclass
class MonthData:
    month: Month
    waiting: list[StepAt] = field(default_factory=list)
    completed: list[StepAt] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    notices: list[NoticeDue] = field(default_factory=list)


_META = (Step.id, Step.case_id, Step.code, Case.specialty_code, Specialty.bup, Case.activity_code,
         Case.waiting_unit, Patient.home_region_code, Patient.municipality_code, Patient.sex, Patient.birth_year,
         Step.target_date, Step.started_on)
# The reports need neither activity nor municipality: NULL in their place keeps the rows narrow (and fast).
_META_NARROW = tuple(null().label(c.key) if c in (Case.activity_code, Patient.municipality_code) else c
                     for c in _META)
# 'The cached columns are exact on any past day' (see the module docstring), decided in the query.
_CLEAN = case((and_(Step.clock_start == Step.started_on, Step.waiting_since == Step.clock_start,
                    Step.pvv_since.is_(None), Step.paused_since.is_(None)), 1), else_=0)
_CACHE = (_CLEAN, Step.frozen_waited, Step.stopped_on, Step.met, Step.risk_from)


def _joined(*columns):
    return (select(*columns).join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)
            .outerjoin(Specialty, Case.specialty_code == Specialty.code))


def _meta(row: Sequence) -> Meta:
    return Meta(*row[:len(_META)])


def _overlapping(months: Sequence[Month]):
    """Steps started by a month's end and not stopped before its first day, for any of the months."""
    return or_(*(and_(Step.started_on <= m.last, or_(Step.stopped_on.is_(None), Step.stopped_on >= m.first))
                 for m in months))


def load_months(session: Session, months: Iterable[Month], rules: RuleBook, wide: bool = False
                ) -> dict[Month, MonthData]:
    """Waiting and completed steps for each month (one query over the steps for all of them). `wide` also loads
    each step's activity and the patient's municipality (the national export needs them; the figures do not)."""
    months = sorted(set(months))
    data = {m: MonthData(m) for m in months}
    bounds = [(m.first, m.last, data[m]) for m in months]
    # Core rather than ORM rows: a month at full scale is 100 000 steps and the ORM's per-row work would
    # dominate the report's time.
    rows = session.connection().execute(
        _joined(*(_META if wide else _META_NARROW), *_CACHE).where(_overlapping(months))).all()
    unclean = []
    width = len(_META)
    for row in rows:
        started_on = row[width - 1]
        clean, frozen, stopped_on, met, risk_from = row[width:]
        if not clean:
            unclean.append(row)
            continue
        meta = None
        for first, last, month_data in bounds:
            if started_on > last or (stopped_on is not None and stopped_on < first):
                continue
            meta = meta or Meta(*row[:width])
            if stopped_on is None or stopped_on > last:
                month_data.waiting.append(StepAt(meta, True, True, started_on, (last - started_on).days, None,
                                                 None, None, risk_from))
            elif met is not None:
                month_data.completed.append(StepAt(meta, False, True, started_on, frozen, stopped_on, met, None,
                                                   risk_from))
    events = _clock_rows(session, [row[0] for row in unclean], max(months).last)
    for row in unclean:
        meta = Meta(*row[:width])
        stopped_on = row[width + 2]
        for first, last, month_data in bounds:
            if meta.first_start > last or (stopped_on is not None and stopped_on < first):
                continue
            at = _evaluated(meta, events.get(meta.step_id, []), last, month_data.month, rules)
            if at is not None:
                (month_data.waiting if at.waiting else month_data.completed).append(at)
    return data


def _clock_rows(session: Session, step_ids: Sequence[int], until: date) -> dict[int, list]:
    """The events of the steps the cache cannot answer for, a chunk of ids per query (the step_id index)."""
    by_step: dict[int, list] = defaultdict(list)
    for i in range(0, len(step_ids), 900):
        query = (
            select(CaseEvent.step_id, CaseEvent.kind, CaseEvent.on, CaseEvent.appointment, CaseEvent.answer,
                   CaseEvent.pause)
            .where(CaseEvent.step_id.in_(step_ids[i:i + 900]), CaseEvent.on <= until)
            .order_by(CaseEvent.step_id, CaseEvent.on, CaseEvent.id)
        )
        for row in session.connection().execute(query):
            by_step[row.step_id].append(row)
    return by_step


_KIND = {k.value: k for k in EventKind}
_ANSWER = {a.value: a for a in Answer}
_PAUSE = {p.value: p for p in PauseKind}


def _clock_events(meta: Meta, rows: list) -> list[ClockEvent]:
    """app.steps.clock_events, with dictionary lookups instead of enum calls: thousands of steps per report."""
    return [ClockEvent(_KIND[r.kind], r.on, r.appointment, _ANSWER.get(r.answer), _PAUSE.get(r.pause),
                       meta.target_date if r.kind == "start" else None) for r in rows if r.kind in _KIND]


def _evaluated(meta: Meta, events: list, day: date, month: Month, rules: RuleBook) -> StepAt | None:
    clock = evaluate(meta.code, _clock_events(meta, events), day, rules)
    if clock.state is not State.CLOSED:
        active = clock.state not in (State.PAUSED, State.PVV)
        return StepAt(meta, True, active, clock.start, clock.waited, None, None, _holding(clock, events, day),
                      clock.risk_from)
    if clock.met is not None and month.contains(clock.stopped_on):
        return StepAt(meta, False, True, clock.start, clock.waited, clock.stopped_on, clock.met,
                      _occurred(clock, events, day), clock.risk_from)
    return None


def _pause_kinds(clock: ClockResult, events: list, day: date) -> list[PauseKind]:
    return [PauseKind(e.pause) for e in events
            if e.kind == EventKind.PAUSE_START and clock.start <= e.on <= day and e.pause]


def _holding(clock: ClockResult, events: list, day: date) -> Deviation | None:
    """A waiting step: the deviation holding at month end, else MoV/SoV days excluded from the current wait."""
    if clock.pvv_since is not None:
        return Deviation.PVV
    kinds = _pause_kinds(clock, events, day)
    if clock.paused_since is not None and kinds:
        return Deviation(kinds[-1].value)
    if clock.excluded_days and kinds:
        return Deviation.MOV if PauseKind.MOV in kinds else Deviation.SOV
    return None


def _occurred(clock: ClockResult, events: list, day: date) -> Deviation | None:
    """A completed step: PvV at any time takes it out of the guarantee measure; else MoV/SoV of the last wait."""
    if clock.restarts or clock.pvv_since is not None or any(e.kind == EventKind.PVV for e in events):
        return Deviation.PVV
    kinds = _pause_kinds(clock, events, day)
    if clock.excluded_days and kinds:
        return Deviation.MOV if PauseKind.MOV in kinds else Deviation.SOV
    return None


def load_activity(session: Session, month: Month, rules: RuleBook, data: MonthData) -> None:
    """Offers, answers and 14-day notices of the month, added to `data` (after load_months filled it).

    One pass over the month's offer, answer and notice events; the steps' facts come from the month's rows
    where they are there, else from one query for the few others (steps closed during the month)."""
    notice_days = [s.notice_days for r in rules.rule_sets for s in r.steps.values() if s.notice_days is not None]
    window = date.fromordinal(month.first.toordinal() - max(notice_days, default=0))
    events = session.connection().execute(
        select(CaseEvent.id, CaseEvent.step_id, CaseEvent.kind, CaseEvent.on, CaseEvent.answer, CaseEvent.offer_id)
        .where(CaseEvent.on <= month.last,
               or_(CaseEvent.kind.in_([EventKind.OFFER, EventKind.ANSWER]),
                   and_(CaseEvent.kind == EventKind.NOTICE, CaseEvent.on >= window)))
    ).all()
    first, last = month.first, month.last
    answers = {e.offer_id: e for e in events if e.kind == EventKind.ANSWER}
    first_notice: dict[int, date] = {}
    for _, step_id, kind, on, _, _ in events:
        if on >= window and kind != EventKind.ANSWER and on < first_notice.get(step_id, date.max):
            first_notice[step_id] = on
    completed = {r.meta.step_id for r in data.completed}
    relevant = []
    for e in events:
        if e.kind != EventKind.OFFER:
            continue
        reply = answers.get(e.id)
        if (first <= e.on <= last or (reply is not None and first <= reply.on <= last)
                or (reply is not None and reply.answer == Answer.ACCEPTED and e.step_id in completed)):
            relevant.append((e, reply))
    metas = {r.meta.step_id: r.meta for r in (*data.waiting, *data.completed)}
    due: list[tuple[int, date, date]] = []
    for step_id, started_on, code in session.connection().execute(
            select(Step.id, Step.started_on, Step.code).where(Step.started_on >= window, Step.started_on <= last)):
        days = rules.for_date(started_on).step(code).notice_days
        if days is not None and first <= (until := date.fromordinal(started_on.toordinal() + days)) <= last:
            due.append((step_id, started_on, until))
    _add_metas(session, metas, ({e.step_id for e, _ in relevant} | {d[0] for d in due}) - metas.keys())
    details_of = _details(session, [e.id for e, _ in relevant])
    for e, reply in relevant:
        details = details_of.get(e.id) or {}
        data.offers.append(Offer(metas[e.step_id], e.on, details.get("provider_region"), details.get("ownership"),
                                 reply.answer if reply else None, reply.on if reply else None))
    for step_id, started_on, until in due:
        given_on = first_notice.get(step_id)
        data.notices.append(NoticeDue(metas[step_id], until, given_on is not None and started_on <= given_on <= until))


def _details(session: Session, event_ids: list[int]) -> dict[int, dict]:
    out = {}
    for i in range(0, len(event_ids), 900):
        out.update(session.connection().execute(
            select(CaseEvent.id, CaseEvent.details).where(CaseEvent.id.in_(event_ids[i:i + 900]))).all())
    return out


def _add_metas(session: Session, metas: dict[int, Meta], step_ids: set[int]) -> None:
    ids = sorted(step_ids)
    for i in range(0, len(ids), 900):
        for row in session.connection().execute(_joined(*_META).where(Step.id.in_(ids[i:i + 900]))):
            metas[row[0]] = _meta(row)
