"""Every row of every table, to show that a refused import left the database exactly as it was."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Base


def snapshot(ctx, skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    with ctx.db.reading() as session:
        return {table.name: sorted(tuple(map(repr, row)) for row in session.execute(select(table)).all())
                for table in Base.metadata.sorted_tables if table.name not in skip}
