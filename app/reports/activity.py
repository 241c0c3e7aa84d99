"""A month's offers, answers and 14-day notices for the follow-up figures, in a scope: a few thousand rows found
through the case_event (kind, on) index, each with the state of its step at month end (the cached clock where
it is exact, see app.reports.source; the clock's own answer for the other steps, which the caller evaluated)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.guarantee import Answer, EventKind, RuleBook
from app.reports.months import Month
from app.reports.source import COMPLETED, EXACT, WAITING, Scope, StepAt, cached_state
from db.models import Case, CaseEvent, Patient, Step


@dataclass(frozen=True, slots=True)
class OfferMade:
    step_id: int
    on: date
    risk_from: date | None  # the step's risk date, when it was waiting at month end or completed in the month


@dataclass(frozen=True, slots=True)
class Treated:
    """A step completed in the month after the patient accepted an offer (the latest accepted, if several)."""

    provider_region: str | None   # offer details "provider_region", when the register supplies it
    ownership: str | None         # offer details "ownership": "offentlig" / "privat"
    home_region: str | None


@dataclass
class Activity:
    offers: list[OfferMade] = field(default_factory=list)  # made during the month, by date
    accepted: int = 0                                      # offers the patient accepted during the month
    treated: list[Treated] = field(default_factory=list)
    notices: list[bool] = field(default_factory=list)      # per step whose 14-day window closed in the month:
                                                           # was an appointment or notice given within it?


_STATE = (EXACT, Step.started_on, Step.stopped_on, Step.met)


def _events(event, *columns, scope: Scope):
    """SELECT columns FROM the timeline rows `event` with their step, case and patient, in scope."""
    return (select(*columns).select_from(event).join(Step, Step.id == event.step_id)
            .join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)
            .where(*scope.conditions()))


def _state(exact: int, started_on: date, stopped_on: date | None, met: bool | None, step_id: int, month: Month,
           interrupted: Mapping[int, StepAt]) -> StepAt | str | None:
    """WAITING/COMPLETED from the cache where it is exact; else the clock's row (or None: neither)."""
    return cached_state(started_on, stopped_on, met, month) if exact else interrupted.get(step_id)


def load_activity(session: Session, month: Month, rules: RuleBook, scope: Scope,
                  interrupted: Mapping[int, StepAt]) -> Activity:
    """`interrupted`: the month's rows of the steps whose cached clock is not exact (source.interrupted)."""
    connection = session.connection()
    first, last = month.first, month.last
    activity = Activity()

    made = _events(CaseEvent, CaseEvent.step_id, CaseEvent.on, *_STATE, Step.risk_from, scope=scope)
    for step_id, on, exact, started_on, stopped_on, met, risk_from in connection.execute(
            made.where(CaseEvent.kind == EventKind.OFFER, CaseEvent.on >= first, CaseEvent.on <= last)
            .order_by(CaseEvent.on, CaseEvent.id)):
        state = _state(exact, started_on, stopped_on, met, step_id, month, interrupted)
        if state is None or isinstance(state, StepAt):  # not counted in the month, or the clock's own date
            risk_from = state and state.risk_from
        activity.offers.append(OfferMade(step_id, on, risk_from))

    # Accepted answers up to month end: counted when given in the month; and the steps completed in the month
    # with one (a step the clock sees completed in the month has no cached stop before the month's first day).
    answer, offer = aliased(CaseEvent), aliased(CaseEvent)
    accepted = _events(answer, answer.on, offer.id, Step.id, *_STATE, Patient.home_region_code,
                       scope=scope).join(offer, offer.id == answer.offer_id)
    latest: dict[int, tuple[int, str | None]] = {}
    for answered_on, offer_id, step_id, exact, started_on, stopped_on, met, home in connection.execute(
            accepted.where(answer.kind == EventKind.ANSWER, answer.answer == Answer.ACCEPTED, answer.on <= last,
                           offer.on <= last,
                           or_(answer.on >= first, Step.stopped_on.is_(None), Step.stopped_on >= first))
            .order_by(offer.on, offer.id)):
        activity.accepted += answered_on >= first
        state = _state(exact, started_on, stopped_on, met, step_id, month, interrupted)
        if state == COMPLETED or (isinstance(state, StepAt) and not state.waiting):
            latest[step_id] = (offer_id, home)
    details = _details(session, [offer_id for offer_id, _ in latest.values()])
    for offer_id, home in latest.values():
        d = details.get(offer_id) or {}
        activity.treated.append(Treated(d.get("provider_region"), d.get("ownership"), home))

    activity.notices = _notices(session, month, rules, scope)
    return activity


def _notices(session: Session, month: Month, rules: RuleBook, scope: Scope) -> list[bool]:
    """Steps whose notice window (notice_days from the first start) closed in the month, and whether an offer
    or notice came within it. The steps are found by their START event, dated with the step's started_on."""
    days = [s.notice_days for r in rules.rule_sets for s in r.steps.values() if s.notice_days is not None]
    if not days:
        return []
    low, high = month.first - timedelta(days=max(days)), month.last - timedelta(days=min(days))
    given = aliased(CaseEvent)
    first_given = (select(func.min(given.on))
                   .where(given.step_id == Step.id, given.kind.in_([EventKind.OFFER, EventKind.NOTICE]),
                          given.on >= low, given.on <= month.last)
                   .scalar_subquery())
    query = _events(CaseEvent, Step.code, Step.started_on, first_given, scope=scope).where(
        CaseEvent.kind == EventKind.START, CaseEvent.on >= low, CaseEvent.on <= high,
        and_(Step.started_on >= low, Step.started_on <= high))
    notice_days: dict[tuple[date, str], int | None] = {}
    out = []
    for code, started_on, given_on in session.connection().execute(query):
        key = (started_on, code)
        if key not in notice_days:
            notice_days[key] = rules.for_date(started_on).step(code).notice_days
        if notice_days[key] is None:
            continue
        until = started_on + timedelta(days=notice_days[key])
        if month.first <= until <= month.last:
            out.append(given_on is not None and started_on <= given_on <= until)
    return out


def _details(session: Session, event_ids: list[int]) -> dict[int, dict]:
    out = {}
    for i in range(0, len(event_ids), 900):
        out.update(session.connection().execute(
            select(CaseEvent.id, CaseEvent.details).where(CaseEvent.id.in_(event_ids[i:i + 900]))).all())
    return out
