"""The granskare's review of the access log: search by user, patient and period; a random sample (stickprov)
with a recorded review note; unusual access.

Unusual access (decision): a user's access to a patient is unusual when
- none of the patient's cases is assigned to the user (current assignment; the log keeps no assignment history),
- the patient has the user's surname (User.surname, or else the last word of the user's display name, compared
  with the last word of the patient's name, case-folded), or
- the patient lives at the user's address (User.street and, when both are known, postal code; case-folded,
  spaces ignored).
A patient merely shown on a page of the whole worklist (app.worklist: every case worker's list shows every open
case) is not an access to judge; one found by a search is.
Users' surname and address are optional; without them only the first and the display-name rule apply.
Every review query is itself written to the access log."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.access import SEARCH, Action, log_list_view
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.identity import parse_patient_id
from app.roles import Permission, require
from app.text_input import TEXT_LIMIT, check_text
from db.audit import AuditReview
from db.models import AccessLog, Case, Patient, User, utcnow

PAGE = 500
SEARCHED = SEARCH.split("{")[0]  # in the detail of a list page found by a search


class Outcome(StrEnum):
    JUSTIFIED = "befogad"
    QUESTIONED = "avvikelse"


OUTCOME_LABEL = {Outcome.JUSTIFIED: "Befogad åtkomst", Outcome.QUESTIONED: "Avvikelse – utreds vidare"}


@dataclass(frozen=True)
class LogFilter:
    user_id: int | None = None
    patient: str | None = None   # a personnummer, samordningsnummer or reservnummer, as typed
    since: date | None = None    # inclusive, UTC date
    until: date | None = None    # inclusive, UTC date


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime  # UTC
    user: str
    user_hsa_id: str | None
    unit: str | None
    patient_id: int | None
    patient_name: str | None
    id_number: str | None
    case_id: int | None
    action: str
    detail: str | None
    review: str | None = None  # the latest review outcome, if any


@dataclass(frozen=True)
class UnusualAccess:
    user_id: int
    user: str
    patient_id: int
    patient_name: str
    id_number: str
    reasons: tuple[str, ...]
    count: int
    last_at: datetime


def _filtered(session: Session, ctx: AppContext, f: LogFilter) -> Select:
    query = select(AccessLog.id)
    if f.user_id is not None:
        query = query.where(AccessLog.user_id == f.user_id)
    if f.patient:
        pid = parse_patient_id(f.patient, today=ctx.today())
        patient_id = session.scalar(select(Patient.id).where(Patient.id_number == pid.value))
        if patient_id is None:
            raise NotFoundError("Patient", "det finns ingen patient med det numret i Lotsen.")
        query = query.where(AccessLog.patient_id == patient_id)
    if f.since and f.until and f.since > f.until:
        raise InputError("Period", "periodens början ligger efter dess slut.")
    if f.since:
        query = query.where(AccessLog.at >= datetime.combine(f.since, time.min))
    if f.until and f.until < date.max:  # up to the last day there is means no end (the day after would overflow)
        query = query.where(AccessLog.at < datetime.combine(f.until + timedelta(days=1), time.min))
    return query


def _rows(session: Session, ids: list[int]) -> list[LogRow]:
    latest = (select(AuditReview.outcome).where(AuditReview.access_log_id == AccessLog.id)
              .order_by(AuditReview.id.desc()).limit(1).scalar_subquery())
    result = session.execute(
        select(AccessLog, User.display_name, User.hsa_id, Patient.name, Patient.id_number, latest)
        .join(User, User.id == AccessLog.user_id).outerjoin(Patient, Patient.id == AccessLog.patient_id)
        .where(AccessLog.id.in_(ids)).order_by(AccessLog.id.desc()))
    return [LogRow(log.id, log.at, user, hsa, log.unit, log.patient_id, name, number, log.case_id, log.action,
                   log.detail, outcome)
            for log, user, hsa, name, number, outcome in result]


def _describe(f: LogFilter) -> str:
    parts = [f"användare {f.user_id}" if f.user_id else "", "en patient" if f.patient else "",
             f"från {f.since}" if f.since else "", f"till {f.until}" if f.until else ""]
    return "logggranskning " + (", ".join(p for p in parts if p) or "hela loggen")


def search(ctx: AppContext, f: LogFilter, limit: int = PAGE) -> tuple[int, list[LogRow]]:
    """(how many rows match, the newest `limit` of them)."""
    require(ctx.role, Permission.REVIEW_LOG)
    with ctx.db.transaction() as session:
        query = _filtered(session, ctx, f)
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        ids = list(session.scalars(query.order_by(AccessLog.id.desc()).limit(limit)))
        rows = _rows(session, ids)
        log_list_view(session, ctx, _describe(f))
        return total, rows


def draw_sample(ctx: AppContext, f: LogFilter, size: int, seed: int | None = None) -> tuple[str, list[LogRow]]:
    """A stickprov: `size` rows drawn at random among those matching the filter. Returns its name and rows."""
    require(ctx.role, Permission.REVIEW_LOG)
    if not 1 <= size <= 1000:
        raise InputError("Antal", "ange ett antal mellan 1 och 1000.")
    with ctx.db.transaction() as session:
        ids = list(session.scalars(_filtered(session, ctx, f).where(AccessLog.patient_id.is_not(None))))
        chosen = random.Random(seed).sample(ids, min(size, len(ids)))
        name = f"stickprov {utcnow():%Y-%m-%d %H:%M}"
        log_list_view(session, ctx, f"{_describe(f)}: {name}, {len(chosen)} rader")
        return name, _rows(session, chosen)


def record_review(ctx: AppContext, log_id: int, outcome: Outcome | str, note: str, sample: str | None = None) -> int:
    require(ctx.role, Permission.REVIEW_LOG)
    outcome = Outcome(outcome)
    check_text(note, "Anteckning", TEXT_LIMIT)
    if outcome is Outcome.QUESTIONED and not note.strip():
        raise InputError("Anteckning", "beskriv avvikelsen och vad som ska göras.")
    with ctx.db.transaction() as session:
        if session.get(AccessLog, log_id) is None:
            raise NotFoundError("Loggrad", "loggraden finns inte.")
        row = AuditReview(access_log_id=log_id, sample=sample, outcome=outcome.value, note=note.strip(),
                          reviewer_id=ctx.user_id)
        session.add(row)
        session.flush()
        return row.id


def _fold(text: str | None) -> str:
    return "".join((text or "").casefold().split())


def _surname(user: User) -> str:
    name = user.surname or (user.display_name.split() or [""])[-1]
    return name.casefold()


def unusual_access(ctx: AppContext, since: date | None = None, until: date | None = None) -> list[UnusualAccess]:
    require(ctx.role, Permission.REVIEW_LOG)
    with ctx.db.transaction() as session:
        period = _filtered(session, ctx, LogFilter(since=since, until=until)).where(
            AccessLog.patient_id.is_not(None),
            or_(AccessLog.action != str(Action.SHOWN), AccessLog.detail.contains(SEARCHED, autoescape=True)))
        # one column named: on the server a granskare reads only these columns of a case (app.server_roles)
        assigned = select(Case.id).where(Case.patient_id == AccessLog.patient_id,
                                         Case.assigned_user_id == AccessLog.user_id).exists()
        pairs = session.execute(
            select(AccessLog.user_id, AccessLog.patient_id, func.count().label("count"),
                   func.max(AccessLog.at).label("last_at"), Patient.name, Patient.id_number, Patient.street,
                   Patient.postal_code, assigned.label("assigned"))
            .join(Patient, Patient.id == AccessLog.patient_id).where(AccessLog.id.in_(period))
            .group_by(AccessLog.user_id, AccessLog.patient_id, Patient.id)).all()
        users = {u.id: u for u in session.scalars(select(User))}
        out = []
        for pair in pairs:
            user = users[pair.user_id]
            reasons = []
            if not pair.assigned:
                reasons.append("patienten har inget ärende som är tilldelat användaren")
            if _surname(user) and (pair.name.split() or [""])[-1].casefold() == _surname(user):
                reasons.append("samma efternamn som användaren")
            if user.street and _fold(user.street) == _fold(pair.street) and (
                    not user.postal_code or not pair.postal_code
                    or _fold(user.postal_code) == _fold(pair.postal_code)):
                reasons.append("samma adress som användaren")
            if reasons:
                out.append(UnusualAccess(user.id, user.display_name, pair.patient_id, pair.name, pair.id_number,
                                         tuple(reasons), pair.count, pair.last_at))
        log_list_view(session, ctx, "logggranskning: ovanliga åtkomster")
        return sorted(out, key=lambda u: (-len(u.reasons), u.user, u.patient_name))
