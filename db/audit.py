"""Tables of the log review and of corrected dates, and the SQL of the access log that differs per database."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.models import Base, utcnow


class AuditReview(Base):
    """A granskare's review of one access-log row, drawn in a random sample (stickprov) or picked by hand."""

    __tablename__ = "audit_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    access_log_id: Mapped[int] = mapped_column(ForeignKey("access_log.id"), index=True)
    sample: Mapped[str | None] = mapped_column(String(40))  # which stickprov the row was drawn in
    outcome: Mapped[str] = mapped_column(String(16))        # app.audit.review.Outcome
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EventCorrection(Base):
    """A corrected date of a clock-relevant event: old, new, why, who and when. The event row holds the new date;
    this table is its history."""

    __tablename__ = "event_correction"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    old_on: Mapped[date] = mapped_column(Date)
    new_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PatientChange(Base):
    """One changed contact detail of a patient: which, old and new value, who and when (the patient's history).
    For a patient with protected identity the address values are not kept (app.patients.NOT_KEPT)."""

    __tablename__ = "patient_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


APPEND_ONLY = "access_log is append-only"


def lock_access_log(session: Session) -> None:
    """Serialise writers of the hash chain. SQLite already lets one writer at a time commit (a transaction that
    read an older chain head cannot write); PostgreSQL needs an explicit lock for the rest of the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4711)"))


def keep_ids_after(session: Session, last_id: int) -> None:
    """The chain writes its rows' ids itself; on PostgreSQL, move the id sequence past them, so that a row inserted
    without an id (a bulk insert that bypasses app.access, sealed by the next writer) gets a free one. Under the
    lock of lock_access_log."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('access_log', 'id'), :id)"), {"id": last_id})
