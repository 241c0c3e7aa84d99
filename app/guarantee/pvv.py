"""Patientvald väntan (PvV): allowed only when all three legal conditions are on record (HSF 6 kap. 2 §)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from app.guarantee.clock import State, evaluate
from app.guarantee.errors import InputError
from app.guarantee.events import Answer, ClockEvent, EventKind
from app.guarantee.rules import RuleBook


class PvvCondition(StrEnum):
    INFORMED = "informerad"
    OFFERED = "erbjuden tid inom tidsgränsen"
    DECLINED = "avböjt erbjudandet"


class PvvRefused(InputError):
    """PvV cannot be registered; `missing` lists the conditions not on record."""

    def __init__(self, missing: Sequence[PvvCondition], deadline: date):
        self.missing = tuple(missing)
        self.deadline = deadline
        reasons = {
            PvvCondition.INFORMED: "det finns ingen uppgift om att patienten har informerats om vårdgarantin",
            PvvCondition.OFFERED: (
                f"patienten har inte erbjudits en tid inom vårdgarantins tidsgräns ({deadline.isoformat()})"
            ),
            PvvCondition.DECLINED: "patienten har inte tackat nej till en erbjuden tid inom tidsgränsen",
        }
        super().__init__(
            "Patientvald väntan", "kan inte registreras: " + "; ".join(reasons[m] for m in missing) + "."
        )


def missing_pvv_conditions(
    step: str, events: Sequence[ClockEvent], on: date, book: RuleBook
) -> tuple[tuple[PvvCondition, ...], date]:
    """The conditions not on record for PvV from `on`, and the deadline they were judged against."""
    clock = evaluate(step, events, on, book)
    if clock.state in (State.CLOSED, State.PVV):
        raise InputError("Patientvald väntan", f"steget är redan {clock.state.value}.")
    known = [e for e in events if clock.start <= e.on <= on]
    in_time = [e for e in known if e.appointment is not None and e.appointment <= clock.deadline]
    offered = [e for e in in_time if e.kind is EventKind.OFFER]
    declined = [e for e in in_time if e.kind is EventKind.ANSWER and e.answer is Answer.DECLINED]
    # The patient must have known about the guarantee when declining.
    informed_by = max((e.on for e in declined), default=on)
    missing = []
    if not any(e.kind is EventKind.INFORMED and e.on <= informed_by for e in events):
        missing.append(PvvCondition.INFORMED)
    if not offered:
        missing.append(PvvCondition.OFFERED)
    if not declined:
        missing.append(PvvCondition.DECLINED)
    return tuple(missing), clock.deadline


def check_pvv(step: str, events: Sequence[ClockEvent], on: date, book: RuleBook) -> None:
    missing, deadline = missing_pvv_conditions(step, events, on, book)
    if missing:
        raise PvvRefused(missing, deadline)
