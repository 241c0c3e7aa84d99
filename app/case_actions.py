"""Which actions a case allows now, and why not: decided here once, shown by every window that offers them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum

from app.guarantee import (
    Answer,
    ClockEvent,
    ClockResult,
    EventKind,
    InputError,
    PauseKind,
    PvvRefused,
    State,
    missing_pvv_conditions,
)
from app.guarantee.rules import RuleBook


def is_long_wait(waited: int, limit: int) -> bool:
    from app.validation import (
        is_long_wait as rule,  # app.validation builds on app.cases, which builds on this
    )

    return rule(waited, limit)


class CaseAction(StrEnum):
    CONTACT = "contact"
    INFORMED = "informed"
    NOTICE = "notice"
    CARE_ELSEWHERE = "care_elsewhere"
    OFFER = "offer"
    ANSWER = "answer"
    PVV = "pvv"
    PAUSE_START = "pause_start"
    PAUSE_END = "pause_end"
    RESTART = "restart"
    COMPLETE = "complete"
    LETTER = "letter"
    CORRECT_DATE = "correct_date"
    NOTE = "note"
    ASSIGN = "assign"
    PREFERENCES = "preferences"
    NEXT_STEP = "next_step"
    PATIENT = "patient"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    REOPEN = "reopen"
    VALIDATE = "validate"
    LONG_WAIT_REASON = "long_wait_reason"


# Actions on the case as a whole; every other action works on one open step.
CASE_LEVEL = frozenset({CaseAction.NOTE, CaseAction.ASSIGN, CaseAction.PREFERENCES, CaseAction.NEXT_STEP,
                        CaseAction.PATIENT, CaseAction.WITHDRAW, CaseAction.CLOSE, CaseAction.REOPEN})
# Allowed on a closed case too (a note explains what happened afterwards; the patient's details stay correctable).
AFTER_CLOSING = frozenset({CaseAction.NOTE, CaseAction.PATIENT, CaseAction.REOPEN})


def case_blocked(closed_on: date | None, open_steps: int = 0, withdrawable: int = 0,
                 undo_minutes: int = 0) -> dict[CaseAction, str]:
    """The case-level actions not allowed now, each with the reason in the case worker's words."""
    if closed_on is None:
        blocked = {CaseAction.REOPEN: "Ärendet är öppet."}
        if not withdrawable:
            blocked[CaseAction.WITHDRAW] = (f"Det finns inget att ta tillbaka: bara din senaste registrering inom "
                                            f"{undo_minutes} minuter, eller en pågående väntan utan klocka, kan tas "
                                            "tillbaka. Ett fel datum rättas med Rätta datum.")
        if open_steps:
            blocked[CaseAction.NEXT_STEP] = ("Ärendet har redan ett öppet steg. Registrera det som genomfört "
                                             "innan nästa steg läggs till.")
        return blocked
    reason = f"Ärendet avslutades {closed_on.isoformat()}."
    return {a: reason for a in CaseAction if a not in AFTER_CLOSING}


def step_blocked(code: str, events: Sequence[ClockEvent], clock: ClockResult, unanswered_offers: int,
                 pause_kinds: Iterable[PauseKind], today: date, book: RuleBook) -> dict[CaseAction, str]:
    """The step actions not allowed now on a step with these events, each with its reason."""
    step_actions = [a for a in CaseAction if a not in CASE_LEVEL]
    if clock.state is State.CLOSED:
        reason = f"Steget avslutades {clock.stopped_on.isoformat()}." if clock.stopped_on else "Steget är avslutat."
        # A wrong completion date is corrected like any other date.
        return {a: reason for a in step_actions if a is not CaseAction.CORRECT_DATE}
    blocked: dict[CaseAction, str] = {}
    if not unanswered_offers:
        blocked[CaseAction.ANSWER] = "Det finns inget obesvarat erbjudande på steget."
    if clock.state is not State.PVV:
        blocked[CaseAction.RESTART] = "Patienten har ingen pågående patientvald väntan."
    if clock.state is not State.PAUSED:
        blocked[CaseAction.PAUSE_END] = "Det finns ingen pågående väntan utan klocka (MoV/SoV) att avsluta."
    if not tuple(pause_kinds):
        blocked[CaseAction.PAUSE_START] = "Det här steget kan inte pausas."
    elif clock.state is State.PVV:
        blocked[CaseAction.PAUSE_START] = "Under patientvald väntan går klockan inte; avsluta den först (Ny start)."
    if (why := pvv_refusal(code, events, pvv_date(events, today), book)) is not None:
        blocked[CaseAction.PVV] = why
    limit = book.for_date(clock.start).step(code).long_wait_days
    if not is_long_wait(clock.waited, limit):
        blocked[CaseAction.LONG_WAIT_REASON] = (f"Patienten har väntat {clock.waited} dagar. En orsak behövs först "
                                                f"när väntan är längre än {limit} dagar.")
    return blocked


def pvv_date(events: Sequence[ClockEvent], today: date) -> date:
    """The date patientvald väntan holds from when registered now: the latest decline, else today."""
    declines = [e.on for e in events if e.kind is EventKind.ANSWER and e.answer is Answer.DECLINED]
    return max(declines, default=today)


def pvv_refusal(code: str, events: Sequence[ClockEvent], on: date, book: RuleBook) -> str | None:
    """Why PvV from `on` cannot be registered, as one sentence; None when all three conditions are on record."""
    try:
        missing, deadline = missing_pvv_conditions(code, events, on, book)
    except InputError as exc:
        return f"{exc.field}: {exc.message}"
    if not missing:
        return None
    refused = PvvRefused(missing, deadline)
    return f"{refused.field} {refused.message}"
