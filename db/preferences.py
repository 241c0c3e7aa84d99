"""The patient's preferences on a case (issue 18): when they cannot come, how far they will travel, whether
they need an interpreter, and how they want to be contacted. Used by the list-wide matching (app/matching)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, utcnow


class CasePreferences(Base):
    __tablename__ = "case_preferences"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    unavailable: Mapped[list] = mapped_column(JSON, default=list)  # [[from, to], ...]: ISO dates, both included
    max_travel_km: Mapped[int | None] = mapped_column(Integer)  # None: no limit given
    interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_language: Mapped[str | None] = mapped_column(String(40))
    contact_by: Mapped[str | None] = mapped_column(String(8))  # brev / telefon; None: no preference
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["CasePreferences"]
