"""The export log and the reminder that a month's export is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.context import AppContext
from app.export.records import KIND_LABEL, Kind
from app.reports.months import Month
from app.settings import get_setting
from db.exports import ExportLog
from db.models import User


@dataclass(frozen=True)
class LoggedExport:
    period: str
    kind: str
    file: str
    sha256: str
    rows: int
    replacement_id: str
    user: str
    at: datetime


def log_export(ctx: AppContext, month: Month, kind: Kind, file: str, sha256: str, rows: int,
               replacement_id: str) -> None:
    with ctx.db.transaction() as session:
        session.add(ExportLog(period=str(month), kind=kind.value, file=file, sha256=sha256, rows=rows,
                              replacement_id=replacement_id, user_id=ctx.user_id))


def export_history(ctx: AppContext, month: Month | None = None) -> list[LoggedExport]:
    query = (select(ExportLog, User.display_name).join(User, ExportLog.user_id == User.id)
             .order_by(ExportLog.created_at.desc(), ExportLog.id.desc()))
    if month is not None:
        query = query.where(ExportLog.period == str(month))
    with ctx.db.transaction() as session:
        return [LoggedExport(e.period, e.kind, e.file, e.sha256, e.rows, e.replacement_id, name, e.created_at)
                for e, name in session.execute(query)]


@dataclass(frozen=True)
class DueExport:
    month: Month
    due_on: date
    missing: tuple[Kind, ...]
    overdue: bool

    @property
    def message(self) -> str:
        what = " och ".join(KIND_LABEL[k] for k in self.missing)
        when = (f"skulle ha skickats senast {self.due_on.isoformat()}" if self.overdue
                else f"ska skickas senast {self.due_on.isoformat()}")
        return f"Rapporten till Väntetidsdatabasen för {self.month.label} ({what}) {when}."


def export_due(ctx: AppContext, today: date | None = None) -> DueExport | None:
    """Last month's export when it is not yet made: due by the 20th (setting export.due_day) of this month."""
    today = today or ctx.today()
    month = Month.of(today).previous
    due_day = int(get_setting(ctx.db, "export.due_day", 20))
    this = Month.of(today)
    due_on = this.first.replace(day=min(max(due_day, 1), this.last.day))
    with ctx.db.transaction() as session:
        done = set(session.scalars(select(ExportLog.kind).where(ExportLog.period == str(month))))
    missing = tuple(k for k in Kind if k.value not in done)
    if not missing:
        return None
    return DueExport(month, due_on, missing, today > due_on)
