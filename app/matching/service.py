"""Propose care elsewhere for a whole list at once, and turn the proposals a case worker accepts into offers
(issue 18). Who may treat whom comes from the register's own rules (app.register.candidates.rank: services,
routes, contract terms and validity, volume ceilings); the weekly free places from fresh capacity reports only
(DOMAIN §3: older than the stale limit means "phone first", never an automatic proposal); the choice among them
from one assignment problem (app.matching.problem)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, update

from app import reference
from app.access import log_list_view
from app.context import AppContext
from app.errors import ConflictError, InputError
from app.guarantee import EventKind, State
from app.matching.problem import Patient, Week, one_at_a_time, solve
from app.offer_checks import ConfirmationNeeded
from app.preferences import CONTACT_BY, of_row
from app.register.approaches import offer_from_candidate
from app.register.candidates import ROUTE_LABEL, Candidate, Need, load_facts, rank
from app.register.history import record
from app.register.settings import OWN_REGION, STALE_CAPACITY_DAYS, settings
from app.roles import Permission, require
from app.worklist import Filter, open_step_ids
from db.models import Case, CaseEvent, Step
from db.models import Patient as PatientRow
from db.preferences import CasePreferences
from db.register import CapacityReport, CareUnit

AT_RISK = Filter(states=frozenset({State.RISK, State.AKUT, State.OVERDUE}))
EARLIEST_DAYS = 7   # the first proposed day: time to send the letter and for the patient to answer
REPLY_DAYS = 7      # the patient answers within a week, and before the day itself
CHUNK = 900         # ids per IN (…): SQLite's old limit of 999 parameters


@dataclass(frozen=True)
class Proposal:
    step_id: int
    case_id: int
    case_version: int     # hand back as expected_version: a case changed since is not offered
    patient_name: str
    specialty: str
    deadline: date
    remaining: int
    priority: str | None
    unit_name: str
    provider: str
    route: str
    appointment: date
    travel_km: float | None
    report_id: int        # the capacity report whose free place it takes
    reasons: tuple[str, ...]
    candidate: Candidate = field(repr=False, compare=False)


@dataclass(frozen=True)
class Proposals:
    proposals: list[Proposal]
    considered: int       # steps looked at (running clocks)
    seconds: float


@dataclass(frozen=True)
class Accepted:
    offers: list[int] = field(default_factory=list)        # the offers' event ids
    step_ids: list[int] = field(default_factory=list)      # for their letters
    refused: list[tuple[Proposal, str]] = field(default_factory=list)  # and why, in Swedish
    # Offers that would mislead unless the case worker confirms them (app.offer_checks: after the deadline, a "no"
    # is not PvV), with what they must know; accept them again with their step ids in `confirmed`.
    to_confirm: list[tuple[Proposal, str]] = field(default_factory=list)


@dataclass
class _Problem:
    patients: list[Patient]
    weeks: dict[tuple, list[Week]]
    room: dict[int, int]
    eligible: dict[tuple, dict[int, Candidate]]
    by_step: dict[int, tuple]
    reports: dict
    considered: int


def propose(ctx: AppContext, flt: Filter = AT_RISK, step_ids: list[int] | None = None) -> Proposals:
    """Proposals for the open steps that pass the worklist filter (at risk by default), or for `step_ids`."""
    require(ctx.role, Permission.CASE_WORK)
    started = time.perf_counter()
    today = ctx.today()
    ids = list(step_ids) if step_ids is not None else open_step_ids(ctx, flt, today=today)
    problem = _build(ctx, ids, today)
    assignments = solve(problem.patients, problem.weeks, today, problem.room, EARLIEST_DAYS)
    report_dates = {w.key: w for ws in problem.weeks.values() for w in ws}
    out = []
    specialties = {s.code: s.name for s in reference.specialties()}
    for a in assignments:
        row, p, key = problem.by_step[a.patient]
        candidate = problem.eligible[key][report_dates[a.week].unit]
        remaining = (row.deadline - today).days
        out.append(Proposal(
            row.id, row.case_id, row.version, row.name, specialties.get(row.specialty_code, row.specialty_code),
            row.deadline, remaining, row.medical_priority, candidate.unit.name, candidate.unit.provider,
            ROUTE_LABEL[candidate.route], a.day, a.travel_km, a.week,
            _reasons(candidate, a.day, a.travel_km, row, p, remaining,
                     reports_as_of(report_dates[a.week], problem.reports)),
            candidate))
    out.sort(key=lambda p: (p.remaining, p.priority or "9", p.patient_name))
    return Proposals(out, problem.considered, time.perf_counter() - started)


@dataclass(frozen=True)
class Effect:
    patients: int          # the steps compared
    list_wide: int         # of them, given a place before their deadline by the list-wide matching
    one_at_a_time: int     # ... by searching one patient at a time, most urgent first, in the register's order


def effect(ctx: AppContext, step_ids: list[int]) -> Effect:
    """Issue 18, item 5: the same steps and the same free places, matched as one problem or one by one (what a
    case worker searching for each patient in turn achieves). Counts places on or before the deadline."""
    require(ctx.role, Permission.CASE_WORK)
    today = ctx.today()
    problem = _build(ctx, step_ids, today)
    by_key = {p.key: p for p in problem.patients}

    def in_time(assignments) -> int:
        return sum(1 for a in assignments if a.day <= by_key[a.patient].deadline)

    urgent_first = sorted(problem.patients, key=lambda p: (p.remaining, p.priority or "9", p.key))
    register_order = {key: {unit: n for n, unit in enumerate(units)} for key, units in problem.eligible.items()}
    return Effect(len(problem.patients),
                  in_time(solve(problem.patients, problem.weeks, today, problem.room, EARLIEST_DAYS)),
                  in_time(one_at_a_time(urgent_first, problem.weeks, today, register_order, problem.room,
                                        EARLIEST_DAYS)))


def _build(ctx: AppContext, ids: list[int], today: date) -> _Problem:
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, f"matchning mot ledig kapacitet ({len(ids)} steg)")
        own, stale_days = settings(session, OWN_REGION, STALE_CAPACITY_DAYS)
        rows = []
        for start in range(0, len(ids), CHUNK):
            rows += session.execute(
                select(Step.id, Step.case_id, Step.code, Step.deadline, Case.version, Case.specialty_code,
                       Case.activity_code, Case.waiting_unit, Case.medical_priority, PatientRow.name,
                       PatientRow.home_region_code, PatientRow.municipality_code, CasePreferences)
                .join(Case, Case.id == Step.case_id).join(PatientRow, PatientRow.id == Case.patient_id)
                .outerjoin(CasePreferences, CasePreferences.case_id == Case.id)
                .where(Step.id.in_(ids[start:start + CHUNK]), Step.is_open, Step.paused_since.is_(None),
                       Step.pvv_since.is_(None), Step.stopped_on.is_(None), Case.closed_on.is_(None))).all()
        pending = _pending_offers(session, [r.id for r in rows], today)
        rows = [r for r in rows if r.id not in pending]
        groups: dict[tuple, list] = defaultdict(list)
        for row in rows:
            groups[(row.specialty_code, row.activity_code, row.home_region_code)].append(row)
        reports = _fresh_reports(session, today, stale_days)
        activities: dict[str, set[str]] = defaultdict(set)
        for specialty, activity, _ in groups:
            if activity:
                activities[specialty].add(activity)
        facts: dict[str, tuple] = {}  # per specialty, with all its steps' activities: two queries each
        eligible: dict[tuple, dict[int, Candidate]] = {}
        weeks: dict[tuple, list[Week]] = {}
        room: dict[int, int] = {}
        for key in groups:
            specialty, activity, home = key
            need = Need(0, 0, "", specialty, activity, home, today + timedelta(days=365), 365)
            if specialty not in facts:
                facts[specialty] = load_facts(session, Need(0, 0, "", specialty, None, home, need.deadline, 365),
                                              activities[specialty])
            units, contracts, capacity = facts[specialty]
            capacity = [c for c in capacity if c.service in (specialty, activity)]
            ranked = [c for c in rank(need, units, contracts, capacity, own, today, stale_days) if c.eligible]
            eligible[key] = {c.unit.id: c for c in ranked}
            weeks[key] = []
            for c in ranked:
                if c.contract is not None and c.contract.volume_ceiling is not None:
                    room[c.contract.id] = c.contract.volume_ceiling - c.contract.volume_used
                by_service = reports.get(c.unit.id, {})
                chosen = by_service.get(activity) or by_service.get(specialty) or []
                ends = c.contract.valid_to if c.contract and c.contract.valid_to else None
                weeks[key] += [Week(r.id, c.unit.id, r.municipality, r.period_from,
                                    min(r.period_to, ends) if ends else r.period_to, r.free_slots,
                                    c.contract.id if c.contract else None, int(c.route))
                               for r in chosen if ends is None or r.period_from <= ends]  # within the contract
    unit_ids = {c.unit.name: c.unit.id for cs in eligible.values() for c in cs.values()}
    patients = []
    by_step = {}
    for key, members in groups.items():
        for row in members:
            p = of_row(row.CasePreferences)
            home_unit = unit_ids.get(row.waiting_unit or "")
            patients.append(Patient(row.id, key, row.deadline, (row.deadline - today).days, row.medical_priority,
                                    row.municipality_code, p.max_travel_km, p.unavailable,
                                    frozenset({home_unit} if home_unit else ())))
            by_step[row.id] = (row, p, key)
    return _Problem(patients, weeks, room, eligible, by_step, reports, len(rows))


def _pending_offers(session, step_ids: list[int], today: date) -> set[int]:
    """Steps with an offer still to be answered (its day not passed): one offer at a time. Two plain queries
    on indexed columns (a correlated NOT EXISTS costs seconds on a large timeline)."""
    offers: dict[int, int] = {}
    for start in range(0, len(step_ids), CHUNK):
        offers.update(session.execute(
            select(CaseEvent.id, CaseEvent.step_id).where(CaseEvent.step_id.in_(step_ids[start:start + CHUNK]),
                                                          CaseEvent.kind == EventKind.OFFER.value,
                                                          CaseEvent.appointment >= today)).all())
    answered: set[int] = set()
    ids = list(offers)
    for start in range(0, len(ids), CHUNK):
        answered.update(session.scalars(select(CaseEvent.offer_id).where(
            CaseEvent.offer_id.in_(ids[start:start + CHUNK]))))
    return {step for offer, step in offers.items() if offer not in answered}


@dataclass(frozen=True)
class _Report:
    id: int
    municipality: str | None
    period_from: date
    period_to: date
    free_slots: int
    as_of: date


def _fresh_reports(session, today: date, stale_days: int) -> dict[int, dict[str, list[_Report]]]:
    """Weekly free places still to come, from reports within the stale limit: unit -> service -> weeks."""

    out: dict[int, dict[str, list[_Report]]] = defaultdict(lambda: defaultdict(list))
    for id_, unit, service, start, end, free, as_of, municipality in session.execute(
        select(CapacityReport.id, CapacityReport.unit_id, CapacityReport.service, CapacityReport.period_from,
               CapacityReport.period_to, CapacityReport.free_slots, CapacityReport.as_of, CareUnit.municipality_code)
        .join(CareUnit, CareUnit.id == CapacityReport.unit_id)
        .where(CapacityReport.as_of >= today - timedelta(days=stale_days), CapacityReport.free_slots > 0,
               CapacityReport.period_from.is_not(None), CapacityReport.period_to >= today)):
        out[unit][service].append(_Report(id_, municipality, start, end, free, as_of))
    return out


def reports_as_of(week: Week, reports: dict[int, dict[str, list[_Report]]]) -> date | None:
    return next((r.as_of for rs in reports.get(week.unit, {}).values() for r in rs if r.id == week.key), None)


def _reasons(c: Candidate, day: date, km: float | None, row, p, remaining: int, as_of: date | None
             ) -> tuple[str, ...]:
    week = day.isocalendar().week
    if remaining >= 0:
        when = (f"Ledig tid vecka {week} ({day.isoformat()}), {(row.deadline - day).days} dagar före tidsgränsen "
                f"{row.deadline.isoformat()}.")
    else:
        when = (f"Tidsgränsen {row.deadline.isoformat()} har redan passerats; första lediga tid vecka {week} "
                f"({day.isoformat()}).")
    urgency = f"Medicinsk prioritet {row.medical_priority or 'saknas'}, " + (
        f"{remaining} dagar kvar." if remaining >= 0 else f"{-remaining} dagar över tidsgränsen.")
    reasons = [when, urgency, c.reasons[0]]
    if km is None:
        reasons.append("Avståndet är okänt (patientens kommun saknas).")
    else:
        limit = f", inom patientens gräns {p.max_travel_km} km" if p.max_travel_km is not None else ""
        reasons.append(f"Cirka {km:.0f} km resväg{limit}.")
    if as_of is not None:
        reasons.append(f"Lediga tider rapporterade {as_of.isoformat()}.")
    if p.unavailable:
        reasons.append("Tiden ligger utanför de perioder då patienten inte kan komma.")
    if p.interpreter:
        reasons.append(f"Boka tolk ({p.interpreter_language}).")
    if p.contact_by:
        reasons.append(f"Patienten vill helst kontaktas per {CONTACT_BY[p.contact_by].lower()}.")
    # rank's notes on the estimated wait and the contract's end are about its own question; the slot answers both
    reasons += [r for r in c.reasons[1:] if not r.startswith(("Väntetid", "Väntetiden", "Obs: avtalet går ut"))]
    return tuple(reasons)


def accept(ctx: AppContext, proposals: list[Proposal], confirmed: frozenset[int] = frozenset()) -> Accepted:
    """Each proposal becomes an offer (app.cases.make_offer through the register's offer, so the approach is
    recorded and the offer letter is due) after taking its free place from the capacity report. A place
    already taken, or a case changed since the proposal, refuses that proposal alone; the others go on. An offer
    that needs the case worker's confirmation (a time after the deadline) is left for them to confirm, unless its
    step id is in `confirmed`."""
    require(ctx.role, Permission.CASE_WORK)
    result = Accepted()
    today = ctx.today()
    for p in proposals:
        if not _take_place(ctx, p.report_id):
            result.refused.append((p, "Den lediga tiden är redan tagen. Kör matchningen igen."))
            continue
        reply_by = min(today + timedelta(days=REPLY_DAYS), p.appointment - timedelta(days=1))
        try:
            offer_id = offer_from_candidate(ctx, p.step_id, p.candidate, p.appointment, max(today, reply_by),
                                            confirmed=p.step_id in confirmed, expected_version=p.case_version)
        except ConfirmationNeeded as exc:
            _take_place(ctx, p.report_id, give_back=True)
            result.to_confirm.append((p, exc.message))
            continue
        except (ConflictError, InputError) as exc:
            _take_place(ctx, p.report_id, give_back=True)
            result.refused.append((p, exc.message))
            continue
        result.offers.append(offer_id)
        result.step_ids.append(p.step_id)
    return result


def _take_place(ctx: AppContext, report_id: int, give_back: bool = False) -> bool:
    """One free place less on the report (or back again), recorded in the register's history. Conditional, so
    two case workers accepting at once cannot both take the last place."""
    change = 1 if give_back else -1
    with ctx.db.transaction() as session:
        query = update(CapacityReport).where(CapacityReport.id == report_id)
        if not give_back:
            query = query.where(CapacityReport.free_slots > 0)
        taken = session.execute(query.values(free_slots=CapacityReport.free_slots + change)).rowcount
        if taken:
            left = session.scalar(select(CapacityReport.free_slots).where(CapacityReport.id == report_id))
            record(session, ctx, "capacity", report_id, "Lediga tider", left - change, left)
        return bool(taken)
