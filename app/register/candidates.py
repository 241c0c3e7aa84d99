"""Find care elsewhere (DOMAIN.md §3): the units that could treat a case's step in time, ranked in the order
the vårdlots network documents (own units, then own contracts, then other regions) and then by estimated
wait against the days remaining, each with the reasons it is in or out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import Connection, Select, String, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from app import reference
from app.access import Action, patient_access
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.register.services import region_name
from app.register.settings import OWN_REGION, STALE_CAPACITY_DAYS, settings
from db.models import Case, Patient, Step
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


class Block(IntEnum):
    """Why a unit is out, as a kind: app.register.no_match counts them to say why nothing matches."""

    SERVICE = 0  # the unit does not offer the specialty or activity
    NO_CONTRACT = 1  # nothing covers the step there
    NOT_STARTED = 2
    EXPIRED = 3
    NOT_COVERED = 4  # a contract, but not for this service
    CEILING = 5
    REGION = 6  # not open to the patient's home region


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


# The facts are NamedTuples, not frozen dataclasses: a search builds thousands, at a third of the cost.
class UnitFacts(NamedTuple):
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
    specialties: frozenset[str]  # of the step's codes, those the unit offers: only these are loaded
    activities: frozenset[str]


class ContractFacts(NamedTuple):
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


class CapacityFacts(NamedTuple):
    unit_id: int
    service: str
    wait_days: int | None
    free_slots: int | None
    as_of: date


# A contract with the route it gives the need (None: it does not), why, as text made only when shown, and the
# kind of refusal when it gives none.
Judged = tuple[ContractFacts, Route | None, Callable[[], str], "Block | None"]


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
    blocks: frozenset[Block] = frozenset()  # for a unit that is out: the kinds of its reasons

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
    stale_days: int = STALE_CAPACITY_DAYS[1]  # the setting in force: capacity older than this is not trusted


def find_candidates(ctx: AppContext, step_id: int) -> Search:
    """Read the step (logged as a read of the patient) and rank every unit that offers its specialty."""
    today = ctx.today()
    with ctx.db.transaction() as session:
        # step, case and patient in one query; patient_access then finds the patient in the session
        found = session.execute(select(Step, Case, Patient).join(Case, Case.id == Step.case_id)
                                .join(Patient, Patient.id == Case.patient_id).where(Step.id == step_id)).first()
        if found is None:
            raise NotFoundError("Steg", "steget finns inte.")
        step, case, _ = found
        patient = patient_access(session, ctx, case.patient_id, Action.READ, case.id, "vård hos annan vårdgivare")
        if not step.is_open:
            raise InputError("Steg", "steget är avslutat; det behövs ingen vård hos annan vårdgivare.")
        remaining = step.frozen_remaining if step.frozen_remaining is not None else (step.deadline - today).days
        need = Need(step.id, case.id, step.code, case.specialty_code, case.activity_code,
                    patient.home_region_code, step.deadline, remaining, case.waiting_unit)
        own, stale_days = settings(session, OWN_REGION, STALE_CAPACITY_DAYS)
        units, contracts, capacity = load_facts(session, need)
    return Search(need, rank(need, units, contracts, capacity, own, today, stale_days), stale_days)


def load_facts(session: Session, need: Need, activities: Iterable[str] = ()
               ) -> tuple[list[UnitFacts], list[ContractFacts], list[CapacityFacts]]:
    """The units that offer the step's specialty or activity with their newest capacity reports for it, and the
    contracts that could cover them for it: two queries, each narrowed in SQL by the step's codes (the indexes
    of migration 0007), none per candidate.

    A search reads about a thousand rows of each; the Python around the rows then costs more than the queries
    do, hence plain Core rows unpacked by position (reading a Row's attributes by name costs more than the query
    itself) and each distinct JSON list decoded once. `activities`: more activity codes of the specialty to load in
    the same two queries (the list-wide matching loads a specialty once for all its steps)."""
    extra = sorted(({need.activity} if need.activity else set()) | set(activities))
    wanted = [need.specialty, *extra]
    offers = [(UnitService.kind == "mvo") & (UnitService.code == need.specialty)]
    if extra:
        offers.append((UnitService.kind == "activity") & UnitService.code.in_(extra))
    connection = session.connection()
    units, capacity = _units(connection, offers)
    offering = select(UnitService.unit_id).where(or_(*offers))
    return units, _contracts(connection, offering, wanted), capacity


def _units(connection: Connection, offers: list) -> tuple[list[UnitFacts], list[CapacityFacts]]:
    """One row per unit and service of the step's that it offers, with the newest capacity report for that
    service (only the newest counts, see rank): several if reported twice on that day, none if never."""
    older = aliased(CapacityReport)
    newest = (select(func.max(older.as_of))
              .where(older.unit_id == UnitService.unit_id, older.service == UnitService.code)
              .scalar_subquery())
    found: dict[int, list] = {}
    offered: dict[int, dict[str, set[str]]] = {}
    capacity: list[CapacityFacts] = []
    for *columns, kind, code, wait_days, free_slots, as_of in connection.execute(
        select(CareUnit.id, CareUnit.hsa_id, CareUnit.name, CareUnit.provider_id, Provider.name, Provider.public,
               Provider.region_code, CareUnit.region_code, CareUnit.address, CareUnit.phone, CareUnit.email,
               CareUnit.contact_person, CareUnit.accepts_other_regions, CareUnit.referral_required,
               UnitService.kind, UnitService.code,
               CapacityReport.wait_days, CapacityReport.free_slots, CapacityReport.as_of)
        .join(Provider, Provider.id == CareUnit.provider_id).join(UnitService, UnitService.unit_id == CareUnit.id)
        .outerjoin(CapacityReport, (CapacityReport.unit_id == UnitService.unit_id)
                   & (CapacityReport.service == UnitService.code) & (CapacityReport.as_of == newest))
        .where(or_(*offers))
    ).all():
        unit_id = columns[0]
        found.setdefault(unit_id, columns)
        offered.setdefault(unit_id, {"mvo": set(), "activity": set()})[kind].add(code)
        if as_of is not None:
            capacity.append(CapacityFacts(unit_id, code, wait_days, free_slots, as_of))
    units = [UnitFacts(*columns, frozenset(offered[unit_id]["mvo"]), frozenset(offered[unit_id]["activity"]))
             for unit_id, columns in found.items()]
    return units, capacity


def _contracts(connection: Connection, offering: Select, wanted: list[str]) -> list[ContractFacts]:
    """The contracts of the offering units, and their providers' contracts for all units, that name one of the
    wanted codes (a big provider's other contracts are noise here). Expired ones too: they say why a unit is
    out."""
    services, open_regions = cast(Contract.services, String), cast(Contract.open_regions, String)
    providers = select(CareUnit.provider_id).where(CareUnit.id.in_(offering))
    code_sets = _CodeSets()
    return [
        ContractFacts(id_, title, provider_id, unit_id, region, form, code_sets(codes), valid_from, valid_to,
                      ceiling, used, open_to_others, code_sets(regions), excluded)
        for id_, title, provider_id, unit_id, region, form, codes, valid_from, valid_to, ceiling, used,
        open_to_others, regions, excluded in connection.execute(
            select(Contract.id, Contract.title, Contract.provider_id, Contract.unit_id, Contract.region_code,
                   Contract.form, services, Contract.valid_from, Contract.valid_to, Contract.volume_ceiling,
                   Contract.volume_used, Contract.open_to_other_regions, open_regions, Contract.excluded_groups)
            .where(or_(Contract.unit_id.in_(offering),
                       Contract.unit_id.is_(None) & Contract.provider_id.in_(providers)),
                   or_(*(services.like(f'%"{code}"%') for code in wanted)))).all()
    ]


class _CodeSets:
    """JSON lists of codes as frozensets, each distinct text decoded once: contracts repeat the same few."""

    def __init__(self) -> None:
        self.seen: dict[str | None, frozenset[str]] = {}

    def __call__(self, text: str | None) -> frozenset[str]:
        try:
            return self.seen[text]
        except KeyError:
            return self.seen.setdefault(text, frozenset(json.loads(text) if text else ()))


def rank(need: Need, units: Iterable[UnitFacts], contracts: Iterable[ContractFacts],
         capacity: Iterable[CapacityFacts], own_region: str, today: date, stale_days: int) -> list[Candidate]:
    """Pure: the ranked candidates with their reasons."""
    by_unit: dict[int, list[Judged]] = {}
    by_provider: dict[int, list[Judged]] = {}
    for c in contracts:
        # judged once, not once per unit: a provider-wide contract covers every unit of the provider
        judged = (c, *_contract_route(need, c, own_region, today))
        (by_unit.setdefault(c.unit_id, []) if c.unit_id is not None else by_provider.setdefault(c.provider_id, [])
         ).append(judged)
    latest: dict[int, CapacityFacts] = {}
    for report in sorted(capacity, key=lambda r: (r.as_of, r.service == need.activity)):
        latest[report.unit_id] = report  # the newest report wins; the activity's beats the specialty's
    candidates = [
        _judge(need, unit, by_unit.get(unit.id, []) + by_provider.get(unit.provider_id, []),
               latest.get(unit.id), own_region, today, stale_days)
        for unit in units
    ]
    return sorted(candidates, key=Candidate.sort_key)


def _judge(need: Need, unit: UnitFacts, contracts: list[Judged], report: CapacityFacts | None,
           own_region: str, today: date, stale_days: int) -> Candidate:
    """Reasons are built as functions and only turned into text where shown: the chosen route for a unit
    that is in, every refusal for a unit that is out (thousands of contracts are judged per search)."""
    if need.activity and need.activity not in unit.activities:
        return Candidate(unit, False, None, None, Fit.OUT, None, None,
                         (f"Enheten erbjuder inte åtgärden {need.activity}.",), frozenset({Block.SERVICE}))
    if need.specialty not in unit.specialties:
        return Candidate(unit, False, None, None, Fit.OUT, None, None,
                         (f"Enheten har inte verksamhetsområdet {need.specialty}.",), frozenset({Block.SERVICE}))
    routes: list[tuple[Route, ContractFacts | None, Callable[[], str]]] = []
    refusals: list[tuple[Callable[[], str], Block]] = []
    if unit.provider_public and unit.provider_region == own_region == unit.region:
        if need.home_region == own_region or unit.accepts_other_regions:
            routes.append((Route.OWN_UNIT, None, lambda: "Regionens egen enhet."))
        else:
            refusals.append((lambda: f"Egen enhet, men tar inte emot patienter från {region_name(need.home_region)}.",
                             Block.REGION))
    elif unit.provider_public and unit.region != need.home_region:
        if unit.accepts_other_regions:
            routes.append((Route.OTHER_REGION, None, lambda: f"{region_name(unit.region)} tar emot patienter från "
                                                             "andra regioner (riksavtalet)."))
        else:
            refusals.append((lambda: f"{region_name(unit.region)}s enhet tar inte emot patienter från andra "
                                     "regioner.", Block.REGION))
    for contract, route, why, block in contracts:
        if route is None:
            refusals.append((why, block))
        else:
            routes.append((route, contract, why))
    if not routes:
        texts = tuple(why() for why, _block in refusals) or (
            f"Det finns inget avtal som omfattar {need.activity or need.specialty} vid enheten.",)
        blocks = frozenset(block for _why, block in refusals) or frozenset({Block.NO_CONTRACT})
        return Candidate(unit, False, None, None, Fit.OUT, None, None, texts, blocks)
    route, contract, why = min(routes, key=itemgetter(0))  # the first of the best route
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
                    today: date) -> tuple[Route | None, Callable[[], str], Block | None]:
    if c.valid_from > today:
        return None, lambda: f"Avtalet {c.title} börjar gälla först {c.valid_from.isoformat()}.", Block.NOT_STARTED
    if c.valid_to is not None and c.valid_to < today:
        return None, lambda: f"Avtalet {c.title} gick ut {c.valid_to.isoformat()}.", Block.EXPIRED
    if need.specialty not in c.services and need.activity not in c.services:
        return None, lambda: f"Avtalet {c.title} omfattar inte {need.activity or need.specialty}.", Block.NOT_COVERED
    if c.volume_ceiling is not None and c.volume_used >= c.volume_ceiling:
        return None, lambda: f"Avtalet {c.title} har nått sitt volymtak ({c.volume_ceiling}).", Block.CEILING
    form = c.form.replace("_", " ")  # LOU, LOV, egen regi, riksavtal …
    if c.region == need.home_region:
        route = Route.OWN_CONTRACT if c.region == own_region else Route.OTHER_REGION
        return route, lambda: f"Avtalet {c.title} ({form}) gäller patienter från {region_name(c.region)}.", None
    if c.open_to_other_regions and (not c.open_regions or need.home_region in c.open_regions):
        return Route.OTHER_REGION, lambda: (f"Avtalet {c.title} ({form}, {region_name(c.region)}) är öppet för "
                                            f"patienter från {region_name(need.home_region)}."), None
    return None, lambda: f"Avtalet {c.title} gäller bara patienter från {region_name(c.region)}.", Block.REGION


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
