"""The worklist's read model: one narrow row per open step, every sort key a plain indexed column.

Ordering 100 000 open steps by a key computed per row (today's state, remaining days) costs SQLite a full sort on
every click; ordering by an indexed column costs a walk of the first page. So `worklist_entry` holds the keys
ready-made, as of the day in `worklist_day`:

- `severity`: the state rule of app.worklist.severity_sql on that day, and `severity_until`, the first later day on
  which it changes (NULL: not while nothing happens to the step). A new day rewrites the state of only the rows
  whose `severity_until` has come (a few thousand at 100 000 steps), not all of them.
- `remaining_key` / `waited_key`: dates such that remaining = remaining_key - today and waited = today -
  waited_key. While the clock runs they are the deadline and the waiting start; a frozen clock's (paused, PvV)
  move with the day.

The rows are written by database triggers from the view `worklist_source` (migration 0006), so that every writer
keeps them right: the services, the importer's and the demo generator's bulk inserts, the rule change's bulk
update, and whatever comes next. SQLite only for now: PostgreSQL needs the same view and triggers in PL/pgSQL.
A later migration that recreates one of those tables (Alembic's batch mode on SQLite copies it and drops the
old one, and its triggers with it) must create the triggers of 0006 again; a test checks that they are there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Connection, Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.models import Base

FROZEN = (4, 5)  # app.guarantee.SEVERITY of PAUSED and PVV: their remaining and waited days stand still


class WorklistDay(Base):
    """The day the worklist entries' severity and keys were computed for (one row)."""

    __tablename__ = "worklist_day"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    as_of: Mapped[date] = mapped_column(Date)


class WorklistEntry(Base):
    """One open step, as the worklist filters, orders and counts it (written by the triggers of 0006)."""

    __tablename__ = "worklist_entry"
    step_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(Integer)  # plain columns: the triggers keep them, not foreign keys
    patient_id: Mapped[int] = mapped_column(Integer)
    severity: Mapped[int] = mapped_column(Integer)
    severity_until: Mapped[date | None] = mapped_column(Date)
    remaining_key: Mapped[date] = mapped_column(Date)
    waited_key: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    clock_start: Mapped[date] = mapped_column(Date)
    last_contact: Mapped[date | None] = mapped_column(Date)
    notice_flag_from: Mapped[date | None] = mapped_column(Date)   # "besked saknas" from this day
    contact_flag_from: Mapped[date | None] = mapped_column(Date)  # "ingen kontakt" from this day
    step_code: Mapped[str] = mapped_column(String(24))
    specialty_code: Mapped[str] = mapped_column(String(8))
    specialty_name: Mapped[str] = mapped_column(String(120))
    waiting_unit: Mapped[str | None] = mapped_column(String(160))
    medical_priority: Mapped[str | None] = mapped_column(String(16))
    assigned_user_id: Mapped[int | None] = mapped_column(Integer)
    assignee_name: Mapped[str | None] = mapped_column(String(160))
    search_name: Mapped[str] = mapped_column(String(160))
    id_number: Mapped[str] = mapped_column(String(12))
    home_region_code: Mapped[str] = mapped_column(String(2))

    # One index per sort order (the step id, SQLite's rowid, breaks ties). The default order's also holds name
    # and personnummer: a search as you type, and its counts per state, then read that index alone. The flags
    # are filters only: their indexes carry the severity for the counts per state.
    __table_args__ = (
        Index("ix_worklist_entry_urgency", "severity", "remaining_key", "deadline", "step_id", "search_name",
              "id_number"),
        Index("ix_worklist_entry_notice_flag_from", "notice_flag_from", "severity"),
        Index("ix_worklist_entry_contact_flag_from", "contact_flag_from", "severity"),
        *(Index(f"ix_worklist_entry_{column}", column) for column in (
            "search_name", "id_number", "step_code", "specialty_name", "medical_priority", "deadline",
            "remaining_key", "waited_key", "clock_start", "waiting_unit", "assignee_name", "last_contact", "case_id",
            "patient_id", "assigned_user_id", "specialty_code")),
    )


COLUMNS = ", ".join(c.name for c in WorklistEntry.__table__.columns)
FROM_SOURCE = f"INTO worklist_entry ({COLUMNS}) SELECT {COLUMNS} FROM worklist_source"


def is_current(session: Session, today: date) -> bool:
    return session.scalar(text("SELECT as_of FROM worklist_day")) == today.isoformat()


def ensure_current(session: Session, today: date) -> None:
    """Bring the entries to `today`. A no-op read on all but the first query of a day. Then a frozen clock's keys
    move by the days passed, and the running clocks whose state may have changed get it again: those whose
    `severity_until` has come (all running ones when the day goes back, as in tests)."""
    as_of = session.scalar(text("SELECT as_of FROM worklist_day"))
    day = today.isoformat()
    if as_of == day:
        return
    if as_of is None:  # the day row is gone (the migration writes it): start over
        session.execute(text("INSERT OR REPLACE INTO worklist_day (id, as_of) VALUES (1, :today)"), {"today": day})
        rebuild(session)
        return
    # Claim the change (another instance at the same moment then finds nothing to claim).
    claimed = session.execute(text("UPDATE worklist_day SET as_of = :today WHERE as_of = :as_of"),
                              {"today": day, "as_of": as_of}).rowcount
    if not claimed:
        return
    shift = f"{(today - date.fromisoformat(as_of)).days:+d} days"
    session.execute(text(
        "UPDATE worklist_entry SET remaining_key = date(remaining_key, :shift), waited_key = date(waited_key, :shift) "
        f"WHERE severity IN {FROZEN}"), {"shift": shift})
    changed = "severity_until <= :today" if as_of < day else f"severity NOT IN {FROZEN}"
    session.execute(text(
        "UPDATE worklist_entry SET (severity, severity_until) = (SELECT s.severity, s.severity_until "
        f"FROM worklist_source s WHERE s.step_id = worklist_entry.step_id) WHERE {changed}"), {"today": day})


@contextmanager
def steps_in_bulk(conn: Connection) -> Iterator[None]:
    """For steps inserted in bulk inside one transaction (the demo generator, an import): their entries written
    by one INSERT … SELECT at the end instead of the insert trigger's view lookup per row (a third of the load).
    On an error the transaction's rollback restores the trigger."""
    if conn.dialect.name != "sqlite":  # the read model and its triggers are SQLite's (migration 0006)
        yield
        return
    trigger = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'worklist_step_insert'").scalar()
    last_before = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM step").scalar()
    conn.exec_driver_sql("DROP TRIGGER worklist_step_insert")
    yield
    conn.exec_driver_sql(trigger)
    conn.execute(text(f"INSERT {FROM_SOURCE} WHERE step_id > :last"), {"last": last_before})


def rebuild(session: Session) -> None:
    """Every entry from scratch, for the day in worklist_day."""
    session.execute(text("DELETE FROM worklist_entry"))
    session.execute(text(f"INSERT {FROM_SOURCE}"))
