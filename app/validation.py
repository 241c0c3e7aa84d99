"""The validation round and long waiters (issue 15, item 7).

The agreements ask that waiting lists hold only actively waiting patients, so each open step's need is checked
again now and then: a validation ("behöver fortfarande vården", health status, channel, date) is a timeline entry
of the step. A step waiting longer than its rule's `long_wait_days` (two years; BUP three months for the first
visit, six for the later stages, SOU 2021:59) needs a recorded reason, also a timeline entry of the step. Both are
case events that do not touch the clock, so they show on the case's timeline and are undone like any entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from app.access import Action, log_patients_shown, patient_access
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.roles import Permission, require
from app.rulebook import shipped_rule_book
from app.settings import get_setting, set_setting
from app.text_input import LINE_LIMIT, TEXT_LIMIT, check_text
from db import worklist as worklist_db
from db.models import Case, CaseEvent, Patient, Step

VALIDATION = "validation"
LONG_WAIT_REASON = "long_wait_reason"
KINDS = {VALIDATION: "Validering", LONG_WAIT_REASON: "Orsak till lång väntan"}
VALIDATION_DAYS = ("validation.days", 180)  # a step not validated within this many days is due (setting)
VALIDATION_DAYS_RANGE = (7, 730)
VALIDATION_DAYS_LABEL = "Validering av väntande senast efter (dagar)"
CHANNELS = {"telefon": "Telefon", "brev": "Brev", "1177": "Meddelande via 1177", "besok": "Besök",
            "journal": "Journalgranskning"}
ENTRY = worklist_db.WorklistEntry


@dataclass(frozen=True)
class Validation:
    on: date
    still_needed: bool
    health_status: str
    channel: str


def validation_days(ctx: AppContext) -> int:
    return int(get_setting(ctx.db, *VALIDATION_DAYS))


def set_validation_days(ctx: AppContext, days: object) -> None:
    """The region's setting, changed by those who change settings; kept with its history (app.settings)."""
    require(ctx.role, Permission.CHANGE_SETTINGS)
    low, high = VALIDATION_DAYS_RANGE
    if not (isinstance(days, int) and low <= days <= high):
        raise InputError(VALIDATION_DAYS_LABEL, f"ange ett heltal mellan {low} och {high}.")
    set_setting(ctx.db, VALIDATION_DAYS[0], days, ctx.user_id)


def _open_step(session, ctx: AppContext, step_id: int, expected_version: int | None) -> tuple[Case, Step]:
    from app.cases import _changing  # the one version check of a case change

    step = session.get(Step, step_id)
    if step is None:
        raise NotFoundError("Steg", "steget finns inte.")
    case = _changing(session, ctx, step.case_id, expected_version)
    if not step.is_open:
        raise InputError("Steg", "steget är avslutat; bara öppna steg valideras.")
    return case, step


def record_validation(ctx: AppContext, step_id: int, v: Validation, *, expected_version: int | None = None) -> int:
    """One transaction: the case's version check, the access-log entry for the change, the timeline entry."""
    require(ctx.role, Permission.CASE_WORK)
    if v.channel not in CHANNELS:
        raise InputError("Kanal", "välj telefon, brev, 1177, besök eller journalgranskning.")
    if v.on > ctx.today():
        raise InputError("Datum", "valideringen kan inte ha gjorts i framtiden.")
    check_text(v.health_status, "Hälsotillstånd", LINE_LIMIT)
    if not v.health_status.strip():
        raise InputError("Hälsotillstånd", "skriv kort hur patienten mår, till exempel oförändrat.")
    with ctx.db.transaction() as session:
        case, step = _open_step(session, ctx, step_id, expected_version)
        if v.on < step.started_on:
            raise InputError("Datum", f"valideringen kan inte vara före stegets start ({step.started_on.isoformat()}).")
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, "validering")
        row = CaseEvent(case_id=case.id, step_id=step.id, kind=VALIDATION, on=v.on, user_id=ctx.user_id,
                        details={"still_needed": v.still_needed, "health_status": v.health_status.strip(),
                                 "channel": v.channel})
        session.add(row)
        session.flush()
        return row.id


def record_long_wait_reason(ctx: AppContext, step_id: int, reason: str, *,
                            expected_version: int | None = None) -> int:
    require(ctx.role, Permission.CASE_WORK)
    check_text(reason, "Orsak till lång väntan", TEXT_LIMIT)
    if not reason.strip():
        raise InputError("Orsak till lång väntan", "skriv varför patienten har väntat så länge.")
    with ctx.db.transaction() as session:
        case, step = _open_step(session, ctx, step_id, expected_version)
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, "orsak till lång väntan")
        row = CaseEvent(case_id=case.id, step_id=step.id, kind=LONG_WAIT_REASON, on=ctx.today(),
                        user_id=ctx.user_id, details={"reason": reason.strip()})
        session.add(row)
        session.flush()
        return row.id


def describe(kind: str, details: dict) -> str:
    """A validation or reason in the timeline's words."""
    if kind == VALIDATION:
        need = "behöver fortfarande vården" if details.get("still_needed") else "behöver inte längre vården"
        channel = CHANNELS.get(details.get("channel", ""), details.get("channel", ""))
        return f"Patienten {need}. Hälsotillstånd: {details.get('health_status', '')} ({channel})"
    return details.get("reason", "")


def is_long_wait(waited: int, limit: int) -> bool:
    """The one rule, as the SQL below has it too: waited strictly longer than the limit."""
    return waited > limit


# --- the worklist's conditions over the read model (app.worklist) ---

def not_validated_condition(today: date, days: int) -> ColumnElement[bool]:
    """Open steps waiting longer than `days` without a validation in the last `days` days."""
    since = today - timedelta(days=days)
    recent = exists().where(CaseEvent.step_id == ENTRY.step_id, CaseEvent.kind == VALIDATION, CaseEvent.on >= since)
    return and_(ENTRY.clock_start < since, ~recent)


def long_wait_limits(today: date) -> dict[str, int]:
    """Each step's limit: from the shipped rules (a region's overrides do not change it)."""
    return {code: rule.long_wait_days for code, rule in shipped_rule_book().for_date(today).steps.items()}


def long_wait_condition(today: date) -> ColumnElement[bool]:
    """Open steps waiting longer than their step's `long_wait_days` (waited = today - waited_key)."""
    limits = long_wait_limits(today)
    parts = [and_(ENTRY.step_code == code, ENTRY.waited_key < today - timedelta(days=d)) for code, d in limits.items()]
    return or_(*parts) if parts else false()


def has_reason() -> ColumnElement[bool]:
    return exists().where(CaseEvent.step_id == ENTRY.step_id, CaseEvent.kind == LONG_WAIT_REASON)


# --- the report of long waiters ---

@dataclass(frozen=True)
class LongWaiter:
    step_id: int
    case_id: int
    patient_name: str
    id_number: str
    protected_identity: bool
    step_name: str
    waiting_unit: str | None
    waited: int
    limit: int
    reason: str | None  # the latest recorded reason; None: missing


def long_waiters(ctx: AppContext, today: date | None = None) -> list[LongWaiter]:
    """Every open step waiting past its limit, longest first, with its latest reason; the patients shown go in
    the access log."""
    from app.rulebook import step_names
    from app.worklist import _reading

    require(ctx.role, Permission.CASE_WORK)
    today = today or ctx.today()
    limits = long_wait_limits(today)
    names = step_names(ctx.rules)
    with _reading(ctx, today) as session:
        rows = session.execute(
            select(ENTRY.step_id, Step.case_id, Patient.id, Patient.name, Patient.id_number,
                   Patient.protected_identity, ENTRY.step_code, ENTRY.waiting_unit, ENTRY.waited_key)
            .join(Step, Step.id == ENTRY.step_id).join(Case, Case.id == Step.case_id)
            .join(Patient, Patient.id == Case.patient_id)
            .where(long_wait_condition(today)).order_by(ENTRY.waited_key, ENTRY.step_id)).all()
        reasons: dict[int, str] = {}
        if rows:
            for step_id, details in session.execute(
                    select(CaseEvent.step_id, CaseEvent.details)
                    .where(CaseEvent.kind == LONG_WAIT_REASON, CaseEvent.step_id.in_([r[0] for r in rows]))
                    .order_by(CaseEvent.id)):
                reasons[step_id] = details.get("reason", "")
    result = [LongWaiter(step_id, case_id, name, id_number, prot, names.get(code, code), unit, (today - waited_key).days,
                         limits[code], reasons.get(step_id))
              for step_id, case_id, _pid, name, id_number, prot, code, unit, waited_key in rows]
    if rows:  # in a transaction of its own: the read above never waits for a writer
        with ctx.db.transaction() as session:
            log_patients_shown(session, ctx, [(r[2], r[1]) for r in rows], "Långväntande")
    return result
