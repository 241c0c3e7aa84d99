"""A source's whole list reconciled with Lotsen (DOMAIN.md §8): every open step of the source that the new list
no longer holds goes on the review list, "Saknas i senaste listan", for a case worker to close with a reason or
keep with a note. Nothing is closed or deleted by the import itself; each change leaves a note on the timeline.

A source's steps are those its lists brought in (import_link), so a whole list is compared with exactly what
earlier lists of the same clinic held, whatever other lists or case workers added."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access import Action, log_list_view, patient_access
from app.cases import Note, _add, _changing
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.guarantee import ClockEvent, EventKind
from app.importer.bulk import insert_rows
from app.roles import Permission, require
from app.text_input import TEXT_LIMIT, check_text
from db.models import Case, CaseEvent, Patient, Step, utcnow
from db.register import ImportLink, ListReview

# How a step missing from the list is settled: the first four close it, "behalls" keeps it with a note.
CLOSING = {"genomford": "Genomförd", "struken": "Struken från listan", "flyttad": "Flyttad till annan enhet",
           "annat": "Annan orsak"}
KEEP = "behalls"
BACK = "tillbaka"  # the step is in a later list again
RESOLUTIONS = {**CLOSING, KEEP: "Behålls", BACK: "Åter i listan"}


@dataclass(frozen=True)
class Missing:
    """What reconciling changed: steps newly missing, all missing now, and those back in the list."""

    new: list[tuple[int, int]]   # (patient id, case id) of steps put on the review list now
    back: list[tuple[int, int]]  # (patient id, case id) of steps taken off it
    count: int                   # every open step of the source the list does not hold


def reconcile(session: Session, ctx: AppContext, source: str, present: set[int], external_ids: set[str],
              list_on: date, now: datetime) -> Missing:
    """Within the import's transaction: `present` are the step ids the list matched or created, `external_ids`
    every remiss-id in the file, refused rows included (a refused row is not a missing step)."""
    steps = session.execute(
        select(Step.id, Step.case_id, Case.patient_id, ImportLink.external_id)
        .join(ImportLink, ImportLink.step_id == Step.id).join(Case, Case.id == Step.case_id)
        .where(ImportLink.source == source, Step.is_open, Case.closed_on.is_(None))
    ).all()
    waiting = dict(session.execute(select(ListReview.step_id, ListReview.id)
                                   .where(ListReview.source == source, ListReview.resolution.is_(None))).all())
    missing = [s for s in steps if s.id not in present and s.external_id not in external_ids]
    new = [s for s in missing if s.id not in waiting]
    insert_rows(session, ListReview, [{"step_id": s.id, "source": source, "list_on": list_on, "created_at": now}
                                      for s in new])
    owners = {s.id: (s.patient_id, s.case_id) for s in steps}
    back = [step_id for step_id in waiting if step_id in present and step_id in owners]
    if back:
        session.execute(update(ListReview).where(ListReview.id.in_([waiting[s] for s in back]))
                        .values(resolution=BACK, resolved_at=now, resolved_by=ctx.user_id))
    notes = [(s.case_id, s.id, f"Saknas i senaste listan från {source} ({list_on.isoformat()}).") for s in new]
    notes += [(owners[s][1], s, f"Åter i listan från {source} ({list_on.isoformat()}).") for s in back]
    insert_rows(session, CaseEvent, [
        {"case_id": case_id, "step_id": step_id, "kind": Note.NOTE.value, "on": ctx.today(),
         "details": {"text": text}, "user_id": ctx.user_id, "created_at": now} for case_id, step_id, text in notes])
    return Missing([(s.patient_id, s.case_id) for s in new], [owners[s] for s in back], len(missing))


@dataclass(frozen=True)
class ReviewRow:
    id: int
    step_id: int
    case_id: int
    patient_name: str
    id_number: str
    protected_identity: bool
    step_code: str
    source: str
    list_on: date


def review_list(ctx: AppContext) -> list[ReviewRow]:
    """The steps waiting for a decision, oldest list first."""
    require(ctx.role, Permission.CASE_WORK)
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(ListReview.id, ListReview.step_id, Step.case_id, Patient.name, Patient.id_number,
                   Patient.protected_identity, Step.code, ListReview.source, ListReview.list_on)
            .join(Step, Step.id == ListReview.step_id).join(Case, Case.id == Step.case_id)
            .join(Patient, Patient.id == Case.patient_id)
            .where(ListReview.resolution.is_(None)).order_by(ListReview.list_on, ListReview.id)
        ).all()
        log_list_view(session, ctx, f"saknas i senaste listan: {len(rows)} steg visade")
    return [ReviewRow(*row) for row in rows]


def resolve(ctx: AppContext, review_id: int, resolution: str, on: date, note: str = "") -> None:
    """Close the missing step with a reason (CLOSING), or keep it (KEEP) with a note saying why; one
    transaction, traced on the timeline and in the access log."""
    check_text(note, "Anteckning", TEXT_LIMIT)
    if resolution not in CLOSING and resolution != KEEP:
        raise InputError("Orsak", "välj genomförd, struken, flyttad, annan orsak eller behåll.")
    if (resolution in (KEEP, "annat")) and not note.strip():
        raise InputError("Anteckning", "skriv varför" + (" steget behålls." if resolution == KEEP else
                                                         " steget avslutas."))
    with ctx.db.transaction() as session:
        review = session.get(ListReview, review_id)
        if review is None:
            raise NotFoundError("Granskning", "steget finns inte på listan ”Saknas i senaste listan”.")
        if review.resolution is not None:
            raise InputError("Granskning", f"steget är redan hanterat ({RESOLUTIONS[review.resolution].lower()}).")
        step = session.get(Step, review.step_id)
        text = f"Saknades i listan från {review.source} ({review.list_on.isoformat()}): {RESOLUTIONS[resolution]}."
        if note.strip():
            text += f" {note.strip()}"
        if resolution == KEEP:
            case = _changing(session, ctx, step.case_id, None)
            patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, "saknas i listan: behålls")
            session.add(CaseEvent(case_id=case.id, step_id=step.id, kind=Note.NOTE, on=ctx.today(),
                                  details={"text": text}, user_id=ctx.user_id))
        else:
            kind = EventKind.COMPLETED if resolution == "genomford" else EventKind.CLOSED
            _add(session, ctx, step.id, ClockEvent(kind, on), details={"reason": resolution, "text": text})
        review.resolution, review.note = resolution, note.strip() or None
        review.resolved_by, review.resolved_at = ctx.user_id, utcnow()
