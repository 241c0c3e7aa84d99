"""Find care elsewhere (DOMAIN.md §3): the units that could treat a case's step in time, ranked in the order
the vårdlots network documents (own units, then own contracts, then other regions) and then by estimated
wait against the days remaining, each with the reasons it is in or out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from app import reference
from app.access import Action, patient_access
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.register.services import region_name, unit_services
from app.register.settings import OWN_REGION, STALE_CAPACITY_DAYS, setting
from db.models import Case, Step
from db.register import CapacityReport, CareUnit, Contract, Provider, UnitService


class Route(IntEnum):
    """How the patient can get there; the value is the search order."""

    OWN_UNIT = 0
    OWN_CONTRACT = 1
    OTHER_REGION = 2


ROUTE_LABEL = {Route.OWN_UNIT: "Egen enhet", Route.OWN_CONTRACT: "Eget avtal",
               Route.OTHER_REGION: "Annan region"}


class Fit(IntEnum):
    """Estimated wait against the days remaining; the value is the order within a route."""

    FITS = 0
    UNKNOWN = 1  # no report, or one older than the stale limit: phone and ask
    TOO_LATE = 2
    OUT = 3


FIT_LABEL = {Fit.FITS: "Hinner i tid", Fit.UNKNOWN: "Kontrollera väntetiden", Fit.TOO_LATE: "Hinner inte",
             Fit.OUT: "Ej möjlig"}


@dataclass(frozen=True)
class Need:
    """What the step needs, and for whom."""

    step_id: int
    case_id: int
    step_code: str
    specialty: str
    activity: str | None
    home_region: str
    deadline: date
    remaining: int
    waiting_unit: str | None = None

    def describe(self) -> str:
        names = {s.code: s.name for s in reference.specialties()}
        what = names.get(self.specialty, self.specialty)
        if self.activity:
            what += ", " + next((a.name for a in reference.activities() if a.code == self.activity), self.activity)
        return what


@dataclass(frozen=True)
class UnitFacts:
    id: int
    hsa_id: str
    name: str
    provider_id: int
    provider: str
    provider_public: bool
    provider_region: str
    region: str
    address: str | None
    phone: str | None
    email: str | None
    contact_person: str | None
    accepts_other_regions: bool
    referral_required: bool
    specialties: frozenset[str]
    activities: frozenset[str]


@dataclass(frozen=True)
class ContractFacts:
    id: int
    title: str
    provider_id: int
    unit_id: int | None
    region: str
    form: str
    services: frozenset[str]
    valid_from: date
    valid_to: date | None
    volume_ceiling: int | None
    volume_used: int
    open_to_other_regions: bool
    open_regions: frozenset[str]
    excluded_groups: str | None


@dataclass(frozen=True)
class CapacityFacts:
    unit_id: int
    service: str
    wait_days: int | None
    free_slots: int | None
    as_of: date


@dataclass(frozen=True)
class Candidate:
    unit: UnitFacts
    eligible: bool
    route: Route | None
    contract: ContractFacts | None
    fit: Fit
    wait_days: int | None
    capacity_as_of: date | None
    reasons: tuple[str, ...]  # why in or out, in Swedish, most important first

    @property
    def route_label(self) -> str:
        return ROUTE_LABEL[self.route] if self.route is not None else "–"

    @property
    def verdict(self) -> str:
        return FIT_LABEL[self.fit]

    def sort_key(self) -> tuple:
        return (not self.eligible, self.route if self.route is not None else 9, self.fit,
                self.wait_days if self.wait_days is not None else 10**6, self.unit.name)


@dataclass(frozen=True)
class Search:
    need: Need
    candidates: list[Candidate]


def find_candidates(ctx: AppContext, step_id: int) -> Search:
    """Read the step (logged as a read of the patient) and rank every unit that offers its specialty."""
    today = ctx.today()
    with ctx.db.transaction() as session:
        step = session.get(Step, step_id)
        if step is None:
            raise NotFoundError("Steg", "steget finns inte.")
        case = session.get(Case, step.case_id)
        patient = patient_access(session, ctx, case.patient_id, Action.READ, case.id, "vård hos annan vårdgivare")
        if not step.is_open:
            raise InputError("Steg", "steget är avslutat; det behövs ingen vård hos annan vårdgivare.")
        remaining = step.frozen_remaining if step.frozen_remaining is not None else (step.deadline - today).days
        need = Need(step.id, case.id, step.code, case.specialty_code, case.activity_code,
                    patient.home_region_code, step.deadline, remaining, case.waiting_unit)
        own = setting(session, OWN_REGION)
        stale_days = setting(session, STALE_CAPACITY_DAYS)
        units, contracts, capacity = load_facts(session, need)
    return Search(need, rank(need, units, contracts, capacity, own, today, stale_days))


def load_facts(session: Session, need: Need) -> tuple[list[UnitFacts], list[ContractFacts], list[CapacityFacts]]:
    """Every unit that offers the step's specialty or activity, their contracts and capacity reports."""
    offers = [(UnitService.kind == "mvo") & (UnitService.code == need.specialty)]
    if need.activity:
        offers.append((UnitService.kind == "activity") & (UnitService.code == need.activity))
    unit_ids = select(UnitService.unit_id).where(or_(*offers)).distinct()
    offered = unit_services(session, unit_ids)
    units = [
        UnitFacts(r.id, r.hsa_id, r.name, r.provider_id, r.provider, r.public, r.provider_region, r.region_code,
                  r.address, r.phone, r.email, r.contact_person, r.accepts_other_regions, r.referral_required,
                  frozenset(offered.get(r.id, {}).get("mvo", ())), frozenset(offered.get(r.id, {}).get("activity", ())))
        for r in session.execute(  # plain columns, not ORM objects: thousands of rows per search
            select(CareUnit.id, CareUnit.hsa_id, CareUnit.name, CareUnit.provider_id, Provider.name.label("provider"),
                   Provider.public, Provider.region_code.label("provider_region"), CareUnit.region_code,
                   CareUnit.address, CareUnit.phone, CareUnit.email, CareUnit.contact_person,
                   CareUnit.accepts_other_regions, CareUnit.referral_required)
            .join(Provider, Provider.id == CareUnit.provider_id).where(CareUnit.id.in_(unit_ids)))
    ]
    provider_ids = select(CareUnit.provider_id).where(CareUnit.id.in_(unit_ids))
    wanted = [need.specialty] + ([need.activity] if need.activity else [])
    contracts = [
        ContractFacts(r.id, r.title, r.provider_id, r.unit_id, r.region_code, r.form, frozenset(r.services),
                      r.valid_from, r.valid_to, r.volume_ceiling, r.volume_used, r.open_to_other_regions,
                      frozenset(r.open_regions), r.excluded_groups)
        for r in session.execute(
            select(Contract.id, Contract.title, Contract.provider_id, Contract.unit_id, Contract.region_code,
                   Contract.form, Contract.services, Contract.valid_from, Contract.valid_to, Contract.volume_ceiling,
                   Contract.volume_used, Contract.open_to_other_regions, Contract.open_regions,
                   Contract.excluded_groups)
            .where(or_(Contract.unit_id.in_(unit_ids),
                       Contract.unit_id.is_(None) & Contract.provider_id.in_(provider_ids)),
                   # only contracts that name the service: a big provider's other contracts are noise here
                   or_(*(cast(Contract.services, String).like(f'%"{code}"%') for code in wanted))))
    ]
    capacity = [
        CapacityFacts(*row) for row in session.execute(
            select(CapacityReport.unit_id, CapacityReport.service, CapacityReport.wait_days,
                   CapacityReport.free_slots, CapacityReport.as_of)
            .where(CapacityReport.unit_id.in_(unit_ids), CapacityReport.service.in_(wanted)))
    ]
    return units, contracts, capacity


def rank(need: Need, units: Iterable[UnitFacts], contracts: Iterable[ContractFacts],
         capacity: Iterable[CapacityFacts], own_region: str, today: date, stale_days: int) -> list[Candidate]:
    """Pure: the ranked candidates with their reasons."""
    by_unit: dict[int, list[ContractFacts]] = {}
    by_provider: dict[int, list[ContractFacts]] = {}
    for c in contracts:
        (by_unit.setdefault(c.unit_id, []) if c.unit_id is not None else by_provider.setdefault(c.provider_id, [])
         ).append(c)
    latest: dict[int, CapacityFacts] = {}
    for report in sorted(capacity, key=lambda r: (r.as_of, r.service == need.activity)):
        latest[report.unit_id] = report  # the newest report wins; the activity's beats the specialty's
    candidates = [
        _judge(need, unit, by_unit.get(unit.id, []) + by_provider.get(unit.provider_id, []),
               latest.get(unit.id), own_region, today, stale_days)
        for unit in units
    ]
    return sorted(candidates, key=Candidate.sort_key)


def _judge(need: Need, unit: UnitFacts, contracts: list[ContractFacts], report: CapacityFacts | None,
           own_region: str, today: date, stale_days: int) -> Candidate:
    """Reasons are built as functions and only turned into text where shown: the chosen route for a unit
    that is in, every refusal for a unit that is out (thousands of contracts are judged per search)."""
    if need.activity and need.activity not in unit.activities:
        return Candidate(unit, False, None, None, Fit.OUT, None, None,
                         (f"Enheten erbjuder inte åtgärden {need.activity}.",))
    if need.specialty not in unit.specialties:
        return Candidate(unit, False, None, None, Fit.OUT, None, None,
                         (f"Enheten har inte verksamhetsområdet {need.specialty}.",))
    routes: list[tuple[Route, ContractFacts | None, Callable[[], str]]] = []
    refusals: list[Callable[[], str]] = []
    if unit.provider_public and unit.provider_region == own_region == unit.region:
        if need.home_region == own_region or unit.accepts_other_regions:
            routes.append((Route.OWN_UNIT, None, lambda: "Regionens egen enhet."))
        else:
            refusals.append(lambda: f"Egen enhet, men tar inte emot patienter från {region_name(need.home_region)}.")
    elif unit.provider_public and unit.region != need.home_region:
        if unit.accepts_other_regions:
            routes.append((Route.OTHER_REGION, None, lambda: f"{region_name(unit.region)} tar emot patienter från "
                                                             "andra regioner (riksavtalet)."))
        else:
            refusals.append(lambda: f"{region_name(unit.region)}s enhet tar inte emot patienter från andra "
                                    "regioner.")
    for contract in contracts:
        route, why = _contract_route(need, contract, own_region, today)
        if route is None:
            refusals.append(why)
        else:
            routes.append((route, contract, why))
    if not routes:
        texts = tuple(why() for why in refusals) or (
            f"Det finns inget avtal som omfattar {need.activity or need.specialty} vid enheten.",)
        return Candidate(unit, False, None, None, Fit.OUT, None, None, texts)
    route, contract, why = min(routes, key=lambda r: r[0])
    fit, wait, as_of, wait_reason = _fit(need, report, today, stale_days)
    notes = [why(), wait_reason]
    if contract is not None and contract.valid_to is not None and contract.valid_to < need.deadline:
        notes.append(f"Obs: avtalet går ut {contract.valid_to.isoformat()}, före tidsgränsen.")
    if contract is not None and contract.excluded_groups:
        notes.append(f"Undantagna patientgrupper: {contract.excluded_groups}")
    if unit.referral_required:
        notes.append("Enheten kräver remiss.")
    return Candidate(unit, True, route, contract, fit, wait, as_of, tuple(notes))


def _contract_route(need: Need, c: ContractFacts, own_region: str,
                    today: date) -> tuple[Route | None, Callable[[], str]]:
    if c.valid_from > today:
        return None, lambda: f"Avtalet {c.title} börjar gälla först {c.valid_from.isoformat()}."
    if c.valid_to is not None and c.valid_to < today:
        return None, lambda: f"Avtalet {c.title} gick ut {c.valid_to.isoformat()}."
    if need.specialty not in c.services and need.activity not in c.services:
        return None, lambda: f"Avtalet {c.title} omfattar inte {need.activity or need.specialty}."
    if c.volume_ceiling is not None and c.volume_used >= c.volume_ceiling:
        return None, lambda: f"Avtalet {c.title} har nått sitt volymtak ({c.volume_ceiling})."
    form = c.form.replace("_", " ")  # LOU, LOV, egen regi, riksavtal …
    if c.region == need.home_region:
        route = Route.OWN_CONTRACT if c.region == own_region else Route.OTHER_REGION
        return route, lambda: f"Avtalet {c.title} ({form}) gäller patienter från {region_name(c.region)}."
    if c.open_to_other_regions and (not c.open_regions or need.home_region in c.open_regions):
        return Route.OTHER_REGION, lambda: (f"Avtalet {c.title} ({form}, {region_name(c.region)}) är öppet för "
                                            f"patienter från {region_name(need.home_region)}.")
    return None, lambda: f"Avtalet {c.title} gäller bara patienter från {region_name(c.region)}."


def _fit(need: Need, report: CapacityFacts | None, today: date,
         stale_days: int) -> tuple[Fit, int | None, date | None, str]:
    if report is None or report.wait_days is None:
        return Fit.UNKNOWN, None, None, "Väntetid saknas: ring och fråga."
    wait, as_of = report.wait_days, report.as_of
    if as_of < today - timedelta(days=stale_days):
        return Fit.UNKNOWN, wait, as_of, (f"Väntetiden {wait} dagar är från {as_of.isoformat()}, äldre än "
                                          f"{stale_days // 7} veckor: ring och kontrollera.")
    if wait <= need.remaining:
        return Fit.FITS, wait, as_of, (f"Väntetid {wait} dagar ({as_of.isoformat()}), {need.remaining} dagar kvar "
                                       "till tidsgränsen.")
    return Fit.TOO_LATE, wait, as_of, (f"Väntetid {wait} dagar ({as_of.isoformat()}) men bara {need.remaining} "
                                       "dagar kvar till tidsgränsen.")
