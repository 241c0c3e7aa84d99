"""The worklist's read model: one narrow row per open step, every sort key a plain indexed column.

Ordering 100 000 open steps by a key computed per row (today's state, remaining days) costs SQLite a full sort on
every click; ordering by an indexed column costs a walk of the first page. So `worklist_entry` holds the keys
ready-made, as of the day in `worklist_day`:

- `severity`: the clock's state rule on that day, and `severity_until`, the first later day on which it changes
  (NULL: not while nothing happens to the step). A new day rewrites the state of only the rows whose
  `severity_until` has come (a few thousand at 100 000 steps), not all of them.
- `remaining_key` / `waited_key`: dates such that remaining = remaining_key - today and waited = today -
  waited_key. While the clock runs they are the deadline and the waiting start; a stopped clock's (paused, PvV)
  move with the day.

The rows are written by database triggers from the view `worklist_source`, so that every writer keeps them right:
the services, the importer's and the demo generator's bulk inserts, the rule change's bulk update, and whatever
comes next. The view and the triggers are generated from the clock's state rule, and installed by migrations, in
app.worklist_read_model (db/ does not import app/). A later migration that recreates one of the tables they are on
(Alembic's batch mode on SQLite copies a table and drops the old one, and its triggers with it) must install them
again; a test checks that they are there.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class WorklistDay(Base):
    """The day the worklist entries' severity and keys were computed for (one row)."""

    __tablename__ = "worklist_day"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    as_of: Mapped[date] = mapped_column(Date)


class WorklistEntry(Base):
    """One open step, as the worklist filters, orders and counts it (written by the triggers)."""

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
