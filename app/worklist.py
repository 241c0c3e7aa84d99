"""The worklist: open steps ordered and filtered in the query, so that 100 000 of them stay instant.

Today's state of a step follows from the dates cached on it (db.models.Step, written by app.steps from the
clock); `severity_sql` is the query's form of the clock's own state rule, and a test holds the two together.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from app.access import log_list_view
from app.context import AppContext
from app.errors import InputError
from app.guarantee import SEVERITY, Flag, State, flags_on
from app.rulebook import step_names
from app.settings import SAVED_FILTERS, get_setting, set_setting
from db.models import Case, Patient, Region, Specialty, Step, User
from db.sql import days_between

STATE_BY_SEVERITY = {v: k for k, v in SEVERITY.items()}
BANDS = (150, 365, 730)


def severity_sql(today: date) -> ColumnElement[int]:
    return case(
        (Step.stopped_on.is_not(None), SEVERITY[State.CLOSED]),
        (Step.pvv_since.is_not(None), SEVERITY[State.PVV]),
        (Step.paused_since.is_not(None), SEVERITY[State.PAUSED]),
        (Step.deadline < today, SEVERITY[State.OVERDUE]),
        (Step.akut_from <= today, SEVERITY[State.AKUT]),
        (and_(Step.risk_from.is_not(None), Step.risk_from <= today), SEVERITY[State.RISK]),
        else_=SEVERITY[State.OK],
    )


def remaining_sql(today: date) -> ColumnElement[int]:
    return func.coalesce(Step.frozen_remaining, days_between(Step.deadline, today))


def waited_sql(today: date) -> ColumnElement[int]:
    return func.coalesce(Step.frozen_waited, days_between(today, Step.waiting_since))


class Sort(StrEnum):
    URGENCY = "urgency"  # state severity, then remaining days: the default
    PATIENT = "patient"
    ID_NUMBER = "id_number"
    STEP = "step"
    SPECIALTY = "specialty"
    PRIORITY = "priority"
    DEADLINE = "deadline"
    REMAINING = "remaining"
    WAITED = "waited"
    START = "start"
    UNIT = "unit"
    ASSIGNED = "assigned"
    LAST_CONTACT = "last_contact"


@dataclass(frozen=True)
class Filter:
    """What the case worker narrows the worklist to. Empty sets mean "all"."""

    states: frozenset[State] = frozenset()
    steps: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    home_regions: frozenset[str] = frozenset()
    flags: frozenset[Flag] = frozenset()
    assigned_to: int | None = None
    waited_over: int | None = None       # escalation band: waited more than this many days
    lapsing_within: int | None = None    # running clocks whose deadline is within this many days
    text: str = ""                       # name or personnummer, as typed

    def to_json(self) -> dict[str, Any]:
        return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Filter:
        kinds = {"states": State, "flags": Flag}
        values = {}
        for name, value in data.items():
            if name not in cls.__dataclass_fields__:
                continue
            if isinstance(value, list):
                value = frozenset(kinds[name](v) if name in kinds else v for v in value)
            values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class SortOrder:
    key: Sort = Sort.URGENCY
    descending: bool = False


@dataclass(frozen=True, slots=True)
class WorklistRow:
    step_id: int
    case_id: int
    patient_name: str
    id_number: str
    protected_identity: bool
    step_code: str
    step_name: str
    specialty: str
    waiting_unit: str | None
    medical_priority: str | None
    assigned_to: str | None
    start: date
    deadline: date
    waited: int
    remaining: int
    state: State
    flags: frozenset[Flag] = field(default_factory=frozenset)
    last_contact: date | None = None


CASE_SORTS = {Sort.PATIENT, Sort.ID_NUMBER, Sort.SPECIALTY, Sort.PRIORITY, Sort.UNIT, Sort.ASSIGNED}
PATIENT_SORTS = {Sort.PATIENT, Sort.ID_NUMBER}


def _query(today: date, flt: Filter, order: SortOrder | None = None) -> Select:
    """Open steps passing the filter, in the given order. Joins only what the order needs: at 100 000 steps
    each join costs more than the rest of the query. A closed case has no open steps."""
    sort = order.key if order else None
    needs_case = bool(flt.specialties or flt.units or flt.assigned_to is not None) or sort in CASE_SORTS
    query = select(Step.id).where(Step.is_open)
    if needs_case:
        query = query.join(Case, Step.case_id == Case.id)
    if sort in PATIENT_SORTS:
        query = query.join(Patient, Case.patient_id == Patient.id)
    patient_conditions = _patient_conditions(flt)
    if patient_conditions:
        # Patients first: scanning names once beats joining every open step to its patient.
        patients = select(Patient.id).where(*patient_conditions)
        query = query.where(Step.case_id.in_(select(Case.id).where(Case.patient_id.in_(patients))))
    if flt.states:
        query = query.where(severity_sql(today).in_([SEVERITY[s] for s in flt.states]))
    if flt.steps:
        query = query.where(Step.code.in_(flt.steps))
    if flt.specialties:
        query = query.where(Case.specialty_code.in_(flt.specialties))
    if flt.units:
        query = query.where(Case.waiting_unit.in_(flt.units))
    if flt.assigned_to is not None:
        query = query.where(Case.assigned_user_id == flt.assigned_to)
    if flt.waited_over is not None:
        query = query.where(waited_sql(today) > flt.waited_over)
    if flt.lapsing_within is not None:
        query = query.where(Step.frozen_remaining.is_(None), Step.deadline >= today,
                            Step.deadline <= today + timedelta(days=flt.lapsing_within))
    if Flag.NO_NOTICE in flt.flags:
        query = query.where(Step.pvv_since.is_(None), Step.notice_due <= today)
    if Flag.NO_CONTACT in flt.flags:
        query = query.where(Step.pvv_since.is_(None), Step.contact_due <= today)
    return query if order is None else _order(query, order, today)


def _patient_conditions(flt: Filter) -> list[ColumnElement[bool]]:
    conditions = []
    if flt.home_regions:
        conditions.append(Patient.home_region_code.in_(flt.home_regions))
    text = flt.text.strip()
    if text:
        digits = "".join(ch for ch in text if ch.isalnum())
        if digits.isdigit():
            conditions.append(Patient.id_number.contains(digits, autoescape=True))
        else:
            conditions.append(Patient.search_name.contains(text.casefold(), autoescape=True))
    return conditions


def _order(query: Select, order: SortOrder, today: date) -> Select:
    if order.key is Sort.URGENCY:
        # Within a severity, a running clock's remaining days follow its deadline; a paused one's are frozen.
        keys = [severity_sql(today), Step.frozen_remaining, Step.deadline]
    else:
        if order.key is Sort.SPECIALTY:
            query = query.join(Specialty, Case.specialty_code == Specialty.code)
        elif order.key is Sort.ASSIGNED:
            query = query.outerjoin(User, Case.assigned_user_id == User.id)
        keys = [{
            Sort.PATIENT: Patient.search_name, Sort.ID_NUMBER: Patient.id_number, Sort.STEP: Step.code,
            Sort.SPECIALTY: Specialty.name, Sort.PRIORITY: Case.medical_priority, Sort.DEADLINE: Step.deadline,
            Sort.REMAINING: remaining_sql(today), Sort.WAITED: waited_sql(today), Sort.START: Step.clock_start,
            Sort.UNIT: Case.waiting_unit, Sort.ASSIGNED: User.display_name, Sort.LAST_CONTACT: Step.last_contact,
        }[order.key]]
    keys = [k.desc() if order.descending else k.asc() for k in keys]
    return query.order_by(*keys, Step.id.desc() if order.descending else Step.id)


def open_step_ids(ctx: AppContext, flt: Filter = Filter(), order: SortOrder = SortOrder(),  # noqa: B008
                  today: date | None = None) -> list[int]:
    """Ids of the open steps that pass the filter, in the chosen order (most urgent first by default)."""
    today = today or ctx.today()
    query = _query(today, flt, order)
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, "arbetslista")
        return session.connection().execute(query).scalars().all()  # Core: no ORM rows for 100 000 ids


def rows_for(ctx: AppContext, step_ids: list[int], today: date | None = None) -> list[WorklistRow]:
    """The display rows of the given steps, in the given order (a page of the worklist)."""
    today = today or ctx.today()
    query = (
        select(Step, Patient.name, Patient.id_number, Patient.protected_identity, Specialty.name,
               Case.waiting_unit, Case.medical_priority, User.display_name, severity_sql(today))
        .join(Case, Step.case_id == Case.id)
        .join(Patient, Case.patient_id == Patient.id)
        .join(Specialty, Case.specialty_code == Specialty.code)
        .outerjoin(User, Case.assigned_user_id == User.id)
        .where(Step.id.in_(step_ids))
    )
    names = step_names(ctx.rules)
    with ctx.db.transaction() as session:
        by_id = {}
        for step, name, id_number, protected, specialty, unit, priority, assigned, severity in session.execute(query):
            state = STATE_BY_SEVERITY[severity]
            running = step.frozen_waited is None
            # A paused clock's deadline moves a day for every day of the pause; its remaining days stand still.
            deadline = step.deadline if running or step.stopped_on else today + timedelta(step.frozen_remaining)
            by_id[step.id] = WorklistRow(
                step_id=step.id, case_id=step.case_id, patient_name=name, id_number=id_number,
                protected_identity=protected, step_code=step.code,
                step_name=names.get(step.code, step.code), specialty=specialty, waiting_unit=unit,
                medical_priority=priority, assigned_to=assigned, start=step.clock_start, deadline=deadline,
                waited=(today - step.waiting_since).days if running else step.frozen_waited,
                remaining=(step.deadline - today).days if running else step.frozen_remaining,
                state=state, flags=flags_on(state, step.notice_due, step.contact_due, today),
                last_contact=step.last_contact,
            )
    return [by_id[i] for i in step_ids if i in by_id]


def count_by_state(ctx: AppContext, flt: Filter = Filter(), today: date | None = None) -> dict[State, int]:  # noqa: B008
    today = today or ctx.today()
    severity = severity_sql(today)
    ids = _query(today, flt).subquery()
    query = select(severity, func.count()).join(ids, ids.c.id == Step.id).group_by(severity)
    with ctx.db.transaction() as session:
        return {STATE_BY_SEVERITY[s]: n for s, n in session.execute(query)}


@dataclass(frozen=True)
class Choices:
    """The values the filter lists offer."""

    steps: list[tuple[str, str]]
    specialties: list[tuple[str, str]]
    units: list[str]
    regions: list[tuple[str, str]]


def filter_choices(ctx: AppContext) -> Choices:
    open_cases = select(Case).where(Case.closed_on.is_(None)).subquery()
    names = step_names(ctx.rules)
    with ctx.db.transaction() as session:
        return Choices(
            steps=[(code, names.get(code, code)) for code in
                   session.scalars(select(Step.code).where(Step.is_open).distinct().order_by(Step.code))],
            specialties=[tuple(r) for r in session.execute(
                select(Specialty.code, Specialty.name).join(open_cases, open_cases.c.specialty_code == Specialty.code)
                .distinct().order_by(Specialty.name))],
            units=[u for u in session.scalars(select(open_cases.c.waiting_unit).distinct()
                                              .order_by(open_cases.c.waiting_unit)) if u],
            regions=[tuple(r) for r in session.execute(select(Region.code, Region.name).order_by(Region.name))],
        )


# The start-up summary: what needs attention today, each a filter the worklist can open.
SUMMARY: tuple[tuple[str, Filter], ...] = (
    ("Överskridna", Filter(states=frozenset({State.OVERDUE}))),
    ("Löper ut inom 7 dagar", Filter(lapsing_within=7)),
    ("Löper ut inom 14 dagar", Filter(lapsing_within=14)),
    ("Löper ut inom 30 dagar", Filter(lapsing_within=30)),
    ("Väntat mer än 150 dagar", Filter(waited_over=150)),
    ("Utan besked inom 14 dagar", Filter(flags=frozenset({Flag.NO_NOTICE}))),
    ("Utan kontakt", Filter(flags=frozenset({Flag.NO_CONTACT}))),
)


def summary_counts(ctx: AppContext, today: date | None = None) -> list[tuple[str, Filter, int]]:
    today = today or ctx.today()
    with ctx.db.transaction() as session:
        return [(label, flt, session.scalar(select(func.count()).select_from(_query(today, flt).subquery())))
                for label, flt in SUMMARY]


def saved_filters(ctx: AppContext) -> dict[str, Filter]:
    stored = get_setting(ctx.db, SAVED_FILTERS.format(user_id=ctx.user_id), {}) or {}
    return {name: Filter.from_json(data) for name, data in stored.items()}


def save_filter(ctx: AppContext, name: str, flt: Filter) -> None:
    if not name.strip():
        raise InputError("Namn på filtret", "skriv ett namn.")
    stored = {n: f.to_json() for n, f in saved_filters(ctx).items()}
    stored[name.strip()] = flt.to_json()
    set_setting(ctx.db, SAVED_FILTERS.format(user_id=ctx.user_id), stored, ctx.user_id)
