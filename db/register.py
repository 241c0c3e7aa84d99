"""Tables of the provider and contract register, capacity reports, their change history, and import
mappings and links. Services in app/register and app/importer; see DOMAIN.md §3."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, utcnow


class Provider(Base):
    """A vårdgivare: a region's own care or a private company."""

    __tablename__ = "provider"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    org_number: Mapped[str | None] = mapped_column(String(11), unique=True)  # NNNNNN-NNNN
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # a region's own care (offentlig)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))


class CareUnit(Base):
    """A vårdenhet with its HSA-id. What it offers lives in unit_service, so that queries can filter by it."""

    __tablename__ = "care_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    hsa_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(240))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    accepts_other_regions: Mapped[bool] = mapped_column(Boolean, default=False)
    referral_required: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_person: Mapped[str | None] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(160))


class UnitService(Base):
    """One thing a unit offers: an MVO specialty, an SKR activity or a KVÅ code."""

    __tablename__ = "unit_service"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # mvo / activity / kva
    code: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        UniqueConstraint("unit_id", "kind", "code", name="uq_unit_service_unit_kind_code"),
        Index("ix_unit_service_kind_code_unit", "kind", "code", "unit_id"),  # covering: units offering a service
    )


class Contract(Base):
    """An agreement under which a region's patients are treated by a provider (all its units, or one)."""

    __tablename__ = "contract"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"), index=True)  # None: every unit
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))  # the contracting region
    form: Mapped[str] = mapped_column(String(24))  # see app.register.CONTRACT_FORMS
    services: Mapped[list] = mapped_column(JSON, default=list)  # MVO, activity or KVÅ codes
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    renewal_on: Mapped[date | None] = mapped_column(Date)
    volume_ceiling: Mapped[int | None] = mapped_column(Integer)
    volume_used: Mapped[int] = mapped_column(Integer, default=0)
    prices: Mapped[dict] = mapped_column(JSON, default=dict)  # service code -> price in kronor
    open_to_other_regions: Mapped[bool] = mapped_column(Boolean, default=False)
    open_regions: Mapped[list] = mapped_column(JSON, default=list)  # empty while open: every region
    other_region_terms: Mapped[str | None] = mapped_column(Text)
    excluded_groups: Mapped[str | None] = mapped_column(Text)
    document_ref: Mapped[str | None] = mapped_column(String(240))

    # a provider's contracts, and among them those for all its units (unit_id NULL)
    __table_args__ = (Index("ix_contract_provider_unit", "provider_id", "unit_id"),)


class CapacityReport(Base):
    __tablename__ = "capacity_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"))
    service: Mapped[str] = mapped_column(String(16))  # MVO, activity or KVÅ code
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    free_slots: Mapped[int | None] = mapped_column(Integer)
    wait_days: Mapped[int | None] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(160))

    __table_args__ = (Index("ix_capacity_report_unit_service_as_of", "unit_id", "service", "as_of"),)  # newest


class RegisterChange(Base):
    """Every change to the register: who, when, which field, old and new value (as shown to users)."""

    __tablename__ = "register_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))  # provider / unit / contract / capacity
    entity_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_register_change_entity", "entity", "entity_id"),)


class ImportMapping(Base):
    """Which file column feeds which field, remembered per source (a name the user gives)."""

    __tablename__ = "import_mapping"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # waiting-list / capacity / contracts
    name: Mapped[str] = mapped_column(String(120))
    columns: Mapped[dict] = mapped_column(JSON, default=dict)  # field key -> file column heading
    # The source's whole list: steps it no longer holds go on the review list (app.importer.reconcile).
    whole_list: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A folder the EHR drops the source's lists in, imported unattended (app.importer.inbox).
    inbox: Mapped[str | None] = mapped_column(String(400))
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "name", name="uq_import_mapping_kind"),)


class ImportLink(Base):
    """A clinic's own referral id for a step, so that re-importing its list updates instead of duplicating."""

    __tablename__ = "import_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(120))  # the mapping's name: ids are only unique per clinic
    external_id: Mapped[str] = mapped_column(String(80))
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id"))

    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_import_link_source"),)


class ListReview(Base):
    """An open step that a source's whole list no longer holds ("saknas i senaste listan"), for a case worker
    to close with a reason or keep with a note. Rows are never deleted: a resolved row keeps how and by whom."""

    __tablename__ = "list_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id"), index=True)
    source: Mapped[str] = mapped_column(String(120))
    list_on: Mapped[date] = mapped_column(Date)  # the date of the first list that lacked the step
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(16))  # app.importer.reconcile.RESOLUTIONS
    note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ListRecord(Base):
    """The clinic's own record of a step, as its latest list gave it: the booked date (planerat datum) and an SKR
    Avvikelse (1 PvV, 2 MoV, 3 SoV) with its dates, and the date of the latest list that held the step. Kept beside
    Lotsen's own timeline, never in place of it (the Avvikelse reaches the clock as events: app.importer.deviations).
    Every step a list brought in or held has one, empty but for the dates when the list has none of it."""

    __tablename__ = "list_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id"), unique=True)
    source: Mapped[str] = mapped_column(String(120))
    planned_on: Mapped[date | None] = mapped_column(Date)
    deviation: Mapped[int | None] = mapped_column(Integer)
    deviation_from: Mapped[date | None] = mapped_column(Date)
    deviation_to: Mapped[date | None] = mapped_column(Date)
    seen_on: Mapped[date | None] = mapped_column(Date)  # the latest list of `source` that held the step

    # The worklist's "Bokad efter tidsgränsen" starts from the booked steps, a few of every list.
    __table_args__ = (Index("ix_list_record_planned_on", "planned_on"),)


__all__ = [
    "CapacityReport", "CareUnit", "Contract", "ImportLink", "ImportMapping", "ListRecord", "ListReview", "Provider",
    "RegisterChange", "UnitService",
]
