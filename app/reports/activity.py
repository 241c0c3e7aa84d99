"""A month's offers, answers and 14-day notices for the follow-up figures, in a scope: each read through the
case_event (kind, on) index from the month's own events, never from the whole timeline, with the state of the
step at month end where a figure needs it (the cached clock where it is exact, see app.reports.source; else the
clock's row, which the caller evaluated)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.guarantee import Answer, EventKind, RuleBook
from app.reports.months import Month
from app.reports.source import COMPLETED, EXACT, Scope, StepAt, cached_state, clock_rows
from db.models import Case, CaseEvent, Patient, Step
from db.sql import days_between


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
    care_kind: str | None = None  # app.care_kind, when the offer came from the register


@dataclass(frozen=True)
class Notices:
    """Steps whose 14-day notice window closed in the month, and of them those given an appointment or a
    notice within it."""

    due: int = 0
    in_time: int = 0


@dataclass
class Activity:
    offers: list[OfferMade] = field(default_factory=list)  # made during the month, by date
    accepted: int = 0                                      # offers the patient accepted during the month
    treated: list[Treated] = field(default_factory=list)
    notices: Notices = field(default_factory=Notices)


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
                  interrupted: Mapping[int, StepAt], notices: Notices | None = None) -> Activity:
    """`interrupted`: the month's clock rows already evaluated (tally.Counted.interrupted); the clock is asked
    for the other steps whose cached clock is not exact. `notices`: count_notices, if already counted."""
    steps = _Steps(scope)
    connection = session.connection()
    first, last = month.first, month.last
    activity = Activity()

    made = connection.execute(steps.select(CaseEvent, CaseEvent.on, Step.risk_from, *_STATE).where(
        *_in_month(CaseEvent, EventKind.OFFER, first, last)).order_by(CaseEvent.on, CaseEvent.id)).all()

    activity.accepted = connection.execute(
        steps.select(CaseEvent, func.count()).where(*_in_month(CaseEvent, EventKind.ANSWER, first, last),
                                                    CaseEvent.answer == Answer.ACCEPTED)).scalar_one()

    # Treated elsewhere: completed in the month with an offer accepted by month end. Every step the clock sees
    # completed in the month has its COMPLETED event in the month; the answers of those steps are found from
    # the (kind, on, step_id) index alone, and only they are read.
    done = select(CaseEvent.step_id).where(*_in_month(CaseEvent, EventKind.COMPLETED, first, last))
    answer, offer = aliased(CaseEvent), aliased(CaseEvent)
    accepted = connection.execute(
        steps.select(answer, offer.on, offer.id, *_STATE).join(offer, offer.id == answer.offer_id)
        .where(answer.kind == EventKind.ANSWER, answer.on <= last, answer.step_id.in_(done),
               answer.answer == Answer.ACCEPTED, offer.on <= last)).all()

    missing = {row[2] for row in (*made, *accepted) if not row[3] and row[2] not in interrupted}
    clock = {**interrupted, **clock_rows(session, missing, month, rules)} if missing else interrupted
    for on, risk_from, *row in made:
        state = _state(row, first, last, clock)
        if state is None or isinstance(state, StepAt):  # not counted in the month, or the clock's own date
            risk_from = state and state.risk_from
        activity.offers.append(OfferMade(row[0], on, risk_from))
    latest: dict[int, int] = {}
    for _, offer_id, *row in sorted(accepted, key=lambda r: (r[0], r[1])):  # the latest offer last
        state = _state(row, first, last, clock)
        if state == COMPLETED or (isinstance(state, StepAt) and not state.waiting):
            latest[row[0]] = offer_id
    details = _by_id(session, CaseEvent.id, CaseEvent.details, list(latest.values()))
    kinds = _by_id(session, CaseEvent.id, CaseEvent.care_kind, list(latest.values()))
    home = _by_id(session, Step.id, Patient.home_region_code, list(latest), patient=True)
    for step_id, offer_id in latest.items():
        d = details.get(offer_id) or {}
        activity.treated.append(Treated(d.get("provider_region"), d.get("ownership"), home.get(step_id),
                                        kinds.get(offer_id)))

    activity.notices = notices or count_notices(connection, month, rules, scope)
    return activity


def count_notices(connection: Connection, month: Month, rules: RuleBook, scope: Scope) -> Notices:
    """Steps whose notice window (notice_days from the first start, in the rule set of that day) closed in the
    month, and whether an offer or notice came within it. The steps are found by their START event, dated with
    the step's started_on; the first offer or notice since the earliest window opened, by the month's own offers
    and notices. Counted in the database, per rule set and window length; on `connection` only, so that it
    can run beside the session's own work (db.exports.reader_beside)."""
    first, last = month.first, month.last
    steps = _Steps(scope)
    windows: dict[tuple[int, int], list[str]] = {}  # (rule set's index, days) -> the step codes
    for i, rule_set in enumerate(rules.rule_sets):
        for code, rule in rule_set.steps.items():
            if rule.notice_days is not None:
                windows.setdefault((i, rule.notice_days), []).append(code)
    if not windows:
        return Notices()
    low = first - timedelta(days=max(days for _, days in windows))
    given = (select(CaseEvent.step_id, func.min(CaseEvent.on).label("on"))
             .where(CaseEvent.kind.in_([EventKind.OFFER, EventKind.NOTICE]), CaseEvent.on >= low,
                    CaseEvent.on <= last)
             .group_by(CaseEvent.step_id).subquery())
    counted = Notices()
    for (i, days), codes in windows.items():
        rule_set = rules.rule_sets[i]
        # Started so that the window (started_on + days) closes in the month, while the rule set held.
        since, until = max(first - timedelta(days=days), rule_set.valid_from), last - timedelta(days=days)
        if rule_set.valid_to is not None:
            until = min(until, rule_set.valid_to - timedelta(days=1))
        if since > until:
            continue
        in_time = case((and_(given.c.on >= Step.started_on, days_between(given.c.on, Step.started_on) <= days), 1),
                       else_=0)
        due, kept = connection.execute(
            steps.select(CaseEvent, func.count(), func.coalesce(func.sum(in_time), 0))
            .outerjoin(given, given.c.step_id == Step.id)
            .where(*_in_month(CaseEvent, EventKind.START, since, until), Step.started_on >= since,
                   Step.started_on <= until, Step.code.in_(codes))).one()
        counted = Notices(counted.due + due, counted.in_time + kept)
    return counted


def _by_id(session: Session, key, column, ids: list[int], patient: bool = False) -> dict:
    """{key: column} for the rows with these ids (a chunk per query); `patient`: key is a step id."""
    out = {}
    for i in range(0, len(ids), 900):
        query = select(key, column).where(key.in_(ids[i:i + 900]))
        if patient:
            query = query.join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)
        out.update(session.connection().execute(query).all())
    return out
