"""The clock's state rule as SQL, and the worklist's read model (db.worklist) that the database keeps with it.

The rule has one home, app.guarantee.STATE_RULE; every SQL form of it is generated here with SQLAlchemy, for SQLite
and PostgreSQL alike:
- `severity_sql(today)`: a step's state on a day, as its severity, from the dates cached on the step (queries);
- the view `worklist_source`: the worklist_entry row of every open step as of the day in worklist_day (severity,
  the day it next changes, the sort keys, the names), and the triggers that write the entries from it after every
  change to a step, case, patient, user or specialty, whoever makes it (services, bulk inserts, a rule change);
- `ensure_current`, which brings the entries to a new day, and `steps_in_bulk`.

Why here: db/ may not import app/, and this SQL is the rule's. Migrations call `install`, and nothing else of it. A
migration that imports live code changes with the code; that is the point of these: each installs the form
generated now, and a test proves that the database holds exactly that form after all migrations (`is_installed`).
A change to the generated form (the rule, the entry's columns, SQLAlchemy's output) reaches existing databases
through a new migration that calls `install` again; a test compares `fingerprint()` with the one the newest such
migration records, and fails until there is one.

PostgreSQL with writers side by side: a trigger that computes entries from the view first takes the locks that make
what it reads current. worklist_day FOR SHARE: a day change waits for it, or it for the day change. The entries it
rewrites: a concurrent writer of the same entries commits first, and the trigger's next statement (a new snapshot)
sees that. An entry that is new, or now draws on another case, patient, specialty or user, is not yet visible to
writers of those rows, so the trigger locks them FOR SHARE. The entries are then written by upserts, so that two
writers of one entry both commit. Columns copied verbatim (names, personnummer) are set by plain UPDATEs, which wait
for rows another writer holds and check them again. Two transactions that write rows of the same entries in opposite
orders (a patient and then its case, against that case alone) can deadlock on the entries; PostgreSQL then cancels
one of them, as it would two writers of the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    Boolean,
    ClauseElement,
    ColumnElement,
    Connection,
    Date,
    Dialect,
    Insert,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    column,
    delete,
    func,
    literal_column,
    not_,
    null,
    or_,
    select,
    table,
    text,
    true,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.guarantee import FLAGLESS, MARKS, SEVERITY, STATE_RULE, STILL, State, StateLine, When
from db import sql
from db.models import Case, Patient, Specialty, Step, User
from db.worklist import WorklistDay, WorklistEntry

Day = date | ColumnElement[date]  # a constant day (queries) or a column (the view: worklist_day.as_of)

ENTRY, DAY = WorklistEntry.__table__, WorklistDay.__table__
COLUMNS = [c.name for c in ENTRY.columns]
FROZEN = tuple(sorted(SEVERITY[s] for s in STILL))  # entries whose keys move with the day
BULK = "lotsen.steps_in_bulk"  # PostgreSQL: a transaction's setting that holds back the step insert trigger
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}


# --- the rule ---

def severity(marks: Mapping[str, ColumnElement], day: Day) -> ColumnElement[int]:
    """The severity (app.guarantee.SEVERITY) of the state on `day` of the steps with these mark columns:
    STATE_RULE as a CASE, its lines in order."""
    *lines, last = _lines()
    return case(*((_holds(line, marks, day), SEVERITY[line.state]) for line in lines), else_=SEVERITY[last.state])


def until(marks: Mapping[str, ColumnElement], day: Day) -> ColumnElement[date | None]:
    """app.guarantee.state_until as a CASE: the first later day on which the severity changes (NULL: it does not
    while nothing new is recorded), the earliest start of a line above the one that holds."""
    whens, starts = [], []
    *lines, _ = _lines()
    for line in lines:
        whens.append((_holds(line, marks, day), null() if line.when is When.RECORDED else _earliest(starts)))
        if line.when is When.REACHED:
            starts.append(_start(line, marks))
    return type_coerce(case(*whens, else_=_earliest(starts)), Date)


def _state_in(states: frozenset[State], marks: Mapping[str, ColumnElement], day: Day) -> ColumnElement[bool]:
    return severity(marks, day).in_(sorted(SEVERITY[s] for s in states))


def severity_sql(today: date) -> ColumnElement[int]:
    """A step's severity on `today`, from the marks cached on it (db.models.Step), for queries."""
    return severity({m: Step.__table__.c[m] for m in MARKS}, today)


def _lines() -> Sequence[StateLine]:
    if STATE_RULE[-1].when is not When.ALWAYS or any(line.when is When.ALWAYS for line in STATE_RULE[:-1]):
        raise ValueError("STATE_RULE must end with its one ALWAYS line, the CASE's ELSE")
    return STATE_RULE


def _holds(line: StateLine, marks: Mapping[str, ColumnElement], day: Day) -> ColumnElement[bool]:
    mark = marks[line.mark]
    if line.when is When.RECORDED:
        return mark.is_not(None)
    # day >= mark + days, as a comparison of the mark (a constant on the query side). A NULL mark is never reached.
    if isinstance(day, date):
        return mark <= day - timedelta(days=line.days)
    if line.days == 1:
        return mark < day
    return mark <= (sql.days_after(day, -line.days) if line.days else day)


def _start(line: StateLine, marks: Mapping[str, ColumnElement]) -> tuple[ColumnElement, bool]:
    """The day a REACHED line starts to hold, and whether that may be NULL (never)."""
    mark = marks[line.mark]
    return (sql.days_after(mark, line.days) if line.days else mark), getattr(mark, "nullable", True)


def _earliest(dates: list[tuple[ColumnElement, bool]]) -> ColumnElement:
    """The earliest of the dates, a NULL one never coming: one flat CASE (the first date that is not after any
    later one), in both dialects."""
    if len(dates) < 2:
        return dates[0][0] if dates else null()
    whens = []
    for i, (day, nullable) in enumerate(dates[:-1]):
        conditions = [day.is_not(None)] if nullable else []
        conditions += [or_(later.is_(None), day <= later) if may_be_null else day <= later
                       for later, may_be_null in dates[i + 1:]]
        whens.append((and_(*conditions), day))
    return case(*whens, else_=dates[-1][0])


# --- the view ---

s, c, p, sp, u, d = (t.alias(name) for t, name in (
    (Step.__table__, "s"), (Case.__table__, "c"), (Patient.__table__, "p"), (Specialty.__table__, "sp"),
    (User.__table__, "u"), (DAY, "d")))


def _source() -> Select:
    marks, today = {m: s.c[m] for m in MARKS}, d.c.as_of
    flagged = not_(_state_in(FLAGLESS, marks, today))
    return (
        select(
            s.c.id.label("step_id"), s.c.case_id, c.c.patient_id,
            severity(marks, today).label("severity"), until(marks, today).label("severity_until"),
            # A stopped clock's remaining and waited days stand still: the keys move with the day.
            case((s.c.frozen_remaining.is_(None), s.c.deadline),
                 else_=sql.days_after(today, s.c.frozen_remaining)).label("remaining_key"),
            case((s.c.frozen_waited.is_(None), s.c.waiting_since),
                 else_=sql.days_after(today, -s.c.frozen_waited)).label("waited_key"),
            s.c.deadline, s.c.clock_start, s.c.last_contact,
            case((flagged, s.c.notice_due)).label("notice_flag_from"),
            case((flagged, s.c.contact_due)).label("contact_flag_from"),
            s.c.code.label("step_code"), c.c.specialty_code, sp.c.name.label("specialty_name"), c.c.waiting_unit,
            c.c.medical_priority, c.c.assigned_user_id, u.c.display_name.label("assignee_name"), p.c.search_name,
            p.c.id_number, p.c.home_region_code,
        )
        .select_from(s.join(c, c.c.id == s.c.case_id).join(p, p.c.id == c.c.patient_id)
                     .join(sp, sp.c.code == c.c.specialty_code).outerjoin(u, u.c.id == c.c.assigned_user_id)
                     .join(d, true()))
        .where(s.c.is_open)
    )


SOURCE_SELECT = _source()
SOURCE = table("worklist_source", *(column(name) for name in COLUMNS))


def _copies(alias) -> dict[str, str]:
    """Entry column -> the column of `alias` that the view copies into it unchanged."""
    found = {}
    for selected in SOURCE_SELECT.selected_columns:
        element = getattr(selected, "element", selected)
        if getattr(element, "table", None) is alias:
            found[selected.name] = element.name
    return found


# --- the triggers ---

_NEW_ID, _OLD_ID = literal_column("NEW.id", Integer), literal_column("OLD.id", Integer)
# The rows whose columns the entries copy: the trigger on each, its key and the entry column holding that key.
_COPIED_FROM = (("worklist_patient_update", p, "id", "patient_id"),
               ("worklist_user_update", u, "id", "assigned_user_id"),
               ("worklist_specialty_update", sp, "code", "specialty_code"))


@dataclass(frozen=True)
class _Trigger:
    name: str
    event: str                       # e.g. "UPDATE OF name ON specialty"
    body: list[str]                  # statements, compiled for the dialect
    when: str | None = None


def _triggers(dialect: Dialect) -> list[_Trigger]:
    postgres = dialect.name == "postgresql"

    def compiled(statement: ClauseElement) -> str:
        return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    def perform(query: Select) -> str:
        return "PERFORM " + compiled(query).removeprefix("SELECT ")

    def recompute(where: ColumnElement[bool], entries: ColumnElement[bool] | None, cases: ColumnElement[bool],
                  repointed: str | None) -> list[str]:
        """Upsert the entries the view gives `where`; on PostgreSQL after the locks (see the module's doc)."""
        if not postgres:
            return [compiled(_upsert(dialect, where))]
        locks = [perform(_lock_day())]
        if entries is not None:
            locks.append(perform(select(1).select_from(ENTRY).where(entries).with_for_update(key_share=True)))
        sources = [perform(query) for query in _lock_sources(cases)]
        locks += sources if repointed is None else [f"IF {repointed} THEN {'; '.join(sources)}; END IF"]
        return [*locks, compiled(_upsert(dialect, where))]

    new = {name: literal_column(f"NEW.{name}") for name in ("case_id", "is_open")}
    case_columns = _copies(c)  # entry column -> case_file column
    triggers = [
        _Trigger("worklist_step_insert", "INSERT ON step",
                 recompute(SOURCE.c.step_id == _NEW_ID, None, c.c.id == new["case_id"], None),
                 f"NEW.is_open AND current_setting('{BULK}', true) IS DISTINCT FROM 'on'" if postgres
                 else "NEW.is_open"),
        _Trigger("worklist_step_update", "UPDATE ON step", [
            compiled(delete(ENTRY).where(ENTRY.c.step_id == _OLD_ID, not_(literal_column("NEW.is_open", Boolean)))),
            *recompute(SOURCE.c.step_id == _NEW_ID, ENTRY.c.step_id == _NEW_ID, c.c.id == new["case_id"],
                       "NOT OLD.is_open OR NEW.case_id <> OLD.case_id")]),
        _Trigger("worklist_step_delete", "DELETE ON step", [compiled(delete(ENTRY).where(ENTRY.c.step_id == _OLD_ID))]),
        _Trigger("worklist_case_update", f"UPDATE OF {', '.join(case_columns.values())} ON case_file", recompute(
            SOURCE.c.case_id == _NEW_ID, ENTRY.c.case_id == _NEW_ID, c.c.id == _NEW_ID,
            " OR ".join(f"OLD.{case_columns[key]} IS DISTINCT FROM NEW.{case_columns[key]}"
                        for *_, key in _COPIED_FROM))),
    ]
    for name, alias, key, entry_key in _COPIED_FROM:
        copies = _copies(alias)
        triggers.append(_Trigger(name, f"UPDATE OF {', '.join(copies.values())} ON {alias.original.name}", [
            compiled(update(ENTRY).where(ENTRY.c[entry_key] == literal_column(f"NEW.{key}"))
                     .values({entry: literal_column(f"NEW.{source}") for entry, source in copies.items()}))]))
    return triggers


def _upsert(dialect: Dialect, where: ColumnElement[bool]) -> Insert:
    """The view's rows `where` into worklist_entry: missing ones inserted, changed ones rewritten."""
    statement = sql.insert(ENTRY, dialect).from_select(COLUMNS, select(*SOURCE.c).where(where))
    changed = COLUMNS[1:]
    return statement.on_conflict_do_update(
        index_elements=[ENTRY.c.step_id], set_={name: statement.excluded[name] for name in changed},
        where=or_(*(ENTRY.c[name].is_distinct_from(statement.excluded[name]) for name in changed)))


def _lock_day() -> Select:
    return select(1).select_from(DAY).with_for_update(read=True)


def _lock_sources(cases: ColumnElement[bool]) -> list[Select]:
    """The rows the entries of these cases draw on, FOR SHARE (the user apart: an outer join cannot be locked)."""
    return [
        select(1).select_from(c.join(p, p.c.id == c.c.patient_id).join(sp, sp.c.code == c.c.specialty_code))
        .where(cases).with_for_update(read=True, of=[c, p, sp]),
        select(1).select_from(c.join(u, u.c.id == c.c.assigned_user_id)).where(cases)
        .with_for_update(read=True, of=[u]),
    ]


# --- installing ---

def ddl(dialect: Dialect) -> dict[str, str]:
    """The generated view and triggers (and on PostgreSQL their functions), by name, as CREATE statements."""
    statements = {"worklist_source": "CREATE VIEW worklist_source AS " + str(
        SOURCE_SELECT.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))}
    for trigger in _triggers(dialect):
        if dialect.name == "postgresql":
            body = "".join(f"  {statement};\n" for statement in trigger.body)
            statements[f"{trigger.name}()"] = (
                f"CREATE FUNCTION {trigger.name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}"
                "  RETURN NULL;\nEND\n$$")
            when = f" WHEN ({trigger.when})" if trigger.when else ""
            statements[trigger.name] = (f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} FOR EACH ROW{when} "
                                        f"EXECUTE FUNCTION {trigger.name}()")
        else:
            when = f" WHEN {trigger.when}" if trigger.when else ""
            body = "".join(f"{statement}; " for statement in trigger.body)
            statements[trigger.name] = f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} FOR EACH ROW{when} " \
                                       f"BEGIN {body}END"
    return statements


def fingerprint() -> str:
    """Of the generated form in both dialects: a new one needs a migration that installs it."""
    generated = [statement for dialect in DIALECTS.values() for statement in ddl(dialect).values()]
    return hashlib.sha256("\n".join(generated).encode()).hexdigest()[:16]


def install(connection: Connection) -> None:
    """Replace the view and triggers with the generated ones and bring every entry to them. For migrations."""
    uninstall(connection)
    for statement in ddl(DIALECTS[connection.dialect.name]).values():
        connection.exec_driver_sql(statement)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"COMMENT ON VIEW worklist_source IS '{fingerprint()}'")
    refresh(connection)


def uninstall(connection: Connection) -> None:
    """Drop the view and the worklist's triggers, whatever form installed them."""
    for name, on in _installed_triggers(connection):
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"DROP TRIGGER {name} ON {on}")
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
    connection.exec_driver_sql("DROP VIEW IF EXISTS worklist_source")


def _installed_triggers(connection: Connection) -> list[tuple[str, str]]:
    """(name, table) of the worklist's triggers in the database, whatever form installed them."""
    if connection.dialect.name == "postgresql":
        query = ("SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                 "WHERE NOT t.tgisinternal AND t.tgname LIKE 'worklist\\_%'")
    else:
        query = ("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' "
                 "AND name LIKE 'worklist\\_%' ESCAPE '\\'")
    return [tuple(row) for row in connection.execute(text(query))]


def installed(connection: Connection) -> dict[str, str]:
    """What the database holds of the form: SQLite keeps each CREATE statement as written; PostgreSQL each function's
    body, its triggers' names, and the fingerprint in the view's comment. Compare with `expected`."""
    if connection.dialect.name == "sqlite":
        return dict(connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE name = 'worklist_source' OR "
            "(type = 'trigger' AND name LIKE 'worklist\\_%' ESCAPE '\\')")).all())
    found = {f"{name}()": body for name, body in connection.execute(text(
        "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'worklist\\_%'"))}
    found.update((name, name) for name, _ in _installed_triggers(connection))
    found["worklist_source"] = connection.scalar(text("SELECT obj_description(to_regclass('worklist_source'))"))
    return found


def expected(dialect_name: str) -> dict[str, str]:
    generated = ddl(DIALECTS[dialect_name])
    if dialect_name == "sqlite":
        return generated
    functions = {name: statement.split("$$")[1] for name, statement in generated.items() if name.endswith("()")}
    triggers = {name: name for name in generated if not name.endswith("()") and name != "worklist_source"}
    return {**functions, **triggers, "worklist_source": fingerprint()}


def is_installed(connection: Connection) -> bool:
    return installed(connection) == expected(connection.dialect.name)


# --- keeping the entries ---

def refresh(connection: Connection) -> None:
    """Every entry as the view computes it: missing ones added, changed ones rewritten, the others untouched."""
    connection.execute(delete(ENTRY).where(ENTRY.c.step_id.not_in(select(SOURCE.c.step_id))))
    connection.execute(_upsert(connection.dialect, true()))


def is_current(session: Session, today: date) -> bool:
    return session.scalar(select(DAY.c.as_of)) == today


def ensure_current(session: Session, today: date) -> None:
    """Bring the entries to `today`. A no-op read on all but the first query of a day. Then a stopped clock's keys
    move by the days passed, and the running clocks whose state may have changed get it again: those whose
    `severity_until` has come (all running ones when the day goes back, as in tests)."""
    as_of = session.scalar(select(DAY.c.as_of))
    if as_of == today:
        return
    if as_of is None:  # the day row is gone (the migration writes it): start over
        day_row = sql.insert(DAY, session.get_bind().dialect).values(id=1, as_of=today)
        session.execute(day_row.on_conflict_do_update(index_elements=[DAY.c.id], set_={"as_of": today}))
        refresh(session.connection())
        return
    # Claim the change (another instance at the same moment then finds nothing to claim).
    if not session.execute(update(DAY).where(DAY.c.as_of == as_of).values(as_of=today)).rowcount:
        return
    shift = (today - as_of).days
    session.execute(update(ENTRY).where(ENTRY.c.severity.in_(FROZEN)).values(
        remaining_key=sql.days_after(ENTRY.c.remaining_key, shift),
        waited_key=sql.days_after(ENTRY.c.waited_key, shift)))
    changed = "severity_until <= :today" if as_of < today else "severity NOT IN :frozen"
    session.execute(text(
        "UPDATE worklist_entry SET (severity, severity_until) = (SELECT s.severity, s.severity_until "
        f"FROM worklist_source s WHERE s.step_id = worklist_entry.step_id) WHERE {changed}").bindparams(
        *([bindparam("today", today, Date)] if as_of < today else [bindparam("frozen", FROZEN, expanding=True)])))


@contextmanager
def steps_in_bulk(conn: Connection) -> Iterator[None]:
    """For steps inserted in bulk inside one transaction (the demo generator, an import): their entries written
    by one INSERT … SELECT at the end instead of the insert trigger's view lookup per row (a third of the load).
    SQLite: the trigger is dropped meanwhile (on an error the transaction's rollback restores it); PostgreSQL:
    held back by a setting of this transaction only."""
    last_before = conn.scalar(select(func.coalesce(func.max(Step.id), 0)))
    if conn.dialect.name == "sqlite":
        trigger = conn.scalar(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                   "AND name = 'worklist_step_insert'"))
        conn.exec_driver_sql("DROP TRIGGER worklist_step_insert")
        yield
        conn.exec_driver_sql(trigger)
    else:
        conn.execute(select(func.set_config(BULK, "on", True)))
        yield
        conn.execute(select(func.set_config(BULK, "off", True)))
        new_steps = c.c.id.in_(select(Step.case_id).where(Step.id > last_before))
        for lock in (_lock_day(), *_lock_sources(new_steps)):
            conn.execute(lock)
    conn.execute(_upsert(conn.dialect, SOURCE.c.step_id > last_before))
