"""A month's offers, answers and 14-day notices for the follow-up figures, in a scope: each read through the
case_event (kind, on) index from the month's own events, never from the whole timeline, with the state of the
step at month end where a figure needs it (the cached clock where it is exact, see app.reports.source; else the
clock's row, which the caller evaluated)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.guarantee import Answer, EventKind, RuleBook
from app.reports.months import Month
from app.reports.source import COMPLETED, EXACT, Scope, StepAt, cached_state
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


def _in_month(event, kind: EventKind, first: date, last: date) -> tuple:
    return event.kind == kind, event.on >= first, event.on <= last


class _Steps:
    """Queries from timeline rows to their step (and its case and patient, when the scope or a column needs
    them), limited to the scope."""

    def __init__(self, scope: Scope):
        self.conditions = scope.conditions()

    def select(self, event, *columns, patient: bool = False):
        query = select(*columns).select_from(event).join(Step, Step.id == event.step_id)
        if self.conditions or patient:
            query = (query.join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)
                     .where(*self.conditions))
        return query


def _state(row, first: date, last: date, interrupted: Mapping[int, StepAt]) -> StepAt | str | None:
    """(step_id, exact, started_on, stopped_on, met) -> WAITING/COMPLETED from the cache where it is exact; else
    the clock's row (or None: neither)."""
    step_id, exact, started_on, stopped_on, met = row
    return cached_state(started_on, stopped_on, met, first, last) if exact else interrupted.get(step_id)


_STATE = (Step.id, EXACT, Step.started_on, Step.stopped_on, Step.met)


def load_activity(session: Session, month: Month, rules: RuleBook, scope: Scope,
                  interrupted: Mapping[int, StepAt]) -> Activity:
    """`interrupted`: the month's rows of the steps whose cached clock is not exact (source.interrupted)."""
    steps = _Steps(scope)
    connection = session.connection()
    first, last = month.first, month.last
    activity = Activity()

    made = steps.select(CaseEvent, CaseEvent.on, Step.risk_from, *_STATE).where(
        *_in_month(CaseEvent, EventKind.OFFER, first, last)).order_by(CaseEvent.on, CaseEvent.id)
    for on, risk_from, *row in connection.execute(made).all():
        state = _state(row, first, last, interrupted)
        if state is None or isinstance(state, StepAt):  # not counted in the month, or the clock's own date
            risk_from = state and state.risk_from
        activity.offers.append(OfferMade(row[0], on, risk_from))

    activity.accepted = connection.execute(
        steps.select(CaseEvent, func.count()).where(*_in_month(CaseEvent, EventKind.ANSWER, first, last),
                                                    CaseEvent.answer == Answer.ACCEPTED)).scalar_one()

    # Treated elsewhere: completed in the month with an offer accepted by month end. Every step the clock sees
    # completed in the month has its COMPLETED event in the month. The steps with one, and the answers up to
    # month end, are read from the (kind, on, step_id) index alone; only the few answers of those steps are
    # looked at further.
    done = set(connection.execute(
        select(CaseEvent.step_id).where(*_in_month(CaseEvent, EventKind.COMPLETED, first, last))).scalars())
    answers = connection.execute(
        select(CaseEvent.id, CaseEvent.step_id).where(CaseEvent.kind == EventKind.ANSWER, CaseEvent.on <= last)
    ).all()
    candidates = [answer_id for answer_id, step_id in answers if step_id in done]
    answer, offer = aliased(CaseEvent), aliased(CaseEvent)
    accepted = []
    for i in range(0, len(candidates), 900):
        accepted += connection.execute(
            steps.select(answer, offer.on, offer.id, *_STATE).join(offer, offer.id == answer.offer_id)
            .where(answer.id.in_(candidates[i:i + 900]), answer.answer == Answer.ACCEPTED, offer.on <= last)).all()
    latest: dict[int, int] = {}
    for _, offer_id, *row in sorted(accepted, key=lambda r: (r[0], r[1])):  # the latest offer last
        state = _state(row, first, last, interrupted)
        if state == COMPLETED or (isinstance(state, StepAt) and not state.waiting):
            latest[row[0]] = offer_id
    details = _by_id(session, CaseEvent.id, CaseEvent.details, list(latest.values()))
    home = _by_id(session, Step.id, Patient.home_region_code, list(latest), patient=True)
    for step_id, offer_id in latest.items():
        d = details.get(offer_id) or {}
        activity.treated.append(Treated(d.get("provider_region"), d.get("ownership"), home.get(step_id)))

    activity.notices = _notices(session, steps, month, rules)
    return activity


def _notices(session: Session, steps: _Steps, month: Month, rules: RuleBook) -> list[bool]:
    """Steps whose notice window (notice_days from the first start) closed in the month, and whether an offer
    or notice came within it. The steps are found by their START event, dated with the step's started_on; the
    first offer or notice since the earliest window opened, by the month's own offers and notices."""
    days = [s.notice_days for r in rules.rule_sets for s in r.steps.values() if s.notice_days is not None]
    if not days:
        return []
    first, last = month.first, month.last
    low, high = first - timedelta(days=max(days)), last - timedelta(days=min(days))
    connection = session.connection()
    given = dict(connection.execute(
        select(CaseEvent.step_id, func.min(CaseEvent.on))
        .where(CaseEvent.kind.in_([EventKind.OFFER, EventKind.NOTICE]), CaseEvent.on >= low, CaseEvent.on <= last)
        .group_by(CaseEvent.step_id)).all())
    started = steps.select(CaseEvent, Step.id, Step.code, Step.started_on).where(
        *_in_month(CaseEvent, EventKind.START, low, high), Step.started_on >= low, Step.started_on <= high)
    window: dict[tuple[date, str], timedelta | None] = {}  # by start date and step: the notice window
    out = []
    for step_id, code, started_on in connection.execute(started).all():
        key = (started_on, code)
        if key not in window:
            notice_days = rules.for_date(started_on).step(code).notice_days
            window[key] = None if notice_days is None else timedelta(days=notice_days)
        if window[key] is not None and first <= (until := started_on + window[key]) <= last:
            given_on = given.get(step_id)
            out.append(given_on is not None and started_on <= given_on <= until)
    return out


def _by_id(session: Session, key, column, ids: list[int], patient: bool = False) -> dict:
    """{key: column} for the rows with these ids (a chunk per query); `patient`: key is a step id."""
    out = {}
    for i in range(0, len(ids), 900):
        query = select(key, column).where(key.in_(ids[i:i + 900]))
        if patient:
            query = query.join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)
        out.update(session.connection().execute(query).all())
    return out
