"""SQL expressions that differ between SQLite and PostgreSQL, kept here so app/ stays portable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
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
