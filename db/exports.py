"""The export log: every national export file written (period, kind, file, sha256, rows, who, when); and the
index the monthly figures and the export need on the case timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, CaseEvent, utcnow


class ExportLog(Base):
    __tablename__ = "export_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))           # ÅÅÅÅ-MM
    kind: Mapped[str] = mapped_column(String(20))            # vantande / genomforda
    file: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    replacement_id: Mapped[str] = mapped_column(String(80))  # ErsattningsId
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_export_log_period_kind", "period", "kind"),)


# A month's offers, answers and notices are found by kind and date; without this index every report scans the
# whole timeline (2.4 million events at full scale).
CASE_EVENT_KIND_ON = Index("ix_case_event_kind_on", CaseEvent.kind, CaseEvent.on)
