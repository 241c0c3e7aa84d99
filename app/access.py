"""The one door to patient data: every read or change of a patient goes through `patient_access`,
which writes the access-log row (HSLF-FS 2016:40 4 kap. 9 §) in the same transaction, sealed into the log's hash
chain (app.audit.chain)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from app.audit import chain
from app.context import AppContext, sign_in
from app.database import open_database
from app.errors import NotFoundError
from db.models import Patient


class Action(StrEnum):
    READ = "läsning"
    CREATE = "registrering"
    CHANGE = "ändring"
    LIST = "arbetslista"
    SHOWN = "visad i lista"  # the patient was one of the rows of a list page (a worklist page, a search's hits)
    EVENT = "händelse"       # something done to the whole database: a backup, a restore, encryption turned off


SEARCH = "sökning ”{}”"  # how a list page's detail names the search it was found by (app.audit.review reads it)


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


def log_patients_shown(session: Session, ctx: AppContext, shown: Iterable[tuple[int, int | None]],
                       detail: str) -> None:
    """The patients of one list page, as (patient id, case id) pairs in the order shown: one row per pair, all
    written as one batched insert. The detail says in which list and search (the patient's extract shows it)."""
    pairs = list(dict.fromkeys(shown))
    log_rows(session, [{"user_id": ctx.user_id, "patient_id": patient_id, "case_id": case_id,
                        "action": Action.SHOWN, "detail": detail, "unit": ctx.unit} for patient_id, case_id in pairs])


def log_event(session: Session, ctx: AppContext, detail: str) -> None:
    """Something done to the database as a whole that exposes every patient in it (a backup copied, a restore,
    the file decrypted): one row without a patient, saying what happened."""
    chain.append(session, user_id=ctx.user_id, action=str(Action.EVENT), detail=detail, unit=ctx.unit)


def log_file_event(path: Path, login: str, detail: str, key: str | None = None) -> None:
    """An event done to a database file while it was closed (a restore, encryption turned off), logged in the file
    as it now is, by the user `login` (signed in to it as Lotsen would at start)."""
    db = open_database(path, key)
    try:
        ctx = sign_in(db, login)
        with db.transaction() as session:
            log_event(session, ctx, detail)
    finally:
        db.close()
