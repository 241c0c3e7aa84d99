"""The one door to patient data: every read or change of a patient goes through `patient_access`,
which writes the access-log row (HSLF-FS 2016:40 4 kap. 9 §) in the same transaction, sealed into the log's hash
chain (app.audit.chain)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from app.audit import chain
from app.context import AppContext
from app.errors import NotFoundError
from db.models import Patient


class Action(StrEnum):
    READ = "läsning"
    CREATE = "registrering"
    CHANGE = "ändring"
    LIST = "arbetslista"


def patient_access(
    session: Session, ctx: AppContext, patient_id: int, action: Action, case_id: int | None = None,
    detail: str | None = None,
) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFoundError("Patient", "patienten finns inte.")
    chain.append(session, user_id=ctx.user_id, patient_id=patient_id, case_id=case_id, action=str(action),
                 detail=detail, unit=ctx.unit)
    return patient


def log_list_view(session: Session, ctx: AppContext, detail: str) -> None:
    """A list of many patients (the worklist) is logged as one view, not one row per patient shown."""
    chain.append(session, user_id=ctx.user_id, action=str(Action.LIST), detail=detail, unit=ctx.unit)


def log_rows(session: Session, rows: list[dict]) -> None:
    """Many rows at once (an import): each dict has user_id, patient_id, case_id, action, detail and optionally
    at and unit. Sealed into the chain in the caller's transaction."""
    chain.append_many(session, [{**row, "action": str(row["action"])} for row in rows])
