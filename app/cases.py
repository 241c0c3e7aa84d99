"""Case use cases: open a case, record each kind of event, evaluate clocks, close. One transaction each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app import preferences, steps
from app.access import Action, patient_access
from app.care_kind import care_kind
from app.case_actions import CASE_LEVEL, CaseAction, case_blocked, pvv_date, step_blocked
from app.context import AppContext
from app.errors import ConflictError, InputError, NotFoundError
from app.guarantee import (
    STILL,
    Answer,
    ClockEvent,
    ClockResult,
    EventKind,
    PauseKind,
    PvvRefused,
    State,
    check_new_event,
    check_pvv,
    evaluate,
)
from app.guarantee.validation import rule_set_for_start
from app.identity import parse_patient_id
from app.offer_checks import check_offer
from app.preferences import Preferences
from app.roles import Permission, require
from app.rule_settings import current_rules
from app.text_input import CODE_LIMIT, LINE_LIMIT, TEXT_LIMIT, check_text, check_texts, limit_of
from app.worklist import is_booked_late
from db.audit import EventCorrection
from db.models import Case, CaseEvent, Municipality, Patient, Region, Specialty, Step, User
from db.preferences import CasePreferences
from db.register import ListRecord, ListReview


class Note(StrEnum):
    """Timeline entries that do not affect the clock."""

    NOTE = "note"
    LETTER = "letter"
    ASSIGNED = "assigned"
    CASE_CLOSED = "case_closed"
    CASE_REOPENED = "case_reopened"


CLOSE_REASONS = {
    "genomford": "Vården är genomförd",
    "eget_val": "Patienten har själv valt vård i en annan region",
    "behov_upphort": "Vårdbehovet har upphört",
    "avbojt": "Patienten avstår vården",
    "avliden": "Patienten har avlidit",
    "flyttat": "Patienten har flyttat från regionen",
    "felregistrerad": "Felregistrerat ärende",
}
CONTACT_CHANNELS = {"telefon": "Telefon", "brev": "Brev", "1177": "Meddelande via 1177", "besok": "Besök"}


@dataclass(frozen=True)
class NewPatient:
    id_number: str
    name: str
    home_region: str
    municipality: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    protected_identity: bool = False
    language: str = "sv"
    phone: str | None = None
    representative_kind: str | None = None
    representative_name: str | None = None
    representative_address: str | None = None


@dataclass(frozen=True)
class NewCase:
    step: str
    started_on: date
    specialty: str
    activity: str | None = None
    waiting_unit: str | None = None
    medical_priority: str | None = None
    target_date: date | None = None  # medicinskt måldatum, return visits


@dataclass(frozen=True)
class Opened:
    patient_id: int
    case_id: int
    step_id: int


@dataclass(frozen=True)
class RegisterPlace:
    """The register's facts of an offered unit that decide where the care is (app.care_kind)."""

    unit: str
    region: str          # the unit's region (SCB länskod)
    public: bool         # the provider is a region's own care
    own_region: str      # the region Lotsen works for


def open_case(ctx: AppContext, patient: NewPatient, case: NewCase) -> Opened:
    require(ctx.role, Permission.CASE_WORK)
    _check_free_text(patient, case)
    pid = parse_patient_id(patient.id_number, today=ctx.today())
    if not patient.name.strip():
        raise InputError("Namn", "fyll i patientens namn.")
    if not case.specialty:
        raise InputError("Verksamhetsområde", "välj verksamhetsområde.")
    with ctx.db.transaction() as session:
        _require(session, Region, patient.home_region, "Hemregion", "okänd regionkod")
        if patient.municipality:
            _require(session, Municipality, patient.municipality, "Kommun", "okänd kommunkod")
        _require(session, Specialty, case.specialty, "Verksamhetsområde", "okänd MVO-kod")
        existing = session.scalar(select(Patient).where(Patient.id_number == pid.value))
        if existing is None:
            row = Patient(
                id_number=pid.value, id_kind=pid.kind.value, name=patient.name.strip(),
                street=patient.street, postal_code=patient.postal_code, city=patient.city,
                protected_identity=patient.protected_identity, language=patient.language,
                representative_kind=patient.representative_kind,
                representative_name=patient.representative_name,
                representative_address=patient.representative_address,
                home_region_code=patient.home_region, municipality_code=patient.municipality,
                sex=pid.sex, birth_year=pid.birth_date.year, phone=patient.phone,
            )
            session.add(row)
            session.flush()
            patient_id, action = row.id, Action.CREATE
        else:
            patient_id, action = existing.id, Action.READ
        duplicate = session.scalar(
            select(Case.id).join(Step).where(
                Case.patient_id == patient_id, Case.closed_on.is_(None), Step.is_open,
                Step.code == case.step, Case.specialty_code == case.specialty,
            )
        )
        if duplicate:
            raise InputError("Steg", f"patienten har redan ett öppet ärende för samma steg och "
                                     f"verksamhetsområde (ärende {duplicate}).")
        row_case = Case(
            patient_id=patient_id, specialty_code=case.specialty, activity_code=case.activity,
            waiting_unit=case.waiting_unit, medical_priority=case.medical_priority,
            assigned_user_id=ctx.user_id, opened_on=ctx.today(),
        )
        session.add(row_case)
        session.flush()
        patient_access(session, ctx, patient_id, action, row_case.id, "nytt ärende")
        step = _start_step(session, ctx, row_case, case.step, case.started_on, case.target_date)
        return Opened(patient_id, row_case.id, step.id)


def _check_free_text(patient: NewPatient, case: NewCase) -> None:
    """Every text field of the form, named as the form names it, before anything is written (app.text_input)."""
    check_texts({
        "Namn": (patient.name, limit_of(Patient.name)),
        "Hemregion": (patient.home_region, CODE_LIMIT),
        "Kommun": (patient.municipality, CODE_LIMIT),
        "Gatuadress": (patient.street, limit_of(Patient.street)),
        "Postnummer": (patient.postal_code, limit_of(Patient.postal_code)),
        "Ort": (patient.city, limit_of(Patient.city)),
        "Språk i brev": (patient.language, limit_of(Patient.language)),
        "Telefon": (patient.phone, limit_of(Patient.phone)),
        "Företrädare": (patient.representative_kind, limit_of(Patient.representative_kind)),
        "Företrädarens namn": (patient.representative_name, limit_of(Patient.representative_name)),
        "Företrädarens adress": (patient.representative_address, LINE_LIMIT),
        "Steg": (case.step, CODE_LIMIT),
        "Verksamhetsområde": (case.specialty, CODE_LIMIT),
        "Åtgärd": (case.activity, CODE_LIMIT),
        "Väntar hos": (case.waiting_unit, limit_of(Case.waiting_unit)),
        "Medicinsk prioritet": (case.medical_priority, limit_of(Case.medical_priority)),
    })


def add_step(ctx: AppContext, case_id: int, code: str, started_on: date, target_date: date | None = None, *,
             expected_version: int | None = None) -> int:
    """The next step of the same case, e.g. treatment after the first visit."""
    with ctx.db.transaction() as session:
        case = _changing(session, ctx, case_id, expected_version)
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, f"nytt steg {code}")
        return _start_step(session, ctx, case, code, started_on, target_date).id


def _start_step(session: Session, ctx: AppContext, case: Case, code: str, started_on: date,
                target_date: date | None) -> Step:
    current_rules(session, ctx)  # thresholds a colleague changed since sign-in apply to this step too
    start = ClockEvent(EventKind.START, started_on, target=target_date)
    rule_set_for_start(ctx.rules, started_on).step(code)  # an unknown step code fails here, naming the rule set
    check_new_event(code, [], start, ctx.today(), ctx.rules)
    clock = evaluate(code, [start], ctx.today(), ctx.rules)
    step = Step(case_id=case.id, code=code, started_on=started_on, target_date=target_date,
                **steps.cache_columns(clock))
    session.add(step)
    session.flush()
    session.add(CaseEvent(case_id=case.id, step_id=step.id, kind=EventKind.START, on=started_on,
                          user_id=ctx.user_id, details={}))
    return step


# --- recording events on a step ---

# Each service that changes a case takes `expected_version`: the Case.version the user was shown (CaseView.version).
# When someone else saved the case in between, ConflictError is raised and nothing is saved.

def record_contact(ctx: AppContext, step_id: int, on: date, channel: str, outcome: str = "", *,
                   expected_version: int | None = None) -> int:
    if channel not in CONTACT_CHANNELS:
        raise InputError("Kontaktsätt", "välj telefon, brev, 1177 eller besök.")
    check_text(outcome, "Resultat", TEXT_LIMIT)
    return _record(ctx, step_id, ClockEvent(EventKind.CONTACT, on), details={"channel": channel,
                                                                              "outcome": outcome},
                   expected_version=expected_version)


def record_informed(ctx: AppContext, step_id: int, on: date, how: str = "", *,
                    expected_version: int | None = None) -> int:
    check_text(how, "Hur")
    return _record(ctx, step_id, ClockEvent(EventKind.INFORMED, on), details={"how": how},
                   expected_version=expected_version)


def record_notice(ctx: AppContext, step_id: int, on: date, cannot_meet: bool = False, *,
                  expected_version: int | None = None) -> int:
    return _record(ctx, step_id, ClockEvent(EventKind.NOTICE, on), details={"cannot_meet": cannot_meet},
                   expected_version=expected_version)


def make_offer(
    ctx: AppContext, step_id: int, on: date, appointment: date | None, reply_by: date | None,
    provider: str, unit: str = "", address: str = "", time: str = "", *, confirmed: bool = False,
    expected_version: int | None = None, place: RegisterPlace | None = None,
) -> int:
    """An offered appointment. One that would mislead (after the deadline, or already past) raises
    ConfirmationNeeded with the consequences, and is saved only when called again with `confirmed`. `place`: the
    register's facts of the unit, when the offer comes from the register; the offer then records where the care
    is (app.care_kind), judged against the case's waiting unit in the same transaction."""
    check_texts({"Vårdgivare": (provider, LINE_LIMIT), "Mottagning": (unit, LINE_LIMIT),
                 "Adress": (address, LINE_LIMIT), "Klockslag": (time, 20)})
    if not provider.strip():
        raise InputError("Vårdgivare", "ange vilken vårdgivare som erbjuder tiden.")
    time = time.strip().replace(".", ":")
    if time and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time):
        raise InputError("Klockslag", "skriv tiden som TT:MM, till exempel 09:30.")
    event = ClockEvent(EventKind.OFFER, on, appointment=appointment)
    details = {"provider": provider.strip(), "unit": unit, "address": address, "time": time}
    with ctx.db.transaction() as session:
        step = session.get(Step, step_id)
        if step is None:
            raise NotFoundError("Steg", "steget finns inte.")
        current_rules(session, ctx)
        deadline = steps.evaluate_rows(step.code, _step_rows(session, step.id), step.target_date, on,
                                       ctx.rules).deadline
        check_offer(on, appointment, reply_by, deadline, ctx.today(), confirmed=confirmed)
        if confirmed:
            details["confirmed"] = True  # the case worker saw the consequences and saved it anyway
        return _add(session, ctx, step_id, event, reply_by=reply_by, details=details,
                    expected_version=expected_version, place=place)


def record_answer(ctx: AppContext, offer_id: int, on: date, answer: Answer, *,
                  expected_version: int | None = None) -> int:
    return answer_offer(ctx, offer_id, on, answer, expected_version=expected_version).answer_id


@dataclass(frozen=True)
class Answered:
    answer_id: int
    pvv_id: int | None = None   # set when patientvald väntan was registered with the answer
    pvv_refused: str | None = None  # why not, when it was asked for and a legal condition is missing


def answer_offer(ctx: AppContext, offer_id: int, on: date, answer: Answer, *, with_pvv: bool = False,
                 expected_version: int | None = None) -> Answered:
    """The patient's answer, and with a decline the patientvald väntan it allows: one command, one transaction.
    A decline is saved even when PvV is refused (the answer is a fact); the refusal says which condition is
    missing, and PvV can be registered later on its own once it is on record."""
    with ctx.db.transaction() as session:
        offer = session.get(CaseEvent, offer_id)
        if offer is None or offer.kind != EventKind.OFFER:
            raise NotFoundError("Erbjudande", "erbjudandet finns inte.")
        if session.scalar(select(CaseEvent.id).where(CaseEvent.offer_id == offer_id)):
            raise InputError("Svar", "erbjudandet är redan besvarat.")
        if on < offer.on:
            raise InputError("Svarsdatum", "svaret ligger före erbjudandet.")
        event = ClockEvent(EventKind.ANSWER, on, appointment=offer.appointment, answer=answer)
        answer_id = _add(session, ctx, offer.step_id, event, offer_id=offer_id, expected_version=expected_version)
        if not with_pvv or answer is not Answer.DECLINED:
            return Answered(answer_id)
        try:
            pvv_id = _add(session, ctx, offer.step_id, ClockEvent(EventKind.PVV, on))
        except PvvRefused as refused:  # checked before anything of the PvV is written
            return Answered(answer_id, pvv_refused=f"{refused.message[0].upper()}{refused.message[1:]}")
        return Answered(answer_id, pvv_id)


def register_pvv(ctx: AppContext, step_id: int, on: date, *, expected_version: int | None = None) -> int:
    """Patientvald väntan: refused with the missing legal condition named (PvvRefused) unless all hold."""
    return _record(ctx, step_id, ClockEvent(EventKind.PVV, on), expected_version=expected_version)


def start_pause(ctx: AppContext, step_id: int, on: date, kind: PauseKind, reason: str = "", *,
                expected_version: int | None = None) -> int:
    check_text(reason, "Orsak", TEXT_LIMIT)
    return _record(ctx, step_id, ClockEvent(EventKind.PAUSE_START, on, pause=kind), details={"reason": reason},
                   expected_version=expected_version)


def end_pause(ctx: AppContext, step_id: int, on: date, kind: PauseKind, *,
              expected_version: int | None = None) -> int:
    return _record(ctx, step_id, ClockEvent(EventKind.PAUSE_END, on, pause=kind), expected_version=expected_version)


def restart(ctx: AppContext, step_id: int, on: date, *, expected_version: int | None = None) -> int:
    return _record(ctx, step_id, ClockEvent(EventKind.RESTART, on), expected_version=expected_version)


def complete_step(ctx: AppContext, step_id: int, on: date, where: str = "", *,
                  expected_version: int | None = None) -> int:
    check_text(where, "Var")
    return _record(ctx, step_id, ClockEvent(EventKind.COMPLETED, on), details={"where": where},
                   expected_version=expected_version)


def _record(ctx: AppContext, step_id: int, event: ClockEvent, reply_by: date | None = None,
            details: dict | None = None, expected_version: int | None = None,
            place: RegisterPlace | None = None) -> int:
    with ctx.db.transaction() as session:
        return _add(session, ctx, step_id, event, reply_by=reply_by, details=details,
                    expected_version=expected_version, place=place)


def _add(session: Session, ctx: AppContext, step_id: int, event: ClockEvent, *, reply_by: date | None = None,
         offer_id: int | None = None, details: dict | None = None, expected_version: int | None = None,
         place: RegisterPlace | None = None) -> int:
    step = session.get(Step, step_id)
    if step is None:
        raise NotFoundError("Steg", "steget finns inte.")
    case = _changing(session, ctx, step.case_id, expected_version)
    current_rules(session, ctx)  # thresholds a colleague changed since sign-in apply to this step too
    rows = _step_rows(session, step.id)
    known = steps.clock_events(rows, step.target_date)
    check_new_event(step.code, known, event, ctx.today(), ctx.rules)
    if event.kind is EventKind.PVV:
        check_pvv(step.code, known, event.on, ctx.rules)
    patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, event.kind.value)
    row = CaseEvent(
        case_id=case.id, step_id=step.id, kind=event.kind, on=event.on, appointment=event.appointment,
        reply_by=reply_by, answer=event.answer, pause=event.pause, offer_id=offer_id, details=details or {},
        user_id=ctx.user_id,
        care_kind=None if place is None else care_kind(place.unit, place.region, place.public, case.waiting_unit,
                                                       place.own_region),
    )
    session.add(row)
    session.flush()
    steps.refresh(step, [*rows, row], ctx.today(), ctx.rules)
    return row.id


# --- case-level actions ---

def add_note(ctx: AppContext, case_id: int, text: str, *, expected_version: int | None = None) -> int:
    check_text(text, "Anteckning", TEXT_LIMIT)
    if not text.strip():
        raise InputError("Anteckning", "skriv något i anteckningen.")
    with ctx.db.transaction() as session:
        case = _changing(session, ctx, case_id, expected_version, must_be_open=False)
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, "anteckning")
        row = CaseEvent(case_id=case.id, kind=Note.NOTE, on=ctx.today(), details={"text": text.strip()},
                        user_id=ctx.user_id)
        session.add(row)
        session.flush()
        return row.id


def assign(ctx: AppContext, case_id: int, user_id: int, *, expected_version: int | None = None) -> None:
    with ctx.db.transaction() as session:
        case = _changing(session, ctx, case_id, expected_version)
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("Handläggare", "handläggaren finns inte.")
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, "tilldelning")
        case.assigned_user_id = user.id
        session.add(CaseEvent(case_id=case.id, kind=Note.ASSIGNED, on=ctx.today(),
                              details={"user": user.display_name}, user_id=ctx.user_id))


def close_case(ctx: AppContext, case_id: int, on: date, reason: str, *,
               expected_version: int | None = None) -> None:
    """Close the case and every open step on it with the same reason."""
    if reason not in CLOSE_REASONS:
        raise InputError("Orsak", "välj en orsak till att ärendet avslutas.")
    with ctx.db.transaction() as session:
        case = _changing(session, ctx, case_id, expected_version)
        for step in case.steps:
            if step.is_open:
                _add(session, ctx, step.id, ClockEvent(EventKind.CLOSED, on), details={"reason": reason})
        case.closed_on = on
        case.close_reason = reason
        session.add(CaseEvent(case_id=case.id, kind=Note.CASE_CLOSED, on=on, details={"reason": reason},
                              user_id=ctx.user_id))


def reopen_case(ctx: AppContext, case_id: int, reason: str, *, expected_version: int | None = None) -> None:
    """Open a closed case again, with the reason on its timeline. Its closed steps stay closed as recorded (their
    clocks are history); the next step is added as a new one (add_step), with its own start date."""
    check_text(reason, "Orsak", TEXT_LIMIT)
    if not reason.strip():
        raise InputError("Orsak", "skriv varför ärendet öppnas igen.")
    with ctx.db.transaction() as session:
        case = _changing(session, ctx, case_id, expected_version, must_be_open=False)
        if case.closed_on is None:
            raise InputError("Ärende", "ärendet är redan öppet.")
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, "ärendet öppnat igen")
        session.add(CaseEvent(case_id=case.id, kind=Note.CASE_REOPENED, on=ctx.today(), user_id=ctx.user_id,
                              details={"reason": reason.strip(), "closed_on": case.closed_on.isoformat(),
                                       "close_reason": case.close_reason}))
        case.closed_on = None
        case.close_reason = None


# --- reading ---

@dataclass(frozen=True)
class ListRecordView:
    """The clinic's own record of a step, as its lists gave it (db.register.ListRecord, DOMAIN.md §8)."""

    source: str
    seen_on: date | None          # the latest list that held the step
    planned_on: date | None       # the booked date
    booked_late: bool             # booked after the deadline while the clock runs (app.worklist.is_booked_late)
    deviation: int | None         # SKR's Avvikelse: 1 PvV, 2 MoV, 3 SoV
    deviation_from: date | None
    deviation_to: date | None
    missing_since: date | None    # on the review list: the first list that lacked it ("Saknas i senaste listan")


@dataclass(frozen=True)
class StepView:
    id: int
    code: str
    name: str
    short_name: str
    clock: ClockResult
    blocked: dict[CaseAction, str] = field(default_factory=dict)  # actions not allowed now, with the reason
    pvv_from: date | None = None  # the date PvV would be registered from now (the latest decline)
    record: ListRecordView | None = None  # the clinic's record, for a step its lists brought in or held


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    on: date
    kind: str
    step_id: int | None
    appointment: date | None
    reply_by: date | None
    answer: str | None
    pause: str | None
    offer_id: int | None
    details: dict


@dataclass(frozen=True)
class CorrectionView:
    """A corrected date on the case (app.corrections): shown as the case's change history."""

    event_id: int
    kind: str
    old_on: date
    new_on: date
    reason: str
    by: str
    at: datetime  # UTC


@dataclass(frozen=True)
class CaseView:
    id: int
    patient_id: int
    patient_name: str
    id_number: str
    protected_identity: bool
    address: str | None  # None for protected identity: never shown
    home_region: str
    language: str
    representative_kind: str | None
    representative_name: str | None
    specialty: str
    phone: str | None
    waiting_unit: str | None
    medical_priority: str | None
    assigned_to: str | None
    closed_on: date | None
    close_reason: str | None
    version: int = 0  # Case.version: hand it back as expected_version when changing the case
    steps: list[StepView] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    corrections: list[CorrectionView] = field(default_factory=list)
    preferences: Preferences = field(default_factory=Preferences)
    blocked: dict[CaseAction, str] = field(default_factory=dict)  # case-level actions not allowed now
    withdrawable: list = field(default_factory=list)  # app.withdraw.Withdrawable: what this user may take back

    def why_not(self, action: CaseAction, step: StepView | None) -> str | None:
        """Why `action` cannot be taken now on this case (and `step`), or None when it can."""
        if action in self.blocked:
            return self.blocked[action]
        if action in CASE_LEVEL:
            return None
        if step is None:
            return "Ärendet har inget steg att registrera på."
        return step.blocked.get(action)


def view_case(ctx: AppContext, case_id: int) -> CaseView:
    require(ctx.role, Permission.CASE_WORK)  # a granskare sees patients only through the log review
    today = ctx.today()
    with ctx.db.transaction() as session:
        case = _case_row(session, case_id)
        current_rules(session, ctx)
        patient = patient_access(session, ctx, case.patient_id, Action.READ, case.id)
        events = list(case.events)
        answered = {e.offer_id for e in events if e.offer_id is not None}
        records = _list_records(session, [s.id for s in case.steps])
        step_views = []
        for s in case.steps:
            rule = ctx.rules.for_date(s.started_on).step(s.code)
            rows = [e for e in events if e.step_id == s.id]
            known = steps.clock_events(rows, s.target_date)
            clock = steps.evaluate_rows(s.code, rows, s.target_date, today, ctx.rules)
            unanswered = sum(1 for e in rows if e.kind == EventKind.OFFER and e.id not in answered)
            blocked = step_blocked(s.code, known, clock, unanswered, rule.pause_kinds, today, ctx.rules)
            record = records.get(s.id)
            if record is not None:
                record = replace(record, booked_late=is_booked_late(record.planned_on, clock.deadline,
                                                                    clock.state not in STILL))
            step_views.append(StepView(s.id, s.code, rule.name, rule.short_name, clock, blocked,
                                       pvv_date(known, today), record))
        from app.withdraw import undo_minutes, withdrawable  # it builds on this module

        takeable = withdrawable(session, ctx, case.id)
        address = None if patient.protected_identity else ", ".join(
            p for p in (patient.street, f"{patient.postal_code or ''} {patient.city or ''}".strip()) if p
        ) or None
        return CaseView(
            id=case.id, patient_id=patient.id, patient_name=patient.name, id_number=patient.id_number,
            protected_identity=patient.protected_identity, address=address, home_region=patient.home_region_code,
            language=patient.language, representative_kind=patient.representative_kind,
            representative_name=patient.representative_name, phone=patient.phone,
            specialty=session.get(Specialty, case.specialty_code).name, waiting_unit=case.waiting_unit,
            medical_priority=case.medical_priority,
            assigned_to=session.get(User, case.assigned_user_id).display_name if case.assigned_user_id else None,
            closed_on=case.closed_on, close_reason=case.close_reason, version=case.version,
            steps=step_views, preferences=preferences.of_row(session.get(CasePreferences, case.id)),
            withdrawable=takeable,
            blocked=case_blocked(case.closed_on, sum(v.clock.state is not State.CLOSED for v in step_views),
                                 len(takeable), undo_minutes(session)),
            timeline=[TimelineEntry(e.id, e.on, e.kind, e.step_id, e.appointment, e.reply_by, e.answer, e.pause,
                                    e.offer_id, dict(e.details or {})) for e in events],
            corrections=[CorrectionView(c.event_id, kind, c.old_on, c.new_on, c.reason, by, c.changed_at)
                         for c, kind, by in session.execute(
                             select(EventCorrection, CaseEvent.kind, User.display_name)
                             .join(CaseEvent, CaseEvent.id == EventCorrection.event_id)
                             .join(User, User.id == EventCorrection.user_id)
                             .where(EventCorrection.case_id == case.id).order_by(EventCorrection.id))],
        )


def _list_records(session: Session, step_ids: list[int]) -> dict[int, ListRecordView]:
    """The steps' records from the clinics' lists, with the review list's date for those missing from the latest."""
    missing = dict(session.execute(select(ListReview.step_id, ListReview.list_on).where(
        ListReview.step_id.in_(step_ids), ListReview.resolution.is_(None))).all())
    return {r.step_id: ListRecordView(r.source, r.seen_on, r.planned_on, False, r.deviation, r.deviation_from,
                                      r.deviation_to, missing.get(r.step_id))
            for r in session.scalars(select(ListRecord).where(ListRecord.step_id.in_(step_ids)))}


def case_version(ctx: AppContext, case_id: int) -> int | None:
    """The case's version counter as saved now (None: no such case): whether a shown case is still current. No
    patient data, so no access-log row."""
    with ctx.db.reading() as session:
        return session.scalar(select(Case.version).where(Case.id == case_id))


def step_clock(ctx: AppContext, step_id: int, on: date | None = None) -> ClockResult:
    with ctx.db.transaction() as session:
        step = session.get(Step, step_id)
        if step is None:
            raise NotFoundError("Steg", "steget finns inte.")
        patient_access(session, ctx, step.case.patient_id, Action.READ, step.case_id, "klocka")
        current_rules(session, ctx)
        return steps.evaluate_rows(step.code, _step_rows(session, step.id), step.target_date,
                                   on or ctx.today(), ctx.rules)


def _step_rows(session: Session, step_id: int) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.step_id == step_id)
                                .order_by(CaseEvent.on, CaseEvent.id)))


def _case_row(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("Ärende", f"ärende {case_id} finns inte.")
    return case


def _open_case_row(session: Session, case_id: int) -> Case:
    case = _case_row(session, case_id)
    if case.closed_on is not None:
        raise InputError("Ärende", f"ärendet avslutades {case.closed_on.isoformat()}; inga fler händelser kan "
                                   "registreras.")
    return case


def _changing(session: Session, ctx: AppContext, case_id: int, expected_version: int | None, *,
              must_be_open: bool = True) -> Case:
    """The case about to change: refused when the user saw an older version; its version is bumped on commit
    (the UPDATE also checks the version, so a concurrent writer cannot slip in between)."""
    require(ctx.role, Permission.CASE_WORK)
    case = _open_case_row(session, case_id) if must_be_open else _case_row(session, case_id)
    if expected_version is not None and case.version != expected_version:
        raise ConflictError("Ärendet har ändrats av någon annan sedan du öppnade det. De senaste uppgifterna "
                            "visas nu; din ändring sparades inte – gör den igen om den fortfarande behövs.")
    flag_modified(case, "closed_on")  # no column need change: the version counter still goes up
    return case


def _require(session: Session, model: type, code: str, field_name: str, problem: str) -> None:
    if session.get(model, code) is None:
        raise InputError(field_name, f"{problem} ({code}).")
