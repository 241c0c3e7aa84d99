"""The guarantee clock: deadline, waited and remaining days, state, band and flags of one step on one date.

Counting (DOMAIN.md §2.1): calendar days, day 0 is the start date, deadline = start + limit + excluded days,
waited(D) = (D - start) - excluded days before D. Excluded days are MoV/SoV periods [from, to) and, while it
holds, patientvald väntan. Only events dated on or before the evaluation date are taken into account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.guarantee.errors import InputError
from app.guarantee.events import STOPPING, ClockEvent, EventKind, PauseKind
from app.guarantee.rules import PvvMode, RuleBook, RuleSet, StepRule


class State(StrEnum):
    OK = "ok"
    RISK = "risk"
    AKUT = "akut"
    OVERDUE = "överskriden"
    PAUSED = "pausad"
    PVV = "patientvald"
    CLOSED = "avslutad"


# Worklist order: most urgent first.
SEVERITY: dict[State, int] = {
    State.OVERDUE: 0, State.AKUT: 1, State.RISK: 2, State.OK: 3, State.PAUSED: 4, State.PVV: 5, State.CLOSED: 6,
}


class When(StrEnum):
    RECORDED = "recorded"  # the mark has a date: a recorded fact, which holds whatever the day
    REACHED = "reached"    # the day is on or after the mark plus `days`
    ALWAYS = "always"


@dataclass(frozen=True, slots=True)
class StateLine:
    state: State
    when: When
    mark: str | None = None  # a date of ClockResult, cached under the same name on the step (db.models.Step)
    days: int = 0            # REACHED: from this many days after the mark


# The state of a step on a day: the first line that holds. A recorded stop, PvV or pause stops the clock; a running
# clock's state follows from its dates alone, so that a query can tell it for any day from the dates cached on the
# step. The one home of the rule: the worklist's SQL forms are generated from this table (app.worklist_read_model).
STATE_RULE: tuple[StateLine, ...] = (
    StateLine(State.CLOSED, When.RECORDED, "stopped_on"),
    StateLine(State.PVV, When.RECORDED, "pvv_since"),
    StateLine(State.PAUSED, When.RECORDED, "paused_since"),
    StateLine(State.OVERDUE, When.REACHED, "deadline", 1),  # remaining < 0
    StateLine(State.AKUT, When.REACHED, "akut_from"),        # remaining <= the step's akut_remaining_days
    StateLine(State.RISK, When.REACHED, "risk_from"),        # waited >= risk_waited_days (none set: never)
    StateLine(State.OK, When.ALWAYS),
)
MARKS = tuple(line.mark for line in STATE_RULE if line.mark)
# The states of a stopped clock: waited and remaining days stand still while the days pass.
STILL = frozenset(line.state for line in STATE_RULE if line.when is When.RECORDED)
# The table as evaluate() runs it for every step: (state, mark, from how long after the mark; None: once recorded).
_LINES = tuple((line.state, line.mark, None if line.when is When.RECORDED else timedelta(days=line.days))
               for line in STATE_RULE)


def state_on(marks: Mapping[str, date | None], day: date) -> State:
    """The state on `day` of a step with these marks (ClockResult's, or a step's cached ones)."""
    for state, mark, after in _LINES:
        if mark is None:
            return state
        value = marks[mark]
        if value is not None and (after is None or day >= value + after):
            return state
    raise AssertionError("the last line of STATE_RULE always holds")


def state_until(marks: Mapping[str, date | None], day: date) -> date | None:
    """The first day after `day` on which the state changes while nothing new is recorded; None: it does not.
    Dates only ever make a line hold: the next change is the earliest start of a line above today's."""
    starts = []
    for _, mark, after in _LINES:
        value = mark and marks[mark]
        if mark is None or value is not None and (after is None or day >= value + after):
            return None if mark and after is None else min(starts, default=None)
        if value is not None:
            starts.append(value + after)
    raise AssertionError("the last line of STATE_RULE always holds")


def marks_of(clock: object) -> dict[str, date | None]:
    """The marks of a ClockResult or of a step row (the same names)."""
    return {mark: getattr(clock, mark) for mark in MARKS}


class Flag(StrEnum):
    NO_NOTICE = "besked saknas"
    NO_CONTACT = "ingen kontakt"


FLAGLESS = frozenset({State.CLOSED, State.PVV})  # no flags: the step is closed, or the patient chose to wait


@dataclass(frozen=True, slots=True)
class ClockResult:
    step: str
    rule_set: str
    first_start: date
    start: date                   # the current start: a restart after PvV is a new start
    deadline: date
    target_date: date | None      # the region's shorter target, if it has one
    waited: int
    remaining: int
    excluded_days: int
    state: State
    band: int | None              # highest escalation band passed (150, 180, 365, 730), if any
    flags: frozenset[Flag]
    stopped_on: date | None
    met: bool | None              # completed on or before the deadline; None while open or when closed otherwise
    paused_since: date | None
    pvv_since: date | None
    restarts: tuple[date, ...]
    # The dates on which state and flags change if nothing else happens; they let a database query
    # derive today's state of many steps without evaluating each one.
    risk_from: date | None
    akut_from: date
    notice_due: date | None       # "besked saknas" from this date
    contact_due: date             # "ingen kontakt" from this date
    last_contact: date | None

    @property
    def severity(self) -> int:
        return SEVERITY[self.state]


@dataclass(slots=True)
class _Period:
    """The events of the current clock period, folded: from the latest start to the evaluation date."""

    rules: RuleSet
    start: date
    events: list[ClockEvent]
    restarts: list[date]


# Order of events on the same day: a pause that ends and another that begins on one day are back to back
# (a pause cannot end the day it starts), and a restart opens a new period before that day's other events.
_SAME_DAY_ORDER = {EventKind.START: 0, EventKind.PVV: 1, EventKind.RESTART: 2, EventKind.PAUSE_END: 3,
                   EventKind.PAUSE_START: 4, EventKind.COMPLETED: 6, EventKind.CLOSED: 6}


def evaluate(step: str, events: Sequence[ClockEvent], on: date, book: RuleBook) -> ClockResult:
    known = sorted((e for e in events if e.on <= on), key=lambda e: (e.on, _SAME_DAY_ORDER.get(e.kind, 5)))
    period = _current_period(known, book)
    rule = period.rules.step(step)
    stop = next((e for e in period.events if e.kind in STOPPING), None)
    day = stop.on if stop else on

    intervals, paused_since, pvv_since = _exclusions(period)
    excluded = _days_within(intervals, period.start, day)
    limit = _limit_days(rule, known)
    deadline = period.start + timedelta(days=limit + excluded)
    waited = max(0, (day - period.start).days - excluded)
    remaining = (deadline - day).days
    marks = {
        "stopped_on": stop.on if stop else None, "pvv_since": pvv_since, "paused_since": paused_since,
        "deadline": deadline, "akut_from": deadline - timedelta(days=rule.akut_remaining_days),
        "risk_from": (
            day + timedelta(days=rule.risk_waited_days - waited) if rule.risk_waited_days is not None else None
        ),
    }
    state = state_on(marks, day)
    last_contact = max((e.on for e in known if e.kind in (EventKind.CONTACT, EventKind.ANSWER)), default=None)
    notice_due, contact_due = _flag_dates(rule, period, last_contact)
    return ClockResult(
        step=step,
        rule_set=period.rules.id,
        first_start=known[0].on,
        start=period.start,
        target_date=(
            period.start + timedelta(days=rule.regional_target_days + excluded)
            if rule.regional_target_days is not None else None
        ),
        waited=waited,
        remaining=remaining,
        excluded_days=excluded,
        state=state,
        band=max((b for b in period.rules.escalation_bands if waited > b), default=None),
        flags=flags_on(state, notice_due, contact_due, on),
        met=(stop.on <= deadline) if stop and stop.kind is EventKind.COMPLETED else None,
        restarts=tuple(period.restarts),
        **marks,
        notice_due=notice_due,
        contact_due=contact_due,
        last_contact=last_contact,
    )


def _current_period(known: list[ClockEvent], book: RuleBook) -> _Period:
    if not known or known[0].kind is not EventKind.START:
        raise InputError("Startdatum", "steget saknar startdatum före det datum som räknas.")
    rules = book.for_date(known[0].on)
    period = _Period(rules, known[0].on, [], [])
    for event in known[1:]:
        if event.kind is EventKind.RESTART and rules.pvv_mode is PvvMode.RESTART:
            rules = book.for_date(event.on)
            period = _Period(rules, event.on, [], [*period.restarts, event.on])
        else:
            period.events.append(event)
    return period


def _exclusions(period: _Period) -> tuple[list[tuple[date, date | None]], date | None, date | None]:
    """Excluded intervals [from, to) of the period, the open pause's start and the open PvV's start."""
    intervals: list[tuple[date, date | None]] = []
    open_pauses: dict[PauseKind | None, date] = {}
    pvv_since: date | None = None
    for e in period.events:
        if e.kind is EventKind.PAUSE_START:
            open_pauses.setdefault(e.pause, e.on)
        elif e.kind is EventKind.PAUSE_END and e.pause in open_pauses:
            intervals.append((open_pauses.pop(e.pause), e.on))
        elif e.kind is EventKind.PVV and pvv_since is None:
            pvv_since = e.on
        elif e.kind is EventKind.RESTART and pvv_since is not None:  # pause mode: PvV ends, counted as a pause
            intervals.append((pvv_since, e.on))
            pvv_since = None
    intervals.extend((since, None) for since in open_pauses.values())
    if pvv_since is not None:
        intervals.append((pvv_since, None))
    return intervals, min(open_pauses.values(), default=None), pvv_since


def _days_within(intervals: list[tuple[date, date | None]], start: date, day: date) -> int:
    """Days of the union of [from, to) intervals that fall in [start, day)."""
    clipped = sorted(
        (max(a, start), min(b or day, day)) for a, b in intervals if max(a, start) < min(b or day, day)
    )
    total, reach = 0, start
    for a, b in clipped:
        a = max(a, reach)
        if b > a:
            total += (b - a).days
            reach = b
    return total


def _limit_days(rule: StepRule, known: list[ClockEvent]) -> int:
    if rule.limit_days is not None:
        return rule.limit_days
    start = known[0]
    if start.target is None:
        raise InputError("Medicinskt måldatum", "ange måldatum för återbesöket.")
    return (start.target - start.on).days


def _flag_dates(rule: StepRule, period: _Period, last_contact: date | None) -> tuple[date | None, date]:
    notice_given = any(e.kind in (EventKind.NOTICE, EventKind.OFFER) for e in period.events)
    notice_due = (
        period.start + timedelta(days=rule.notice_days + 1)
        if rule.notice_days is not None and not notice_given else None
    )
    since = max(last_contact or period.start, period.start)
    return notice_due, since + timedelta(days=period.rules.active_waiting_days)


def flags_on(state: State, notice_due: date | None, contact_due: date, on: date) -> frozenset[Flag]:
    """The flags on `on`, from the dates the clock says they become due."""
    if state in FLAGLESS:
        return frozenset()
    flags = set()
    if notice_due is not None and on >= notice_due:
        flags.add(Flag.NO_NOTICE)
    if on >= contact_due:
        flags.add(Flag.NO_CONTACT)
    return frozenset(flags)
