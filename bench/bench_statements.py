"""Statements per user action: on a server 25 ms away every round trip counts, so each action should take a
few. Counted at the driver (SQLAlchemy's before_cursor_execute), transaction control included (BEGIN, COMMIT,
the write lock); a pool's connection check counts too."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from app import cases, worklist
from app.context import sign_in
from app.database import open_database
from app.worklist import Filter, SortOrder

PAGE = 50


@contextmanager
def counting(engine):
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements(bench) -> list[dict]:
    db = open_database(bench.db_path)
    ctx = sign_in(db, "bench.räknare", "Bench Räknare")
    ctx.today = lambda: bench.today
    figures = []
    try:
        worklist.open_step_ids(ctx, Filter(), SortOrder())  # the day's first query brings the read model along
        with counting(db.engine) as seen:
            ids = worklist.open_step_ids(ctx, Filter(), SortOrder())
            worklist.rows_for(ctx, ids[:PAGE])
        figures.append({"name": "statements: worklist, first page of 50", "value": len(seen), "unit": "statements"})
        step_id = ids[0]
        with db.reading() as session:
            from db.models import Step

            case_id = session.get(Step, step_id).case_id
        with counting(db.engine) as seen:
            cases.view_case(ctx, case_id)
        figures.append({"name": "statements: open a case", "value": len(seen), "unit": "statements"})
        with counting(db.engine) as seen:
            cases.record_contact(ctx, step_id, bench.today - timedelta(days=0), "telefon", "bench")
        figures.append({"name": "statements: save a contact", "value": len(seen), "unit": "statements"})
    finally:
        db.close()
    return figures


BENCHMARKS = {"statements": statements}
