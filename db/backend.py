"""What differs between the database backends, in one place: how a transaction starts, what a driver error
means, and which features only a file has. Everything else goes through SQLAlchemy alike.

SQLite: the driver's own transaction handling is off (pysqlite would run DDL outside the transaction, so a killed
migration could leave half a schema); the engine's "begin" event emits BEGIN itself, DEFERRED for reading and
IMMEDIATE for a unit of work that writes, which takes the write lock at once (two instances that read, then
write, are then served one after the other instead of one failing with "database is locked").

PostgreSQL: a unit of work that writes takes one transaction-level advisory lock first, the same promise as
BEGIN IMMEDIATE: writers are served one after the other, each reading what the one before it committed, so a
read-then-write without a version counter (a merged setting, a sequence of letters) cannot lose an update.
Saves are a few milliseconds, so a team of 30 does not queue noticeably. Reading runs in a REPEATABLE READ, READ
ONLY transaction: one snapshot for the whole unit of work, as on SQLite."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable

from sqlalchemy import Engine, Integer, any_, bindparam, event, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

BEGIN = "lotsen_begin"  # execution option: DEFERRED (the default) or IMMEDIATE
WRITE_LOCK = 0x4C6F7473  # "Lots": the advisory lock every PostgreSQL writer takes


def writer(engine: Engine) -> Engine:
    """The engine whose transactions take the write lock as they begin."""
    return engine.execution_options(**{BEGIN: "IMMEDIATE"})


def reader(engine: Engine) -> Engine:
    """The engine whose transactions read one snapshot and may not write."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return engine


def install_begin(engine: Engine) -> None:
    """Make the engine's transactions begin as described above."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "begin", _begin_sqlite)
    else:
        event.listen(engine, "begin", _begin_postgresql)


def _begin_sqlite(connection) -> None:
    connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get(BEGIN, 'DEFERRED')}")


def _begin_postgresql(connection) -> None:
    # psycopg begins the transaction with its first statement: the lock is that statement.
    if connection.get_execution_options().get(BEGIN) == "IMMEDIATE":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})


def copy_rows(connection, table: str, columns: tuple[str, ...], rows) -> None:
    """PostgreSQL's COPY for a bulk load (the demo generator, a list's import): several times faster than INSERT
    statements, in the caller's transaction. `rows`: tuples in the order of `columns`."""
    quote = connection.dialect.identifier_preparer.quote
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def one_of(dialect: str, column, values: Iterable):
    """`column IN (values)` for any number of values as one bound parameter, so that an import's 100 000 keys are
    looked up in one statement (an IN list takes a parameter per value, beyond the drivers' limits): PostgreSQL's
    `= ANY(array)`, SQLite's json_each over a JSON array. Values are str or int."""
    values = list(values)
    if dialect == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    rows = select(literal_column("value")).select_from(func.json_each(bindparam(None, json.dumps(values))))
    return column.in_(rows)


def move_sequences(connection, tables) -> None:
    """After rows were written with their own ids (the demo's bulk load, `lotsen db copy`): PostgreSQL's
    sequences must then continue past the highest id, or the next insert collides. SQLite needs nothing."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                         {"t": table.name, "c": column.name})
            if sequence:
                connection.execute(text(f"SELECT setval(:s, coalesce((SELECT max({column.name}) FROM {table.name}), "
                                        "0) + 1, false)"), {"s": sequence})


def file_only(engine: Engine) -> str | None:
    """Why file-only features (encryption, file backups and restore, the network-path check) are off here;
    None on a file."""
    if engine.dialect.name == "sqlite":
        return None
    return ("Databasen ligger på regionens server. Säkerhetskopior, återställning och kryptering sköts där av IT "
            "med serverns egna verktyg.")


class Failure(enum.Enum):
    """A known storage failure: the user is told what to do and nothing already saved is lost."""

    FULL = "full"
    LOCKED = "locked"
    READ_ONLY = "read_only"
    IO = "io"
    CORRUPT = "corrupt"
    CANNOT_OPEN = "cannot_open"
    APPEND_ONLY = "append_only"  # the access log's guard refused a change
    CONNECTION = "connection"    # the server cannot be reached, or the connection broke
    LOGIN = "login"              # the server refused the user name or password
    NOT_ALLOWED = "not_allowed"  # the server's permissions refuse the statement


# SQLite's primary result codes (sqlite3.h); the extended code's low byte is the primary one.
_SQLITE_CODES = {13: Failure.FULL, 5: Failure.LOCKED, 6: Failure.LOCKED, 8: Failure.READ_ONLY, 10: Failure.IO,
                 11: Failure.CORRUPT, 26: Failure.CORRUPT, 14: Failure.CANNOT_OPEN}
# PostgreSQL's SQLSTATEs (appendix A of its manual): whole classes by their first two characters, then codes.
_SQLSTATE_CLASSES = {"08": Failure.CONNECTION, "28": Failure.LOGIN, "53": Failure.FULL, "57": Failure.CONNECTION,
                     "58": Failure.IO, "XX": Failure.CORRUPT}
_SQLSTATES = {"40001": Failure.LOCKED, "40P01": Failure.LOCKED, "55P03": Failure.LOCKED, "25006": Failure.READ_ONLY,
              "42501": Failure.NOT_ALLOWED, "3D000": Failure.CANNOT_OPEN, "57014": Failure.LOCKED}
APPEND_ONLY_TEXT = "access_log is append-only"  # the text of the access log's guard triggers


def failure(exc: BaseException) -> Failure | None:
    """What a driver error means, from SQLite's result code (sqlite3 and sqlcipher3 both carry it) or
    PostgreSQL's SQLSTATE; None for anything else, which is a bug to log and report."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if APPEND_ONLY_TEXT in str(original):
        return Failure.APPEND_ONLY
    code = getattr(original, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_CODES.get(code & 0xFF)
    if type(original).__module__.startswith("psycopg"):
        state = getattr(original, "sqlstate", None)
        if state is None:  # raised by the client library: no connection, or it broke
            import psycopg

            return Failure.CONNECTION if isinstance(original, psycopg.OperationalError) else None
        return _SQLSTATES.get(state) or _SQLSTATE_CLASSES.get(state[:2])
    return None
