"""The export log: every national export file written (period, kind, file, sha256, rows, who, when); and the
indexes the monthly figures and the export need."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, CaseEvent, Step, utcnow


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


# A month's offers, answers, notices and starts are found by kind and date; without this index every report
# scans the whole timeline (2.4 million events at full scale).
CASE_EVENT_KIND_ON = Index("ix_case_event_kind_on", CaseEvent.kind, CaseEvent.on)

# A step whose clock never excluded a day and never restarted: its cached clock columns are exact for every
# past day (app/reports/source.py says why). Every other step is evaluated by the clock.
CLOCK_UNINTERRUPTED = and_(Step.clock_start == Step.started_on, Step.waiting_since == Step.clock_start,
                           Step.pvv_since.is_(None), Step.paused_since.is_(None))

# The other steps (paused, PvV, restarted or with excluded days) are a few per cent of all; this partial index
# finds them without scanning the step table. A query uses it when its WHERE contains ~CLOCK_UNINTERRUPTED
# itself. The migration (0002) writes the same condition.
STEP_CLOCK_INTERRUPTED = Index("ix_step_clock_interrupted", Step.started_on,
                               sqlite_where=~CLOCK_UNINTERRUPTED, postgresql_where=~CLOCK_UNINTERRUPTED)
