"""Tables of the log review and of corrected dates. (The server's own access-log SQL: app.audit.server_log.)"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
