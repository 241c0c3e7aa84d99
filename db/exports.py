"""The export log: every national export file written (period, kind, file, sha256, rows, who, when); the
indexes the monthly figures and the export need; and more readers for their longest queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime

from sqlalchemy import Connection, DateTime, ForeignKey, Index, Integer, String, Text, and_, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.backend import BEGIN, reader
from db.models import Base, Case, CaseEvent, Step, utcnow


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


# A month's offers, answers, notices, starts and completions are found by kind and date, and lead to their step:
# without this index every report scans the whole timeline (2.4 million events at full scale); with step_id in
# it, the notices and starts of a month are read from the index alone.
CASE_EVENT_KIND_ON = Index("ix_case_event_kind_on", CaseEvent.kind, CaseEvent.on, CaseEvent.step_id)

# The cases of some MVOs (the BUP ones, or a report's scope) without reading every case.
CASE_FILE_SPECIALTY = Index("ix_case_file_specialty_code", Case.specialty_code)

# A step whose clock never excluded a day and never restarted: its cached clock columns are exact for every
# past day (app/reports/source.py says why), so the reports count such steps in the database.
CLOCK_UNINTERRUPTED = and_(Step.clock_start == Step.started_on, Step.waiting_since == Step.clock_start,
                           Step.pvv_since.is_(None), Step.paused_since.is_(None))

# Those steps of a month, read from this index alone (partial: only such steps; covering: every column the
# reports read of them): the open ones (stopped_on NULL) in case order, so that their cases and patients are
# read in order too; the stopped ones from a date on. A query uses it when its WHERE contains
# CLOCK_UNINTERRUPTED itself. The migrations (0002, 0005) write the same conditions.
STEP_CLOCK_EXACT = Index(
    "ix_step_clock_exact", Step.stopped_on, Step.case_id, Step.started_on, Step.met, Step.frozen_waited, Step.code,
    Step.target_date, Step.risk_from, Step.clock_start, Step.waiting_since, Step.pvv_since, Step.paused_since,
    sqlite_where=CLOCK_UNINTERRUPTED, postgresql_where=CLOCK_UNINTERRUPTED)

# The other steps (paused, PvV, restarted or with excluded days) are a few per cent of all, evaluated by the
# clock one by one; this partial index finds them without scanning the step table (WHERE ~CLOCK_UNINTERRUPTED).
STEP_CLOCK_INTERRUPTED = Index("ix_step_clock_interrupted", Step.started_on, Step.stopped_on,
                               sqlite_where=~CLOCK_UNINTERRUPTED, postgresql_where=~CLOCK_UNINTERRUPTED)


@contextmanager
def readers_beside(session: Session, count: int) -> Iterator[list[Connection]]:
    """`count` more connections that read what `session` reads, so that long reads can run in other threads
    beside the session's own work; none where that cannot be promised (then read in the session).

    SQLite: once the session has written in its transaction it holds the database's only write lock until it
    commits, so no other commit can land meanwhile, and a read begun on another connection sees the data as
    the session does (but for the session's own uncommitted writes).
    PostgreSQL: the session reads one snapshot (a REPEATABLE READ transaction, db.backend.reader); it exports
    it, and each reader's transaction reads that very snapshot (SET TRANSACTION SNAPSHOT). Each of them may sort
    and group in REPORT_WORK_MEM for the rest of its transaction: the month's 100 000 waiting steps grouped by the
    breakdowns then sort in memory instead of on disk (a quarter faster at full scale)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        if connection.get_isolation_level() != "REPEATABLE READ":
            yield []  # a READ COMMITTED session moves on to newer data with each statement
            return
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        if not _SNAPSHOT_ID.fullmatch(snapshot):  # it is written into the statement below
            raise ValueError(f"unexpected snapshot id {snapshot!r}")
        with ExitStack() as stack:
            readers = []
            for _ in range(count):
                reader_connection = stack.enter_context(reader(connection.engine).connect())
                reader_connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                reader_connection.exec_driver_sql(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
                readers.append(reader_connection)
            yield readers
        return
    raw = connection.connection.dbapi_connection
    if not getattr(raw, "in_transaction", False):
        yield []
        return
    with ExitStack() as stack:
        # Read transactions (DEFERRED), whatever the session's engine begins with: these only read.
        readers = connection.engine.execution_options(**{BEGIN: "DEFERRED"})
        yield [stack.enter_context(readers.connect()) for _ in range(count)]


_SNAPSHOT_ID = re.compile(r"[0-9A-F-]+")
REPORT_WORK_MEM = "64MB"  # per sort or hash of a report's reader, for its transaction only
