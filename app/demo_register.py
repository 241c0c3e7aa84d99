"""The demo region's register (DOMAIN.md §3): the region's own clinics (the units its demo patients wait at), its
private contractors, other regions' hospitals and private clinics with their terms for out-of-region patients,
and capacity reports with free slots per week, some of them stale. Deterministic for a seed and `today`, like
app.demo; written in one transaction.

The shares are chosen so that care elsewhere, the list-wide matching and the forecast have something to work
with: own clinics wait long (that is why patients wait), contractors and other regions are faster but limited
by weekly slots and volume ceilings, and some reports are older than the stale limit or missing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from sqlalchemy.orm import Session

from app import reference
from app.register.services import region_name
from db.register import CapacityReport, CareUnit, Contract, Provider, UnitService

# Where a hospital lies when its name does not say it (municipality codes).
HOSPITAL_TOWN = {
    "Karolinska Universitetssjukhuset": "0184", "Södersjukhuset": "0180", "S:t Görans sjukhus": "0180",
    "Akademiska sjukhuset": "0380", "Mälarsjukhuset": "0484", "Kullbergska sjukhuset": "0483",
    "Universitetssjukhuset i Linköping": "0580", "Vrinnevisjukhuset": "0581", "Länssjukhuset Ryhov": "0680",
    "Höglandssjukhuset": "0686", "Skånes universitetssjukhus": "1281", "Sahlgrenska Universitetssjukhuset": "1480",
    "Södra Älvsborgs sjukhus": "1490", "Falu lasarett": "2080", "Norrlands universitetssjukhus": "2480",
    "Sunderby sjukhus": "2580", "Visby lasarett": "0980",
}
# What private clinics offer: the big waiting lists of planned specialised care.
PRIVATE_MVO = ("311", "511", "521", "301", "451", "211", "331")
PRIVATE_NAMES = ("Specialistcentrum", "Läkarhuset", "Vårdporten", "Specialistläkarna", "Citykliniken",
                 "Läkargruppen", "Medicinska centret", "Specialistmottagningen")
OTHER_REGION_TERMS = (
    "Remiss från hemregionen krävs. Ersättning enligt riksavtalet.",
    "Tar emot patienter från andra regioner när egen kö tillåter. Betalningsförbindelse från hemregionen.",
    "Endast dagkirurgi. Patienten ska klara resan på egen hand.",
)
EXCLUDED = ("Patienter med BMI över 35", "Barn under 16 år", "Patienter som behöver intensivvård efteråt")
WEEKS = 8               # weekly slots reported ahead
STALE_SHARE = 0.15      # reports older than the stale limit (6 weeks)
MISSING_SHARE = 0.08    # units that never reported for a service
NEAR_CEILING_SHARE = 0.3  # contracts with at most a few patients left under their volume ceiling
OTHER_HOSPITAL_MVOS = 8  # specialties per other region's hospital in the register


@dataclass(frozen=True)
class RegisterStats:
    providers: int
    units: int
    contracts: int
    capacity_reports: int


def hospital_municipality(hospital: str, region: str) -> str:
    """The municipality a hospital lies in: from HOSPITAL_TOWN, or the municipality its name names."""
    if hospital in HOSPITAL_TOWN:
        return HOSPITAL_TOWN[hospital]
    words = set(re.findall(r"[\wåäöÅÄÖ-]+", hospital))
    for m in reference.municipalities():
        if m.region_code == region and ({m.name, m.name + "s"} & words):
            return m.code
    raise ValueError(f"no municipality for {hospital!r}: add it to HOSPITAL_TOWN")


def generate_register(session: Session, *, seed: int, today: date, region: str) -> RegisterStats:
    from app.demo import CLINIC, HOSPITALS  # the names the demo patients wait at

    random = Random(f"register-{seed}-{region}")
    builder = _Builder(session, random, today, region)
    by_region = {m.region_code: [] for m in reference.municipalities()}
    for m in reference.municipalities():
        by_region[m.region_code].append(m)
    mvo_names = {s.code: s.name for s in reference.specialties()}

    # The region's own clinics: every clinic at every hospital, as the demo's cases name them.
    own = builder.provider(region_name(region), region, public=True)
    for hospital in HOSPITALS[region]:
        town = hospital_municipality(hospital, region)
        for mvo, clinic in CLINIC.items():
            unit = builder.unit(own, f"{clinic}, {hospital}", region, town, (mvo,), accepts=True)
            builder.capacity(unit, mvo, wait=(50, 220), slots=(0, 4))

    # The region's private contractors.
    for i in range(6):
        town = random.choice(by_region[region])
        provider = builder.provider(f"{PRIVATE_NAMES[i % len(PRIVATE_NAMES)]} {town.name} AB", region, public=False)
        mvos = tuple(random.sample(PRIVATE_MVO, random.randint(1, 3)))
        unit = builder.unit(provider, f"{PRIVATE_NAMES[i % len(PRIVATE_NAMES)]}, {town.name}", region, town.code,
                            mvos, accepts=False)
        for mvo in mvos:
            builder.capacity(unit, mvo, wait=(7, 60), slots=(2, 12))
        builder.contract(provider, None, f"{mvo_names[mvos[0]]} {town.name}", region,
                         random.choice(("LOU", "LOV")), mvos, open_to_others=False)

    # Other regions: their hospitals (most take patients from other regions) and private clinics, some with
    # contracts open to patients from elsewhere.
    for other, hospitals in HOSPITALS.items():
        if other == region:
            continue
        public = builder.provider(region_name(other), other, public=True)
        for hospital in hospitals:
            town = hospital_municipality(hospital, other)
            accepts = random.random() < 0.85
            for mvo in random.sample(sorted(CLINIC), OTHER_HOSPITAL_MVOS):
                unit = builder.unit(public, f"{CLINIC[mvo]}, {hospital}", other, town, (mvo,), accepts=accepts)
                builder.capacity(unit, mvo, wait=(20, 150), slots=(0, 6))
        for _ in range(random.randint(1, 2)):
            town = random.choice(by_region[other])
            name = random.choice(PRIVATE_NAMES)
            provider = builder.provider(f"{name} {town.name} AB", other, public=False)
            mvos = tuple(random.sample(PRIVATE_MVO, random.randint(1, 3)))
            unit = builder.unit(provider, f"{name}, {town.name}", other, town.code, mvos, accepts=False)
            for mvo in mvos:
                builder.capacity(unit, mvo, wait=(5, 45), slots=(1, 10))
            builder.contract(provider, unit, f"{mvo_names[mvos[0]]} {town.name}", other,
                             random.choice(("LOU", "LOV", "regionavtal")), mvos,
                             open_to_others=random.random() < 0.6)
    session.flush()
    return RegisterStats(*builder.counts)


class _Builder:
    def __init__(self, session: Session, random: Random, today: date, region: str):
        self.session, self.random, self.today, self.region = session, random, today, region
        self.serial = 0
        self.counts = [0, 0, 0, 0]
        self.towns = {m.code: m for m in reference.municipalities()}
        self.activities: dict[str, list[str]] = {}
        for a in reference.activities():
            self.activities.setdefault(a.mvo_code, []).append(a.code)

    def provider(self, name: str, region: str, public: bool) -> Provider:
        row = Provider(name=name, public=public, region_code=region)
        self.session.add(row)
        self.session.flush()  # its id, for the units and contracts
        self.counts[0] += 1
        return row

    def unit(self, provider: Provider, name: str, region: str, municipality: str, mvos: tuple[str, ...],
             accepts: bool) -> CareUnit:
        self.serial += 1
        town = self.towns[municipality]
        row = CareUnit(
            hsa_id=f"SE23210000{region}-E{self.serial:05d}", name=name, provider_id=provider.id,
            address=f"{self.random.choice(('Lasarettsvägen', 'Sjukhusvägen', 'Storgatan', 'Kungsgatan'))} "
                    f"{self.random.randint(1, 40)}, {town.name}",
            municipality_code=municipality, region_code=region, accepts_other_regions=accepts,
            referral_required=self.random.random() < 0.3, phone=f"0{self.random.randint(10, 99)}-{self.serial:06d}")
        self.session.add(row)
        self.session.flush()
        for mvo in mvos:
            self.session.add(UnitService(unit_id=row.id, kind="mvo", code=mvo))
            for activity in self.activities.get(mvo, []):
                self.session.add(UnitService(unit_id=row.id, kind="activity", code=activity))
        self.counts[1] += 1
        return row

    def contract(self, provider: Provider, unit: CareUnit | None, title: str, region: str, form: str,
                 mvos: tuple[str, ...], open_to_others: bool) -> None:
        random = self.random
        ceiling = random.choice((200, 300, 500, 800))
        used = ceiling - random.randint(0, 5) if random.random() < NEAR_CEILING_SHARE else int(
            ceiling * random.uniform(0.2, 0.8))
        services = [*mvos, *(a for m in mvos for a in self.activities.get(m, []))]
        start = self.today - timedelta(days=random.randint(200, 700))
        row = Contract(
            title=title, provider_id=provider.id, unit_id=unit and unit.id, region_code=region, form=form, services=services,
            valid_from=start, valid_to=start + timedelta(days=random.choice((730, 1095, 1460))),
            volume_ceiling=ceiling, volume_used=used, prices={s: random.randint(8, 60) * 1000 for s in mvos},
            open_to_other_regions=open_to_others,
            open_regions=[self.region] if open_to_others and random.random() < 0.3 else [],
            other_region_terms=random.choice(OTHER_REGION_TERMS) if open_to_others else None,
            excluded_groups=random.choice(EXCLUDED) if random.random() < 0.4 else None)
        self.session.add(row)
        self.counts[2] += 1

    def capacity(self, unit: CareUnit, service: str, wait: tuple[int, int], slots: tuple[int, int]) -> None:
        """Free slots for each of the next WEEKS weeks, from one report (same as_of); or nothing, or stale."""
        random = self.random
        if random.random() < MISSING_SHARE:
            return
        stale = random.random() < STALE_SHARE
        as_of = self.today - timedelta(days=random.randint(50, 150) if stale else random.randint(0, 20))
        monday = as_of - timedelta(days=as_of.weekday())
        wait_days = random.randint(*wait)
        first_week = wait_days // 7  # no free slot before the estimated wait
        for week in range(first_week, first_week + WEEKS):
            start = monday + timedelta(weeks=week)
            self.session.add(CapacityReport(
                unit_id=unit.id, service=service, period_from=start, period_to=start + timedelta(days=6),
                free_slots=random.randint(*slots), wait_days=wait_days, as_of=as_of,
                source="Demo: enhetens veckorapport"))
            self.counts[3] += 1
