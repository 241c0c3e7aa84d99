"""The one door to patient data: every read or change of a patient goes through `patient_access`,
which writes the access-log row (HSLF-FS 2016:40 4 kap. 9 §) in the same transaction."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from app.context import AppContext
from app.errors import NotFoundError
from db.models import AccessLog, Patient


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
    session.add(AccessLog(user_id=ctx.user_id, patient_id=patient_id, case_id=case_id, action=action,
                          detail=detail))
    return patient


def log_list_view(session: Session, ctx: AppContext, detail: str) -> None:
    """A list of many patients (the worklist) is logged as one view, not one row per patient shown."""
    session.add(AccessLog(user_id=ctx.user_id, patient_id=None, action=Action.LIST, detail=detail))
