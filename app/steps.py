"""Between the timeline rows of a step and its clock: events in, cached clock columns out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from app.guarantee import (
    STILL,
    Answer,
    ClockEvent,
    ClockResult,
    EventKind,
    PauseKind,
    RuleBook,
    State,
    evaluate,
)
from db.models import CaseEvent, Step

CLOCK_KINDS = frozenset(k.value for k in EventKind)
# The Step columns cache_columns() writes, in its order.
CACHE_COLUMNS = ("rule_set", "is_open", "clock_start", "deadline", "risk_from", "akut_from", "notice_due",
                 "contact_due", "last_contact", "paused_since", "pvv_since", "stopped_on", "met", "waiting_since",
                 "frozen_waited", "frozen_remaining")


def clock_events(rows: Iterable[CaseEvent], target_date: date | None = None) -> list[ClockEvent]:
    return [
        ClockEvent(
            EventKind(r.kind),
            r.on,
            appointment=r.appointment,
            answer=Answer(r.answer) if r.answer else None,
            pause=PauseKind(r.pause) if r.pause else None,
            target=target_date if r.kind == EventKind.START else None,
        )
        for r in rows
        if r.kind in CLOCK_KINDS
    ]


def cache_columns(result: ClockResult) -> dict:
    """The step columns that let a query order and filter steps by today's state (see db.models.Step)."""
    running = result.state not in STILL
    return {
        "rule_set": result.rule_set,
        "is_open": result.state is not State.CLOSED,
        "clock_start": result.start,
        "deadline": result.deadline,
        "risk_from": result.risk_from,
        "akut_from": result.akut_from,
        "notice_due": result.notice_due,
        "contact_due": result.contact_due,
        "last_contact": result.last_contact,
        "paused_since": result.paused_since,
        "pvv_since": result.pvv_since,
        "stopped_on": result.stopped_on,
        "met": result.met,
        "waiting_since": result.start + timedelta(days=result.excluded_days),  # exact while running
        "frozen_waited": None if running else result.waited,
        "frozen_remaining": None if running else result.remaining,
    }


def evaluate_rows(code: str, rows: Iterable[CaseEvent], target_date: date | None, on: date,
                  rules: RuleBook) -> ClockResult:
    return evaluate(code, clock_events(rows, target_date), on, rules)


def refresh(step: Step, rows: Iterable[CaseEvent], on: date, rules: RuleBook) -> ClockResult:
    result = evaluate_rows(step.code, rows, step.target_date, on, rules)
    for name, value in cache_columns(result).items():
        setattr(step, name, value)
    return result
