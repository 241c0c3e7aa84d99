"""SQL expressions that differ between SQLite and PostgreSQL, kept here so app/ stays portable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Dialect, Insert, Integer, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between(FunctionElement):
    """Whole days from `start` to `end` (end - start) for two DATE expressions."""

    type = Integer()
    inherit_cache = True

    def __init__(self, end: ColumnElement[Any] | Any, start: ColumnElement[Any] | Any):
        super().__init__(end, start)


@compiles(days_between, "sqlite")
def _sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"CAST(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"(({compiler.process(end, **kw)})::date - ({compiler.process(start, **kw)})::date)"


class days_after(FunctionElement):
    """The DATE `days` days after `day` (before it when negative); `days` an INTEGER expression or an int."""

    type = Date()
    inherit_cache = True

    def __init__(self, day: ColumnElement[Any] | Any, days: ColumnElement[Any] | int):
        super().__init__(day, days)


@compiles(days_after, "sqlite")
def _sqlite_days_after(element: days_after, compiler: Any, **kw: Any) -> str:
    day, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({day}, printf('%+d days', {days}))"


@compiles(days_after, "postgresql")
def _postgresql_days_after(element: days_after, compiler: Any, **kw: Any) -> str:
    day, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"({day} + {days})"


def insert(table: Table, dialect: Dialect) -> Insert:
    """The dialect's INSERT, which has ON CONFLICT (SQLite's and PostgreSQL's spell it alike)."""
    return {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect.name](table)
