"""The tables. Portable SQLAlchemy 2.0 (SQLite now, PostgreSQL for team use later): no dialect-specific SQL."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates


def utcnow() -> datetime:
    return datetime.now(UTC)


SEARCH_FORM_LIMIT = 160  # Patient.search_name's length


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_words(text: str) -> list[str]:
    """Typed text as searches compare it: case-folded words without accents ("SÖDERBERG Eva" -> "soderberg",
    "eva"). Folded here, in Python: SQLite's lower() and LIKE fold only ASCII."""
    return _plain(text.casefold()).split()


def search_form(name: str) -> str:
    """A name as stored for searching and sorting (Patient.search_name): case-folded, single spaces, so that it
    sorts as before (Å, Ä, Ö after Z); then the words that have accents once more without them, so that every
    word search_words makes of a typed part of the name is found in it ("Karin Söderberg" -> "karin söderberg
    soderberg")."""
    folded = name.casefold().split()
    plain = [p for w in folded if (p := _plain(w)) != w]
    return " ".join(folded + plain)[:SEARCH_FORM_LIMIT]


class Base(DeclarativeBase):
    # Named constraints, so that Alembic's batch mode can alter them on SQLite.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


# --- reference tables (filled from resources/reference at start-up) ---

class Region(Base):
    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # SCB länskod = SKR region code
    name: Mapped[str] = mapped_column(String(80))


class Municipality(Base):
    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)  # SCB kommunkod (Lkf without församling)
    name: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))


class Specialty(Base):
    __tablename__ = "specialty"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # MVO
    name: Mapped[str] = mapped_column(String(120))
    bup: Mapped[bool] = mapped_column(Boolean, default=False)


class Activity(Base):
    __tablename__ = "activity"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # SKR kodAKTIVITET
    name: Mapped[str] = mapped_column(String(160))
    mvo_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"))


# --- people ---

class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(160))
    hsa_id: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32), default="vardlots")  # app.roles.Role
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # For the log review's "unusual access" (same surname or address as a patient). Optional: without a
    # surname, the last word of display_name is used (app.audit.review).
    surname: Mapped[str | None] = mapped_column(String(80))
    street: Mapped[str | None] = mapped_column(String(160))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    unit: Mapped[str | None] = mapped_column(String(160))  # the care unit the user works for, for the log
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Patient(Base):
    __tablename__ = "patient"
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(12), unique=True)  # normalised, 12 characters
    id_kind: Mapped[str] = mapped_column(String(20))  # personnummer / samordningsnummer / reservnummer
    name: Mapped[str] = mapped_column(String(160))
    # The name as searches compare it (search_form). Set with the name (_fold_name); the default serves
    # Core inserts that give a name only.
    search_name: Mapped[str] = mapped_column(
        String(160), default=lambda context: search_form(context.get_current_parameters()["name"]))
    street: Mapped[str | None] = mapped_column(String(160))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(80))
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="sv")
    representative_kind: Mapped[str | None] = mapped_column(String(16))  # vardnadshavare / ombud
    representative_name: Mapped[str | None] = mapped_column(String(160))
    representative_address: Mapped[str | None] = mapped_column(Text)
    home_region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    sex: Mapped[str | None] = mapped_column(String(1))  # M / K, None when unknown
    birth_year: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cases: Mapped[list[Case]] = relationship(back_populates="patient")

    @validates("name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.search_name = search_form(name)
        return name


# --- cases, steps and their timeline ---

class Case(Base):
    __tablename__ = "case_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"))
    activity_code: Mapped[str | None] = mapped_column(ForeignKey("activity.code"))
    waiting_unit: Mapped[str | None] = mapped_column(String(160))  # where the patient waits
    medical_priority: Mapped[str | None] = mapped_column(String(16))
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic concurrency
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    patient: Mapped[Patient] = relationship(back_populates="cases")
    steps: Mapped[list[Step]] = relationship(back_populates="case", order_by="Step.id")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="(CaseEvent.on, CaseEvent.id)")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it as it is)


class Step(Base):
    """A guarantee step of a case. The clock_* columns cache the clock after the step's latest event, so that
    lists of many steps can be ordered and filtered in the query; app/ rewrites them on every change."""

    __tablename__ = "step"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    code: Mapped[str] = mapped_column(String(24))
    started_on: Mapped[date] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)  # medicinskt måldatum (return visits)
    rule_set: Mapped[str] = mapped_column(String(40))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    clock_start: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    risk_from: Mapped[date | None] = mapped_column(Date)
    akut_from: Mapped[date] = mapped_column(Date)
    notice_due: Mapped[date | None] = mapped_column(Date)
    contact_due: Mapped[date] = mapped_column(Date)
    last_contact: Mapped[date | None] = mapped_column(Date)
    paused_since: Mapped[date | None] = mapped_column(Date)
    pvv_since: Mapped[date | None] = mapped_column(Date)
    waiting_since: Mapped[date] = mapped_column(Date)  # while the clock runs: waited = today - waiting_since
    frozen_waited: Mapped[int | None] = mapped_column(Integer)  # while paused, PvV or stopped
    frozen_remaining: Mapped[int | None] = mapped_column(Integer)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    met: Mapped[bool | None] = mapped_column(Boolean)

    case: Mapped[Case] = relationship(back_populates="steps")

    # The worklist orders open steps by state and deadline: a partial index holding every column that decides
    # today's state lets SQLite order 100 000 open steps without reading the table.
    __table_args__ = (
        Index("ix_step_worklist", "deadline", "stopped_on", "pvv_since", "paused_since", "akut_from", "risk_from",
              "frozen_remaining", sqlite_where=text("is_open = 1"), postgresql_where=text("is_open")),
    )


class CaseEvent(Base):
    """One entry of a case's timeline. Clock-relevant facts have columns; the rest goes in `details`."""

    __tablename__ = "case_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("step.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    on: Mapped[date] = mapped_column(Date)
    appointment: Mapped[date | None] = mapped_column(Date)   # offers and answers
    reply_by: Mapped[date | None] = mapped_column(Date)      # offers
    answer: Mapped[str | None] = mapped_column(String(16))   # answers
    pause: Mapped[str | None] = mapped_column(String(8))     # MoV / SoV
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))  # the offer an answer replies to
    care_kind: Mapped[str | None] = mapped_column(String(24))  # offers: where the care is (app.care_kind)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")


class LetterDocument(Base):
    """A sent letter's PDF, kept in the database on the team server so that a colleague can open it (app.letters.
    archive). On a file the PDF lies in the letters folder beside it, named in its CaseEvent's details["file"]."""

    __tablename__ = "letter_document"
    event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id"), primary_key=True, autoincrement=False)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


# --- audit and settings ---

class AccessLog(Base):
    """Every read and change of patient data (HSLF-FS 2016:40 4 kap. 9 §). Never deleted with a case.
    Append-only: database triggers refuse UPDATE and DELETE, except sealing a row once (row_hash NULL -> set).
    Each row's row_hash covers its content and the previous row's hash (app.audit.chain)."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    # Plain columns, not foreign keys: the log must outlive the patient and case rows it names.
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    case_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(160))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))

    # Rows written without a hash (bulk inserts) are found through this small partial index and sealed by
    # the next writer.
    __table_args__ = (Index("ix_access_log_unsealed", "id", sqlite_where=row_hash.is_(None),
                            postgresql_where=row_hash.is_(None)),)


class Setting(Base):
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SettingChange(Base):
    """Who changed which setting, when, from what to what."""

    __tablename__ = "setting_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    old_value: Mapped[object | None] = mapped_column(JSON)
    new_value: Mapped[object] = mapped_column(JSON)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = [
    "AccessLog", "Activity", "Base", "Case", "CaseEvent", "Municipality", "Patient", "Region", "Setting",
    "SettingChange", "Specialty", "Step", "User",
]
