"""Every provider approached for a case and its answer, kept on the case so the knowledge is not personal
(DOMAIN.md §3). Stored as timeline notes (app.cases.Note.NOTE) with details {"approached", "answer", ...}."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import cases
from app.access import Action, patient_access
from app.cases import _changing  # the one version check of a case change (#6)
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.register.candidates import Candidate
from app.settings import own_region
from app.text_input import LINE_LIMIT, TEXT_LIMIT, check_texts
from db.models import CaseEvent, Step

ANSWERS = {
    "kan_ta_emot": "Kan ta emot patienten",
    "kan_inte": "Kan inte ta emot patienten",
    "inget_svar": "Inget svar",
    "aterkommer": "Återkommer med besked",
    "tid_erbjuden": "Tid erbjuden till patienten",
}


@dataclass(frozen=True)
class Approach:
    id: int
    on: date
    provider: str
    unit: str
    answer: str  # Swedish label
    note: str


def record_approach(ctx: AppContext, step_id: int, provider: str, unit: str, answer: str, note: str = "", *,
                    expected_version: int | None = None) -> int:
    """A note on the case; like every change of a case it is refused (ConflictError) when `expected_version`, the
    Case.version the user was shown, is no longer the case's."""
    with ctx.db.transaction() as session:
        return store_approach(session, ctx, step_id, provider, unit, answer, note, expected_version)


def check_approach(provider: str, unit: str, answer: str, note: str) -> None:
    check_texts({"Vårdgivare": (provider, LINE_LIMIT), "Enhet": (unit, LINE_LIMIT),
                 "Anteckning": (note, TEXT_LIMIT)})
    if not provider.strip():
        raise InputError("Vårdgivare", "ange vilken vårdgivare som tillfrågades.")
    if answer not in ANSWERS:
        raise InputError("Svar", "välj vårdgivarens svar i listan.")


def store_approach(session: Session, ctx: AppContext, step_id: int, provider: str, unit: str, answer: str,
                   note: str, expected_version: int | None) -> int:
    """record_approach inside a caller's transaction (app.register.phoned adds the provider in the same one)."""
    check_approach(provider, unit, answer, note)
    step = session.get(Step, step_id)
    if step is None:
        raise NotFoundError("Steg", "steget finns inte.")
    case = _changing(session, ctx, step.case_id, expected_version)
    patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, "tillfrågad vårdgivare")
    text = f"Tillfrågade {provider.strip()}" + (f", {unit}" if unit else "") + f": {ANSWERS[answer]}."
    if note.strip():
        text += " " + note.strip()
    row = CaseEvent(case_id=case.id, step_id=step.id, kind=cases.Note.NOTE, on=ctx.today(),
                    user_id=ctx.user_id, details={"approached": provider.strip(), "unit": unit,
                                                  "answer": answer, "note": note.strip(), "text": text})
    session.add(row)
    session.flush()
    return row.id


def offer_from_candidate(ctx: AppContext, step_id: int, candidate: Candidate, appointment: date,
                         reply_by: date | None, *, confirmed: bool = False,
                         expected_version: int | None = None) -> int:
    """One click: the offer (app.cases.make_offer) and the approach that produced it. The offer is written
    first, so that an offer the clock refuses, or one refused for a stale `expected_version`, leaves no note
    behind; the note then follows the offer, which has already changed the version."""
    unit = candidate.unit
    place = cases.RegisterPlace(unit.name, unit.region, unit.provider_public, own_region(ctx.db))
    offer_id = cases.make_offer(ctx, step_id, ctx.today(), appointment, reply_by, unit.provider, unit.name,
                                unit.address or "", confirmed=confirmed, expected_version=expected_version,
                                place=place)
    record_approach(ctx, step_id, unit.provider, unit.name, "tid_erbjuden",
                    f"Tid {appointment.isoformat()}" + (f", svar senast {reply_by.isoformat()}." if reply_by else "."))
    return offer_id


@dataclass(frozen=True)
class CaseApproaches:
    case_version: int  # Case.version when read: hand it back as expected_version
    approaches: list[Approach]


def case_approaches(ctx: AppContext, step_id: int) -> CaseApproaches:
    """Newest first, with the case's version read in the same transaction."""
    with ctx.db.transaction() as session:
        step = session.get(Step, step_id)
        if step is None:
            raise NotFoundError("Steg", "steget finns inte.")
        patient_access(session, ctx, step.case.patient_id, Action.READ, step.case_id, "tillfrågade vårdgivare")
        rows = session.scalars(select(CaseEvent).where(CaseEvent.step_id == step_id,
                                                       CaseEvent.kind == cases.Note.NOTE)
                               .order_by(CaseEvent.on.desc(), CaseEvent.id.desc()))
        return CaseApproaches(step.case.version, [
            Approach(r.id, r.on, r.details["approached"], r.details.get("unit", ""),
                     ANSWERS.get(r.details.get("answer"), r.details.get("answer", "")), r.details.get("note", ""))
            for r in rows if "approached" in (r.details or {})])


def approaches(ctx: AppContext, step_id: int) -> list[Approach]:
    return case_approaches(ctx, step_id).approaches
