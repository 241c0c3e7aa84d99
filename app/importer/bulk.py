"""Bulk writes fast enough for 100 000 rows a table: the values converted by the column types (as SQLAlchemy
would), then one executemany on SQLite and PostgreSQL's COPY on the server (db.backend.copy_rows): INSERT
statements through psycopg cost more in parsing and round trips than the rows themselves.

New rows get their ids up front, so no RETURNING is needed (through SQLAlchemy it costs ~70 µs a row). SQLite:
the caller's transaction already wrote, so it holds the database's write lock and max(id) + 1, + 2, ... are
ours. PostgreSQL: drawn from the table's sequence in one statement, as the inserts' defaults would draw them."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from db.backend import copy_rows


def insert_rows(session: Session, model: type, rows: list[dict], with_ids: bool = False) -> list[int]:
    """Insert `rows` (dicts with the same keys) into the model's table; their new ids if `with_ids`.
    On SQLite the caller must already have written in this transaction when `with_ids` is set (see above)."""
    if not rows:
        return []
    table = model.__table__
    connection = session.connection()
    dialect = connection.dialect
    ids: list[int] = []
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    if with_ids:
        ids = _new_ids(connection, table, len(rows))
        columns["id"] = ids
    _fill_defaults(table, rows, columns)
    if dialect.name == "postgresql":
        order = list(columns)
        values = zip(*(_processed(table.c[key], columns[key], dialect) for key in order), strict=True)
        copy_rows(connection, table.name, tuple(table.c[key].name for key in order), values)
        return ids
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = list(compiled.positiontup or columns)
    connection.exec_driver_sql(compiled.string, list(zip(*(_processed(table.c[key], columns[key], dialect)
                                                               for key in order), strict=True)))
    return ids


def update_rows(session: Session, model: type, key: str, rows: list[dict], **also) -> None:
    """UPDATE many rows found by the column `key`, the value under "b_key" in each dict; the other keys are the
    columns to set (a column's onupdate sees them). Rows setting the same columns go as one executemany; `also`
    is set on every row (a version counter)."""
    table = model.__table__
    groups: dict[frozenset, list[dict]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    for group in groups.values():
        session.execute(update(table).where(table.c[key] == bindparam("b_key")).values(**also), group)


def _new_ids(connection, table, count: int) -> list[int]:
    if connection.dialect.name == "postgresql":
        return sorted(connection.scalars(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                                              "FROM generate_series(1, :n)"), {"t": table.name, "n": count}))
    first = (connection.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(first, first + count))


def _processed(column, values: list, dialect) -> list:
    """Values as the driver takes them. Dates and times repeat a lot in a list, so each distinct one is
    converted once."""
    process = column.type._cached_bind_processor(dialect)
    if process is None:
        return values
    done: dict = {}
    out = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        try:
            out.append(done[value])
        except KeyError:
            out.append(done.setdefault(value, process(value)))
        except TypeError:  # unhashable, e.g. a JSON dict
            out.append(process(value))
    return out


def _fill_defaults(table, rows: list[dict], columns: dict[str, list]) -> None:
    """Python-side column defaults, as SQLAlchemy would apply them (callables get the row as context)."""
    for column in table.columns:
        default = column.default
        if column.key in columns or default is None:
            continue
        if default.is_scalar:
            columns[column.key] = [default.arg] * len(rows)
        elif default.is_callable:
            columns[column.key] = [
                default.arg(SimpleNamespace(get_current_parameters=lambda row=row: row, current_parameters=row))
                for row in rows
            ]
