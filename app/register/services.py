"""Register use cases: save and list providers, units, contracts and capacity reports. Each save is one
transaction that also writes the change history (app.register.history)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import reference
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.register import checks, history
from app.register.settings import EXPIRY_WARNING_DAYS, STALE_CAPACITY_DAYS, setting
from app.roles import Permission, require
from app.text_input import TEXT_LIMIT, limit_of
from db.register import CapacityReport, CareUnit, Contract, Provider, UnitService

CONTRACT_FORMS = {
    "LOU": "Upphandlat avtal (LOU)",
    "LOV": "Vårdval (LOV)",
    "egen_regi": "Egen regi",
    "riksavtal": "Riksavtalet",
    "regionavtal": "Avtal mellan regioner",
    "nationella_taxan": "Nationella taxan",
}
SERVICE_KINDS = {"mvo": "Verksamhetsområden (MVO)", "activity": "Åtgärder", "kva": "KVÅ-koder"}


def region_name(code: str | None) -> str:
    return _region_names().get(code or "", code or "")


@cache
def _region_names() -> dict[str, str]:
    return {r.code: r.name for r in reference.regions()}


# --- providers ---

@dataclass(frozen=True)
class ProviderData:
    name: str
    region: str
    public: bool = False
    org_number: str | None = None


PROVIDER_LABELS = {"name": "Namn", "org_number": "Organisationsnummer", "public": "Offentlig",
                   "region_code": "Region"}


@dataclass(frozen=True)
class ProviderRow:
    id: int
    name: str
    org_number: str
    public: bool
    region: str


def save_provider(ctx: AppContext, data: ProviderData, provider_id: int | None = None) -> int:
    with ctx.db.transaction() as session:
        return store_provider(session, ctx, data, provider_id)


def store_provider(session: Session, ctx: AppContext, data: ProviderData, provider_id: int | None) -> int:
    require(ctx.role, Permission.CHANGE_REGISTER)
    values = {
        "name": checks.text(data.name, "Namn", required=True, limit=limit_of(Provider.name)),
        "org_number": checks.org_number(data.org_number),
        "public": bool(data.public),
        "region_code": checks.region(data.region),
    }
    row = _row(session, Provider, provider_id, "Vårdgivare")
    if values["org_number"]:
        _unique(session, Provider, Provider.org_number, values["org_number"], row.id, "Organisationsnummer")
    history.apply(session, ctx, "provider", row, values, PROVIDER_LABELS)
    return row.id


def get_provider(ctx: AppContext, provider_id: int) -> ProviderData:
    with ctx.db.transaction() as session:
        row = _row(session, Provider, provider_id, "Vårdgivare")
        return ProviderData(row.name, row.region_code, row.public, row.org_number)


def list_providers(ctx: AppContext, search: str = "") -> list[ProviderRow]:
    with ctx.db.transaction() as session:
        rows = [ProviderRow(p.id, p.name, p.org_number or "", p.public, region_name(p.region_code))
                for p in session.scalars(select(Provider).order_by(Provider.name))]
    return _matching(rows, search)


# --- units ---

@dataclass(frozen=True)
class UnitData:
    hsa_id: str
    name: str
    provider_id: int
    region: str
    municipality: str | None = None
    address: str | None = None
    specialties: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    kva: list[str] = field(default_factory=list)
    accepts_other_regions: bool = False
    referral_required: bool = False
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None


UNIT_LABELS = {"hsa_id": "HSA-id", "name": "Namn", "provider_id": "Vårdgivare", "region_code": "Region",
               "municipality_code": "Kommun", "address": "Adress", "accepts_other_regions":
               "Tar emot patienter från andra regioner", "referral_required": "Kräver remiss",
               "contact_person": "Kontaktperson", "phone": "Telefon", "email": "E-post"}


@dataclass(frozen=True)
class UnitRow:
    id: int
    hsa_id: str
    name: str
    provider: str
    region: str
    municipality: str
    specialties: str
    accepts_other_regions: bool


def save_unit(ctx: AppContext, data: UnitData, unit_id: int | None = None) -> int:
    with ctx.db.transaction() as session:
        return store_unit(session, ctx, data, unit_id)


def store_unit(session: Session, ctx: AppContext, data: UnitData, unit_id: int | None) -> int:
    require(ctx.role, Permission.CHANGE_REGISTER)
    values = {
        "hsa_id": checks.hsa_id(data.hsa_id),
        "name": checks.text(data.name, "Namn", required=True, limit=limit_of(CareUnit.name)),
        "provider_id": data.provider_id,
        "region_code": checks.region(data.region),
        "municipality_code": checks.municipality(data.municipality),
        "address": checks.text(data.address, "Adress", limit=limit_of(CareUnit.address)),
        "accepts_other_regions": bool(data.accepts_other_regions),
        "referral_required": bool(data.referral_required),
        "contact_person": checks.text(data.contact_person, "Kontaktperson",
                                      limit=limit_of(CareUnit.contact_person)),
        "phone": checks.text(data.phone, "Telefon", limit=limit_of(CareUnit.phone)),
        "email": checks.email(data.email),
    }
    offered = {"mvo": checks.specialties(data.specialties), "activity": checks.activities(data.activities),
               "kva": checks.kva(data.kva)}
    if not offered["mvo"]:
        raise InputError(SERVICE_KINDS["mvo"], "ange minst ett verksamhetsområde som enheten erbjuder.")
    _row(session, Provider, data.provider_id, "Vårdgivare")
    row = _row(session, CareUnit, unit_id, "Enhet")
    _unique(session, CareUnit, CareUnit.hsa_id, values["hsa_id"], row.id, "HSA-id")
    history.apply(session, ctx, "unit", row, values, UNIT_LABELS)
    current = unit_services(session, [row.id]).get(row.id, {})
    for kind, codes in offered.items():
        if history.record(session, ctx, "unit", row.id, SERVICE_KINDS[kind], current.get(kind, []), codes):
            session.execute(delete(UnitService).where(UnitService.unit_id == row.id, UnitService.kind == kind))
            session.add_all(UnitService(unit_id=row.id, kind=kind, code=code) for code in codes)
    return row.id


def unit_services(session: Session, unit_ids) -> dict[int, dict[str, list[str]]]:
    """unit id -> kind -> sorted codes. `unit_ids` may be a list or a subquery."""
    found: dict[int, dict[str, list[str]]] = {}
    for unit_id, kind, code in session.execute(
        select(UnitService.unit_id, UnitService.kind, UnitService.code)
        .where(UnitService.unit_id.in_(unit_ids)).order_by(UnitService.code)
    ):
        found.setdefault(unit_id, {}).setdefault(kind, []).append(code)
    return found


def get_unit(ctx: AppContext, unit_id: int) -> UnitData:
    with ctx.db.transaction() as session:
        u = _row(session, CareUnit, unit_id, "Enhet")
        offered = unit_services(session, [u.id]).get(u.id, {})
        return UnitData(u.hsa_id, u.name, u.provider_id, u.region_code, u.municipality_code, u.address,
                        offered.get("mvo", []), offered.get("activity", []), offered.get("kva", []),
                        u.accepts_other_regions, u.referral_required, u.contact_person, u.phone, u.email)


def list_units(ctx: AppContext, search: str = "") -> list[UnitRow]:
    municipalities = {m.code: m.name for m in reference.municipalities()}
    with ctx.db.transaction() as session:
        offered = unit_services(session, select(CareUnit.id))
        rows = [
            UnitRow(u.id, u.hsa_id, u.name, provider, region_name(u.region_code),
                    municipalities.get(u.municipality_code or "", ""),
                    ", ".join(offered.get(u.id, {}).get("mvo", [])), u.accepts_other_regions)
            for u, provider in session.execute(
                select(CareUnit, Provider.name).join(Provider).order_by(CareUnit.name))
        ]
    return _matching(rows, search)


# --- contracts ---

@dataclass(frozen=True)
class ContractData:
    title: str
    provider_id: int
    region: str
    form: str
    services: list[str]
    valid_from: date
    valid_to: date | None = None
    unit_id: int | None = None
    renewal_on: date | None = None
    volume_ceiling: int | None = None
    volume_used: int = 0
    prices: dict[str, int] = field(default_factory=dict)
    open_to_other_regions: bool = False
    open_regions: list[str] = field(default_factory=list)
    other_region_terms: str | None = None
    excluded_groups: str | None = None
    document_ref: str | None = None


CONTRACT_LABELS = {"title": "Benämning", "provider_id": "Vårdgivare", "unit_id": "Enhet",
                   "region_code": "Avtalsregion", "form": "Avtalsform", "services": "Tjänster",
                   "valid_from": "Gäller från", "valid_to": "Gäller till", "renewal_on": "Förnyelsedatum",
                   "volume_ceiling": "Volymtak", "volume_used": "Utnyttjad volym", "prices": "Pris per tjänst",
                   "open_to_other_regions": "Öppet för andra regioner", "open_regions": "Regioner som får använda",
                   "other_region_terms": "Villkor för andra regioner",
                   "excluded_groups": "Undantagna patientgrupper", "document_ref": "Dokument"}


@dataclass(frozen=True)
class ContractRow:
    id: int
    title: str
    provider: str
    unit: str
    region: str
    form: str
    valid_from: date
    valid_to: date | None
    status: str  # "Gäller", "Går ut inom 90 dagar", "Har gått ut", "Börjar gälla ..."
    warn: bool   # expired or expiring soon: highlighted with colour beside the status text


def save_contract(ctx: AppContext, data: ContractData, contract_id: int | None = None) -> int:
    values = contract_values(data)
    with ctx.db.transaction() as session:
        return store_contract(session, ctx, values, contract_id)


def contract_values(data: ContractData) -> dict:
    """The checked column values; InputError naming the field otherwise. No database needed."""
    if data.form not in CONTRACT_FORMS:
        raise InputError("Avtalsform", "välj en avtalsform i listan.")
    if data.valid_from is None:
        raise InputError("Gäller från", "ange när avtalet börjar gälla.")
    checks.period(data.valid_from, data.valid_to, "Gäller till")
    services = checks.services(data.services)
    if not services:
        raise InputError("Tjänster", "ange minst en tjänst (MVO-, åtgärds- eller KVÅ-kod) som avtalet omfattar.")
    prices = {code.strip().upper(): price for code, price in data.prices.items()}
    for code, price in prices.items():
        if code not in services:
            raise InputError("Pris per tjänst", f"{code} finns inte bland avtalets tjänster.")
        if price is None or price < 0:
            raise InputError("Pris per tjänst", f"priset för {code} kan inte vara negativt.")
    values = {
        "title": checks.text(data.title, "Benämning", required=True, limit=limit_of(Contract.title)),
        "provider_id": data.provider_id,
        "unit_id": data.unit_id,
        "region_code": checks.region(data.region, "Avtalsregion"),
        "form": data.form,
        "services": services,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "renewal_on": data.renewal_on,
        "volume_ceiling": checks.count(data.volume_ceiling, "Volymtak"),
        "volume_used": checks.count(data.volume_used, "Utnyttjad volym") or 0,
        "prices": prices,
        "open_to_other_regions": bool(data.open_to_other_regions),
        "open_regions": checks.regions(data.open_regions, "Regioner som får använda") if data.open_to_other_regions
        else [],
        "other_region_terms": checks.text(data.other_region_terms, "Villkor för andra regioner", limit=TEXT_LIMIT),
        "excluded_groups": checks.text(data.excluded_groups, "Undantagna patientgrupper", limit=TEXT_LIMIT),
        "document_ref": checks.text(data.document_ref, "Dokument", limit=limit_of(Contract.document_ref)),
    }
    return values


def store_contract(session: Session, ctx: AppContext, values: dict, contract_id: int | None) -> int:
    require(ctx.role, Permission.CHANGE_REGISTER)
    _row(session, Provider, values["provider_id"], "Vårdgivare")
    if values["unit_id"] is not None:
        unit = _row(session, CareUnit, values["unit_id"], "Enhet")
        if unit.provider_id != values["provider_id"]:
            raise InputError("Enhet", "enheten hör till en annan vårdgivare.")
    row = _row(session, Contract, contract_id, "Avtal")
    history.apply(session, ctx, "contract", row, values, CONTRACT_LABELS)
    return row.id


def get_contract(ctx: AppContext, contract_id: int) -> ContractData:
    with ctx.db.transaction() as session:
        c = _row(session, Contract, contract_id, "Avtal")
        return ContractData(
            c.title, c.provider_id, c.region_code, c.form, list(c.services), c.valid_from, c.valid_to, c.unit_id,
            c.renewal_on, c.volume_ceiling, c.volume_used, dict(c.prices), c.open_to_other_regions,
            list(c.open_regions), c.other_region_terms, c.excluded_groups, c.document_ref)


def contract_status(valid_from: date, valid_to: date | None, today: date, warning_days: int) -> tuple[str, bool]:
    if valid_from > today:
        return f"Börjar gälla {valid_from.isoformat()}", False
    if valid_to is not None and valid_to < today:
        return f"Har gått ut {valid_to.isoformat()}", True
    if valid_to is not None and valid_to <= today + timedelta(days=warning_days):
        return f"Går ut inom {warning_days} dagar ({valid_to.isoformat()})", True
    return "Gäller", False


def list_contracts(ctx: AppContext, search: str = "", expiring_only: bool = False) -> list[ContractRow]:
    today = ctx.today()
    with ctx.db.transaction() as session:
        warning = setting(session, EXPIRY_WARNING_DAYS)
        units = dict(session.execute(select(CareUnit.id, CareUnit.name)).all())
        rows = []
        for c, provider in session.execute(select(Contract, Provider.name).join(Provider)
                                           .order_by(Contract.valid_to, Contract.title)):
            status, warn = contract_status(c.valid_from, c.valid_to, today, warning)
            rows.append(ContractRow(c.id, c.title, provider, units.get(c.unit_id, "Alla enheter"),
                                    region_name(c.region_code), CONTRACT_FORMS.get(c.form, c.form), c.valid_from,
                                    c.valid_to, status, warn))
    rows.sort(key=lambda r: (not r.warn, r.valid_to or date.max))  # the ones to act on first
    return _matching([r for r in rows if r.warn or not expiring_only], search)


# --- capacity ---

@dataclass(frozen=True)
class CapacityData:
    unit_id: int
    service: str
    as_of: date
    wait_days: int | None = None
    free_slots: int | None = None
    period_from: date | None = None
    period_to: date | None = None
    source: str | None = None


CAPACITY_LABELS = {"unit_id": "Enhet", "service": "Tjänst", "as_of": "Uppgift per", "wait_days":
                   "Beräknad väntetid (dagar)", "free_slots": "Lediga tider", "period_from": "Period från",
                   "period_to": "Period till", "source": "Källa"}


@dataclass(frozen=True)
class CapacityRow:
    id: int
    unit: str
    service: str
    wait_days: int | None
    free_slots: int | None
    as_of: date
    source: str
    status: str
    stale: bool


def save_capacity(ctx: AppContext, data: CapacityData, report_id: int | None = None) -> int:
    values = capacity_values(data, ctx.today())
    with ctx.db.transaction() as session:
        return store_capacity(session, ctx, values, report_id)


def capacity_values(data: CapacityData, today: date) -> dict:
    if data.as_of is None:
        raise InputError("Uppgift per", "ange vilket datum uppgiften gäller.")
    if data.as_of > today:
        raise InputError("Uppgift per", f"{data.as_of.isoformat()} ligger i framtiden.")
    checks.period(data.period_from, data.period_to, "Period till")
    values = {
        "unit_id": data.unit_id,
        "service": checks.services([data.service], "Tjänst")[0] if (data.service or "").strip() else None,
        "as_of": data.as_of,
        "wait_days": checks.count(data.wait_days, "Beräknad väntetid (dagar)"),
        "free_slots": checks.count(data.free_slots, "Lediga tider"),
        "period_from": data.period_from,
        "period_to": data.period_to,
        "source": checks.text(data.source, "Källa", limit=limit_of(CapacityReport.source)),
    }
    if values["service"] is None:
        raise InputError("Tjänst", "ange vilken tjänst (MVO-, åtgärds- eller KVÅ-kod) uppgiften gäller.")
    return values


def store_capacity(session: Session, ctx: AppContext, values: dict, report_id: int | None) -> int:
    require(ctx.role, Permission.CHANGE_REGISTER)
    _row(session, CareUnit, values["unit_id"], "Enhet")
    row = _row(session, CapacityReport, report_id, "Kapacitetsuppgift")
    history.apply(session, ctx, "capacity", row, values, CAPACITY_LABELS)
    return row.id


def get_capacity(ctx: AppContext, report_id: int) -> CapacityData:
    with ctx.db.transaction() as session:
        r = _row(session, CapacityReport, report_id, "Kapacitetsuppgift")
        return CapacityData(r.unit_id, r.service, r.as_of, r.wait_days, r.free_slots, r.period_from, r.period_to,
                            r.source)


def capacity_status(as_of: date, today: date, stale_days: int) -> tuple[str, bool]:
    if as_of < today - timedelta(days=stale_days):
        return f"Inaktuell: äldre än {stale_days // 7} veckor", True
    return "Aktuell", False


def list_capacity(ctx: AppContext, search: str = "") -> list[CapacityRow]:
    today = ctx.today()
    with ctx.db.transaction() as session:
        stale_days = setting(session, STALE_CAPACITY_DAYS)
        rows = []
        for r, unit in session.execute(select(CapacityReport, CareUnit.name).join(CareUnit)
                                       .order_by(CapacityReport.as_of.desc(), CareUnit.name)):
            status, stale = capacity_status(r.as_of, today, stale_days)
            rows.append(CapacityRow(r.id, unit, r.service, r.wait_days, r.free_slots, r.as_of, r.source or "",
                                    status, stale))
    return _matching(rows, search)


# --- shared ---

def _row(session: Session, model: type, row_id: int | None, what: str):
    if row_id is None:
        return model()
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(what, f"{what.lower()} {row_id} finns inte.")
    return row


def _unique(session: Session, model: type, column, value: str, own_id: int | None, field_name: str) -> None:
    other = session.scalar(select(model.id).where(column == value))
    if other is not None and other != own_id:
        raise InputError(field_name, f"{value} finns redan i registret.")


def _matching(rows: list, search: str) -> list:
    """Search in every shown text, case-folded so that å, ä and ö match (SQLite's lower() folds ASCII only);
    the register is small enough to filter after reading."""
    words = search.casefold().split()
    if not words:
        return rows
    texts = [" ".join(str(v) for v in asdict(r).values()).casefold() for r in rows]
    return [r for r, t in zip(rows, texts, strict=True) if all(w in t for w in words)]
