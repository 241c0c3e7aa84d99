"""A provider the case worker phoned who is not in the register: the call recorded on the case as an approach
and the provider with its unit added to the register, in one transaction (DOMAIN.md §3: "record every provider
approached ... so the knowledge stops being personal")."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.context import AppContext
from app.register.approaches import check_approach, store_approach
from app.register.services import ProviderData, UnitData, store_provider, store_unit
from app.roles import Permission, require
from db.register import Provider


@dataclass(frozen=True)
class PhonedUnit:
    provider: str  # a provider's name; one already in the register (same name, any case) is used, not doubled
    unit: str
    hsa_id: str
    region: str
    public: bool = False
    phone: str | None = None
    specialties: list[str] = field(default_factory=list)
    accepts_other_regions: bool = True


@dataclass(frozen=True)
class Added:
    provider_id: int
    unit_id: int
    approach_id: int
    new_provider: bool


def add_phoned_unit(ctx: AppContext, step_id: int, phoned: PhonedUnit, answer: str, note: str = "", *,
                    expected_version: int | None = None) -> Added:
    """All or nothing: a refused HSA-id or a stale case version leaves neither the register nor the case
    changed, and the case worker's typing stays in the dialog to be corrected."""
    require(ctx.role, Permission.CHANGE_REGISTER)
    check_approach(phoned.provider, phoned.unit, answer, note)
    with ctx.db.transaction() as session:
        name = phoned.provider.strip()
        provider_id = session.scalar(select(Provider.id).where(func.lower(Provider.name) == name.lower())
                                     .order_by(Provider.id).limit(1))
        new_provider = provider_id is None
        if new_provider:
            provider_id = store_provider(session, ctx, ProviderData(name, phoned.region, phoned.public), None)
        unit_id = store_unit(session, ctx, UnitData(
            hsa_id=phoned.hsa_id, name=phoned.unit, provider_id=provider_id, region=phoned.region,
            specialties=phoned.specialties, phone=phoned.phone,
            accepts_other_regions=phoned.accepts_other_regions), None)
        approach_id = store_approach(session, ctx, step_id, name, phoned.unit.strip(), answer,
                                     note + ("" if not note.strip() else " ") + "Tillagd i registret.",
                                     expected_version)
        return Added(provider_id, unit_id, approach_id, new_provider)
