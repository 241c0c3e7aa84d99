"""The facts a guarantee clock is computed from: one dated event per thing that happened on a step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class EventKind(StrEnum):
    START = "start"              # the clock starts: referral issued, care request, decision (day 0)
    INFORMED = "informed"        # the patient was informed about the guarantee
    NOTICE = "notice"            # an appointment given, or notice that the guarantee cannot be met
    CONTACT = "contact"          # contact with the patient (phone, letter, 1177 message, visit)
    OFFER = "offer"              # an appointment offered; `appointment` holds its date
    ANSWER = "answer"            # the patient's answer to an offer; `appointment` repeats the offer's date
    PAUSE_START = "pause_start"  # MoV/SoV period begins; `pause` says which
    PAUSE_END = "pause_end"      # MoV/SoV period ends (exclusive: the end date counts again)
    PVV = "pvv"                  # patientvald väntan from this date
    RESTART = "restart"          # the patient asks for care again after PvV
    COMPLETED = "completed"      # the care was given: the clock stops
    CLOSED = "closed"            # closed for another reason (own choice of another region, deceased, ...)


class PauseKind(StrEnum):
    MOV = "MoV"  # medicinskt orsakad väntan
    SOV = "SoV"  # särskilt orsakad väntan (BUP only)


class Answer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"


@dataclass(frozen=True, slots=True)
class ClockEvent:
    kind: EventKind
    on: date
    appointment: date | None = None  # OFFER and ANSWER: the offered appointment's date
    answer: Answer | None = None     # ANSWER
    pause: PauseKind | None = None   # PAUSE_START and PAUSE_END
    target: date | None = None       # START of a return visit: the medical target date (medicinskt måldatum)


STOPPING = frozenset({EventKind.COMPLETED, EventKind.CLOSED})
