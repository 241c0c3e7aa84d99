"""A patient's contact details kept up to date: each change on the patient's history (db.audit.PatientChange)
and in the access log; the patient's cases; the archive search for closed cases."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import and_, or_, select, true

from app.access import Action, log_list_view, patient_access
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.identity import display_id, parse_patient_id
from app.roles import Permission, require
from app.text_input import LINE_LIMIT, check_texts, limit_of
from db.audit import PatientChange
from db.models import Case, Patient, Specialty, Step, User, search_words

LANGUAGES = {"sv": "svenska", "en": "engelska"}
REPRESENTATIVES = {"vardnadshavare": "Vårdnadshavare", "ombud": "Ombud"}
# The patient's history names each field as the form does.
FIELD_NAMES = {
    "street": "Gatuadress", "postal_code": "Postnummer", "city": "Ort", "phone": "Telefon",
    "language": "Språk i brev", "representative_kind": "Företrädare", "representative_name": "Företrädarens namn",
    "representative_address": "Företrädarens adress", "protected_identity": "Skyddad identitet",
}
ADDRESS_FIELDS = ("street", "postal_code", "city")
NOT_KEPT = "(sparas inte vid skyddad identitet)"  # an address value in the history of a protected patient


@dataclass(frozen=True)
class ContactDetails:
    """What a case worker may correct about a patient (name and personnummer come from the population register)."""

    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    language: str = "sv"
    representative_kind: str | None = None
    representative_name: str | None = None
    representative_address: str | None = None
    protected_identity: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    field: str        # as the form names it
    old: str | None   # None: empty; NOT_KEPT: an address under protected identity
    new: str | None
    by: str
    at: datetime      # UTC


@dataclass(frozen=True)
class CaseSummary:
    case_id: int
    specialty: str
    opened_on: date
    closed_on: date | None
    close_reason: str | None
    steps: str        # the steps' short names, in order


@dataclass(frozen=True)
class PatientView:
    id: int
    name: str
    id_number: str
    details: ContactDetails
    cases: list[CaseSummary]
    history: list[HistoryEntry]


def view_patient(ctx: AppContext, patient_id: int, case_id: int | None = None) -> PatientView:
    """The patient's details, cases and history; logged as a read (from `case_id` when opened from a case)."""
    with ctx.db.transaction() as session:
        patient = patient_access(session, ctx, patient_id, Action.READ, case_id, "patientuppgifter")
        details = ContactDetails(**{f.name: getattr(patient, f.name) for f in fields(ContactDetails)})
        history = [
            HistoryEntry(FIELD_NAMES.get(c.field, c.field), c.old_value, c.new_value, by, c.changed_at)
            for c, by in session.execute(
                select(PatientChange, User.display_name).join(User, User.id == PatientChange.user_id)
                .where(PatientChange.patient_id == patient_id).order_by(PatientChange.id.desc()))
        ]
        return PatientView(patient.id, patient.name, patient.id_number, details,
                           _case_summaries(session, ctx, [patient_id]), history)


def _case_summaries(session, ctx: AppContext, patient_ids: list[int]) -> list[CaseSummary]:
    rows = session.execute(
        select(Case.id, Specialty.name, Case.opened_on, Case.closed_on, Case.close_reason)
        .join(Specialty, Specialty.code == Case.specialty_code)
        .where(Case.patient_id.in_(patient_ids)).order_by(Case.opened_on.desc(), Case.id.desc())).all()
    codes: dict[int, list[str]] = {}
    for case_id, code, started_on in session.execute(select(Step.case_id, Step.code, Step.started_on).where(
            Step.case_id.in_([r[0] for r in rows])).order_by(Step.id)):
        codes.setdefault(case_id, []).append(ctx.rules.for_date(started_on).step(code).short_name)
    return [CaseSummary(r[0], r[1], r[2], r[3], r[4], ", ".join(codes.get(r[0], []))) for r in rows]


def update_contact_details(ctx: AppContext, patient_id: int, details: ContactDetails,
                           case_id: int | None = None) -> int:
    """Save what changed, one history row per field and one access-log row; returns how many fields changed.
    Protected identity removes the address: Lotsen never keeps or prints one for such a patient."""
    require(ctx.role, Permission.CASE_WORK)
    details = _checked(details)
    with ctx.db.transaction() as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise NotFoundError("Patient", "patienten finns inte.")
        was_protected = patient.protected_identity
        changed = []
        for f in fields(ContactDetails):
            old, new = getattr(patient, f.name), getattr(details, f.name)
            if old == new:
                continue
            hidden = f.name in ADDRESS_FIELDS and (was_protected or details.protected_identity)
            changed.append(PatientChange(
                patient_id=patient_id, field=f.name, user_id=ctx.user_id,
                old_value=NOT_KEPT if hidden and old else _text(old),
                new_value=NOT_KEPT if hidden and new else _text(new)))
            setattr(patient, f.name, new)
        if not changed:
            return 0
        session.add_all(changed)
        patient_access(session, ctx, patient_id, Action.CHANGE, case_id,
                       "patientuppgifter: " + ", ".join(FIELD_NAMES[c.field].lower() for c in changed))
        return len(changed)


def _checked(d: ContactDetails) -> ContactDetails:
    check_texts({
        "Gatuadress": (d.street, limit_of(Patient.street)), "Postnummer": (d.postal_code, limit_of(Patient.postal_code)),
        "Ort": (d.city, limit_of(Patient.city)), "Telefon": (d.phone, limit_of(Patient.phone)),
        "Företrädarens namn": (d.representative_name, limit_of(Patient.representative_name)),
        "Företrädarens adress": (d.representative_address, LINE_LIMIT),
    })
    if d.language not in LANGUAGES:
        raise InputError("Språk i brev", "välj svenska eller engelska.")
    kind = d.representative_kind or None
    name = (d.representative_name or "").strip() or None
    if kind is not None and kind not in REPRESENTATIVES:
        raise InputError("Företrädare", "välj vårdnadshavare, ombud eller ingen.")
    if kind and not name:
        raise InputError("Företrädarens namn", f"fyll i namnet på {REPRESENTATIVES[kind].lower()}.")
    if name and not kind:
        raise InputError("Företrädare", "välj om det är vårdnadshavare eller ombud.")
    postal = (d.postal_code or "").replace(" ", "")
    if postal and not (postal.isdigit() and len(postal) == 5):
        raise InputError("Postnummer", "skriv fem siffror, till exempel 211 34.")
    clean = {f.name: (v.strip() or None) if isinstance(v := getattr(d, f.name), str) else v
             for f in fields(ContactDetails)}
    clean["language"] = d.language
    clean["representative_kind"] = kind
    clean["representative_name"] = name
    if postal:
        clean["postal_code"] = f"{postal[:3]} {postal[3:]}"
    if not kind:
        clean["representative_address"] = None
    if d.protected_identity:
        clean.update(street=None, postal_code=None, city=None)
    return ContactDetails(**clean)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


# --- the archive: closed cases ---

@dataclass(frozen=True)
class ArchivedCase:
    case_id: int
    patient_name: str
    id_number: str    # as patients write it
    specialty: str
    opened_on: date
    closed_on: date
    close_reason: str | None


ARCHIVE_LIMIT = 500  # a search, not a list of everything: narrow it when there are more


def search_closed(ctx: AppContext, text: str = "", closed_from: date | None = None,
                  closed_to: date | None = None) -> tuple[list[ArchivedCase], bool]:
    """Closed cases whose patient's name or personnummer matches `text` (every word, in any order), closed in
    [closed_from, closed_to]; newest first. Returns the rows and whether there were more than ARCHIVE_LIMIT.
    The search is logged as one list view."""
    check_texts({"Sök": (text, 200)})
    if closed_from and closed_to and closed_to < closed_from:
        raise InputError("Avslutat till", "datumet ligger före Avslutat från.")
    query = (select(Case.id, Patient.name, Patient.id_number, Specialty.name, Case.opened_on, Case.closed_on,
                    Case.close_reason)
             .join(Patient, Patient.id == Case.patient_id).join(Specialty, Specialty.code == Case.specialty_code)
             .where(Case.closed_on.is_not(None)))
    words = text.split()
    if not words and closed_from is None and closed_to is None:
        raise InputError("Sök", "skriv ett namn eller personnummer, eller ange en period.")
    for word in words:
        digits = word.replace("-", "").replace("+", "")
        parts = (Patient.search_name.contains(part, autoescape=True) for part in search_words(word))
        conditions = [and_(true(), *parts)]  # true(): a word that folds to nothing narrows nothing
        if digits.isdigit():
            conditions.append(Patient.id_number.contains(_id_part(digits, ctx.today()), autoescape=True))
        query = query.where(or_(*conditions))
    if closed_from:
        query = query.where(Case.closed_on >= closed_from)
    if closed_to:
        query = query.where(Case.closed_on <= closed_to)
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, f"arkivsökning: {len(words)} sökord, "
                                    f"period {closed_from or '–'} till {closed_to or '–'}")
        rows = session.execute(query.order_by(Case.closed_on.desc(), Case.id.desc())
                               .limit(ARCHIVE_LIMIT + 1)).all()
        more = len(rows) > ARCHIVE_LIMIT
        return [ArchivedCase(r[0], r[1], display_id(r[2]), r[3], r[4], r[5], r[6]) for r in rows[:ARCHIVE_LIMIT]], more


def _id_part(digits: str, today: date) -> str:
    """A whole personnummer typed with 10 digits is matched as its 12-digit form; other digits as typed."""
    if len(digits) == 10:
        try:
            return parse_patient_id(digits, today=today).value
        except InputError:
            return digits
    return digits

