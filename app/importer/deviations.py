"""The clinic's Avvikelse on the step's clock (DOMAIN.md §2.2, §8): the list is the clinic's own record, so its
code 2 (MoV) and 3 (SoV, BUP) become an excluded period [från, till) and its code 1 a patientvald väntan from
"från" (and a new start on "till", when the patient asked for care again), as the same events a case worker
records (app.cases), each marked with the list it came from (details["list"]: source and the list's date).

The list says what holds now; the step's events from earlier lists say what was recorded. Only the difference is
written, so the same list again adds nothing:
- the period the list gives is the step's latest one from a list when it is of the same kind and either starts on
  the same day or is still open (or overlaps it): a changed start or end is a correction (app.corrections' history
  row, reason naming the list); an end the list no longer gives is taken back (app.withdraw's "återtagen", with
  the list as the reason); an end the list now gives is added;
- otherwise it is a new period; one still open from an earlier list ends where the new one begins.
- A date still to come is recorded when it has come, by the next list that still holds it: until then the period
  is open (the clock stops), which is what the clinic's record says of those days.
- A period a case worker took back (app.withdraw) stays taken back while the lists still hold it.
- A row without Avvikelse ends nothing: the period stays as recorded until a list gives its end ("till"), or a case
  worker ends it in the case. A clinic's list that drops the code does not say when the wait ended.
The resulting timeline passes the checks every new event passes (app.guarantee.check_new_event); PvV's three
conditions are not asked for: the clinic's record of a patient-chosen wait is the clinic's own (DOMAIN.md §8)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.context import AppContext
from app.errors import InputError
from app.guarantee import ClockEvent, EventKind, PauseKind, check_new_event, evaluate
from app.guarantee.rules import RuleBook
from app.importer.bulk import insert_rows
from app.steps import cache_columns, clock_events
from app.withdraw import WITHDRAWN
from db.audit import EventCorrection
from db.models import CaseEvent, Step

LIST = "list"  # CaseEvent.details key of an event the clinic's list recorded: {"source", "list_on"}
PVV = "pvv"
_KIND = {1: PVV, 2: PauseKind.MOV.value, 3: PauseKind.SOV.value}
_ENDS = {EventKind.PAUSE_END.value: EventKind.PAUSE_START.value, EventKind.RESTART.value: EventKind.PVV.value}


@dataclass(frozen=True, slots=True)
class Event:
    """The parts of a timeline row (db.models.CaseEvent) the planning reads; id 0: not yet written."""

    id: int
    kind: str
    on: date
    pause: str | None = None
    details: dict = field(default_factory=dict)
    appointment: date | None = None
    answer: str | None = None


@dataclass(frozen=True, slots=True)
class Add:
    kind: EventKind
    pause: PauseKind | None
    on: date
    column: str  # the list's column the date comes from, for a refusal


@dataclass(frozen=True, slots=True)
class Correct:
    event_id: int
    old_on: date
    new_on: date
    column: str


@dataclass(frozen=True, slots=True)
class TakeBack:
    event_id: int
    kind: str
    details: dict


Action = Add | Correct | TakeBack


def list_mark(source: str, list_on: date) -> dict:
    return {LIST: {"source": source, "list_on": list_on.isoformat()}}


def from_list(details: dict | None) -> dict | None:
    """The list an event came from ({"source", "list_on"}), or None for the case worker's own."""
    return (details or {}).get(LIST)


def _start(kind: str) -> tuple[EventKind, PauseKind | None]:
    return (EventKind.PVV, None) if kind == PVV else (EventKind.PAUSE_START, PauseKind(kind))


def _end(kind: str) -> tuple[EventKind, PauseKind | None]:
    return (EventKind.RESTART, None) if kind == PVV else (EventKind.PAUSE_END, PauseKind(kind))


def _kind_of(event: Event) -> str:
    return PVV if event.kind in (EventKind.PVV, EventKind.RESTART) else event.pause or ""


@dataclass
class _Period:
    kind: str
    start: Event
    end: Event | None = None


def _latest_period(events: Sequence[Event]) -> _Period | None:
    """The step's latest period recorded from a list."""
    period = None
    for e in sorted((e for e in events if from_list(e.details)), key=lambda e: (e.on, e.id)):
        if e.kind in (EventKind.PVV, EventKind.PAUSE_START):
            period = _Period(_kind_of(e), e)
        elif e.kind in _ENDS and period is not None and _kind_of(e) == period.kind and period.end is None:
            period.end = e
    return period


def _taken_back_start(event: Event, kind: str, on: date) -> bool:
    """The start of this period from a list, taken back by a case worker."""
    was = (event.details or {}).get("withdrawn") if event.kind == WITHDRAWN else None
    return bool(was) and from_list(event.details) is not None and event.on == on and (
        was.get("kind") == EventKind.PVV if kind == PVV else
        was.get("kind") == EventKind.PAUSE_START and event.pause == kind)


def plan(record: dict, events: Sequence[Event], today: date) -> list[Action]:
    """What to write so that the step's events hold the list's Avvikelse as of `today` (nothing: they do)."""
    kind = _KIND.get(record.get("deviation") or 0)
    begins, ends = record.get("deviation_from"), record.get("deviation_to")
    if kind is None or begins is None or begins > today:
        return []
    ends = ends if ends is not None and ends <= today else None
    if any(_taken_back_start(e, kind, begins) for e in events):
        return []  # a case worker took this period back (app.withdraw): a list that still holds it does not undo that
    current = _latest_period(events)
    actions: list[Action] = []
    same = current is not None and current.kind == kind and (
        current.start.on == begins or current.end is None or begins < current.end.on)
    if same:
        if current.start.on != begins:
            actions.append(Correct(current.start.id, current.start.on, begins, "deviation_from"))
        if current.end is None and ends is not None:
            actions.append(Add(*_end(kind), ends, "deviation_to"))
        elif current.end is not None and ends is None:
            actions.append(TakeBack(current.end.id, current.end.kind, current.end.details))
        elif current.end is not None and current.end.on != ends:
            actions.append(Correct(current.end.id, current.end.on, ends, "deviation_to"))
        return actions
    if current is not None and current.end is None:  # another kind, or a new period: the open one ends here
        actions.append(Add(*_end(current.kind), begins, "deviation_from"))
    actions.append(Add(*_start(kind), begins, "deviation_from"))
    if ends is not None:
        actions.append(Add(*_end(kind), ends, "deviation_to"))
    return actions


def applied(events: Sequence[Event], actions: Sequence[Action]) -> list[Event]:
    """The step's events as they will be once the actions are written (new ones with id 0)."""
    moved = {a.event_id: a.new_on for a in actions if isinstance(a, Correct)}
    gone = {a.event_id for a in actions if isinstance(a, TakeBack)}
    result = [replace(e, on=moved[e.id]) if e.id in moved else e for e in events if e.id not in gone]
    result += [Event(0, a.kind.value, a.on, a.pause.value if a.pause else None)
               for a in actions if isinstance(a, Add)]
    return result


def check(code: str, events: Sequence[Event], actions: Sequence[Action], target: date | None, today: date,
          rules: RuleBook) -> list[ClockEvent]:
    """The clock's events once the actions are written, each checked as a new event is (in order); a refusal
    is an InputError naming the list's column (`field`: "deviation_from" or "deviation_to")."""
    after = sorted(applied(events, actions), key=lambda e: (e.kind != EventKind.START, e.on, e.id or 1 << 62))
    clock = clock_events(after, target)
    columns = {(a.kind, a.on): a.column for a in actions if isinstance(a, Add)}
    columns.update({(None, a.new_on): a.column for a in actions if isinstance(a, Correct)})
    for i, event in enumerate(clock):
        try:
            check_new_event(code, clock[:i], event, today, rules)
        except InputError as exc:
            column = columns.get((event.kind, event.on)) or columns.get((None, event.on)) or "deviation_from"
            raise InputError(column, f"avvikelsen går inte att föra in på klockan: {exc.message}") from None
    return clock


# --- within the import's transaction ---

@dataclass(frozen=True, slots=True)
class StepPlan:
    """The actions for one step and its clock's cache columns once they are written."""

    step_id: int
    case_id: int
    actions: list[Action]
    clock: dict  # app.steps.cache_columns


def new_step_plan(code: str, started_on: date, target: date | None, record: dict | None, today: date,
                  rules: RuleBook) -> tuple[list[Action], dict | None]:
    """A new step's actions and clock (None: no change to the clock it starts with); InputError names the column."""
    if not record or not record.get("deviation"):
        return [], None
    events = [Event(0, EventKind.START.value, started_on)]
    actions = plan(record, events, today)
    if not actions:
        return [], None
    return actions, cache_columns(evaluate(code, check(code, events, actions, target, today, rules), today, rules))


def step_events(session: Session, step_ids: Iterable[int]) -> dict[int, tuple[str, date | None, list[Event]]]:
    """step id -> (code, medical target date, its events), for the steps whose list carries an Avvikelse."""
    found: dict[int, tuple[str, date | None, list[Event]]] = {}
    ids = sorted(set(step_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for step_id, code, target in session.execute(select(Step.id, Step.code, Step.target_date)
                                                     .where(Step.id.in_(chunk))):
            found[step_id] = (code, target, [])
        for row in session.execute(select(CaseEvent.step_id, CaseEvent.id, CaseEvent.kind, CaseEvent.on,
                                          CaseEvent.pause, CaseEvent.details, CaseEvent.appointment, CaseEvent.answer)
                                   .where(CaseEvent.step_id.in_(chunk))):
            found[row.step_id][2].append(Event(row.id, row.kind, row.on, row.pause, dict(row.details or {}),
                                               row.appointment, row.answer))
    return found


def known_step_plan(step_id: int, case_id: int, known: tuple[str, date | None, list[Event]], record: dict,
                    today: date, rules: RuleBook) -> StepPlan | None:
    code, target, events = known
    actions = plan(record, events, today)
    if not actions:
        return None
    clock = evaluate(code, check(code, events, actions, target, today, rules), today, rules)
    return StepPlan(step_id, case_id, actions, cache_columns(clock))


def write(session: Session, ctx: AppContext, plans: Sequence[StepPlan], source: str, today: date,
          now: datetime) -> None:
    """The plans' events, corrections (with their history rows) and take-backs, and the steps' clocks."""
    mark = list_mark(source, today)
    said = f"enligt listan från {source} ({today.isoformat()})"
    insert_rows(session, CaseEvent, [
        {"case_id": p.case_id, "step_id": p.step_id, "kind": a.kind.value, "on": a.on,
         "pause": a.pause.value if a.pause else None, "details": mark, "user_id": ctx.user_id, "created_at": now}
        for p in plans for a in p.actions if isinstance(a, Add)])
    for p in plans:
        for a in p.actions:
            if isinstance(a, Correct):
                session.execute(update(CaseEvent).where(CaseEvent.id == a.event_id).values(on=a.new_on))
                session.add(EventCorrection(event_id=a.event_id, case_id=p.case_id, old_on=a.old_on, new_on=a.new_on,
                                            reason=f"Ändrat {said}.", user_id=ctx.user_id, changed_at=now))
            elif isinstance(a, TakeBack):
                details = {**a.details, "withdrawn": {
                    "kind": a.kind, "offer_id": None, "reason": f"Perioden pågår {said}.", "user_id": ctx.user_id,
                    "at": now.isoformat(timespec="seconds")}}
                session.execute(update(CaseEvent).where(CaseEvent.id == a.event_id)
                                .values(kind=WITHDRAWN, details=details))
        session.execute(update(Step).where(Step.id == p.step_id).values(**p.clock))
