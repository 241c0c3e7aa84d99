"""The worklist: open steps ordered by how urgent they are, computed in the query so it scales.

Today's state of a step follows from the dates cached on it (db.models.Step, written by app.steps from the
clock); `severity_sql` is the query's form of the clock's own state rule, and a test holds the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, select

from app.access import log_list_view
from app.context import AppContext
from app.guarantee import SEVERITY, Flag, State, flags_on
from db.models import Case, Patient, Specialty, Step, User

STATE_BY_SEVERITY = {v: k for k, v in SEVERITY.items()}


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


@dataclass(frozen=True, slots=True)
class WorklistRow:
    step_id: int
    case_id: int
    patient_name: str
    id_number: str
    protected_identity: bool
    step_code: str
    specialty: str
    waiting_unit: str | None
    medical_priority: str | None
    assigned_to: str | None
    start: date
    deadline: date
    waited: int
    remaining: int
    state: State
    flags: frozenset[Flag]


def open_step_ids(ctx: AppContext, today: date | None = None) -> list[int]:
    """Ids of every open step, most urgent first: state severity, then the nearest deadline."""
    today = today or ctx.today()
    query = (
        select(Step.id)
        .join(Case, Step.case_id == Case.id)
        .where(Step.is_open, Case.closed_on.is_(None))
        .order_by(severity_sql(today), Step.deadline, Step.id)
    )
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, "öppna steg")
        return list(session.scalars(query))


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
    with ctx.db.transaction() as session:
        by_id = {}
        for step, name, id_number, protected, specialty, unit, priority, assigned, severity in session.execute(query):
            by_id[step.id] = _row(step, name, id_number, protected, specialty, unit, priority, assigned,
                                  STATE_BY_SEVERITY[severity], today)
    return [by_id[i] for i in step_ids if i in by_id]


def _row(step: Step, name: str, id_number: str, protected: bool, specialty: str, unit: str | None,
         priority: str | None, assigned: str | None, state: State, today: date) -> WorklistRow:
    running = step.frozen_waited is None
    return WorklistRow(
        step_id=step.id, case_id=step.case_id, patient_name=name, id_number=id_number,
        protected_identity=protected, step_code=step.code, specialty=specialty, waiting_unit=unit,
        medical_priority=priority, assigned_to=assigned, start=step.clock_start, deadline=step.deadline,
        waited=(today - step.waiting_since).days if running else step.frozen_waited,
        remaining=(step.deadline - today).days if running else step.frozen_remaining,
        state=state, flags=flags_on(state, step.notice_due, step.contact_due, today),
    )


def count_by_state(ctx: AppContext, today: date | None = None) -> dict[State, int]:
    today = today or ctx.today()
    severity = severity_sql(today)
    query = (select(severity, func.count()).join(Case, Step.case_id == Case.id)
             .where(Step.is_open, Case.closed_on.is_(None)).group_by(severity))
    with ctx.db.transaction() as session:
        return {STATE_BY_SEVERITY[s]: n for s, n in session.execute(query)}
