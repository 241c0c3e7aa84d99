"""Read-then-write in two instances at once: Database.transaction() takes the write lock at its start (BEGIN
IMMEDIATE), so the second instance waits and reads what the first wrote. Nothing is lost and nobody sees
"database is locked"; reading() runs beside a writer without waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app import cases
from app.database import Database
from app.errors import ConflictError
from db.models import Case, Setting
from tests.protection.helpers import D, open_case

COUNTER = "test.counter"


def _at_once(*work: Callable[[], object]) -> list[object]:
    """Run each piece of work in its own thread, started together; the result or the exception of each."""
    results: list[object] = [None] * len(work)
    start = threading.Barrier(len(work))

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work[i]()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each thread got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _increment(db: Database, begin: Callable[[], object]) -> int:
    """Read the counter, think for a moment (a user, a slow report), write counter + 1."""
    with begin() as session:
        row = session.get(Setting, COUNTER)
        seen = row.value
        time.sleep(0.3)
        row.value = seen + 1
        return seen


def _counter(db: Database) -> int:
    with db.reading() as session:
        return session.get(Setting, COUNTER).value


def test_two_instances_reading_then_writing_are_served_in_turn(ctx, second):
    with ctx.db.transaction() as session:
        session.add(Setting(key=COUNTER, value=0))
    seen = _at_once(lambda: _increment(ctx.db, ctx.db.transaction),
                    lambda: _increment(second.db, second.db.transaction))
    assert sorted(seen) == [0, 1]  # the second read what the first wrote
    assert _counter(ctx.db) == 2


def test_without_the_write_lock_at_the_start_an_update_is_lost_or_locked(ctx, second):
    """The control: pysqlite's deferred begin, as before. Proves the test above can fail."""
    with ctx.db.transaction() as session:
        session.add(Setting(key=COUNTER, value=0))
    seen = _at_once(lambda: _increment(ctx.db, ctx.db.sessions.begin),
                    lambda: _increment(second.db, second.db.sessions.begin))
    locked = [s for s in seen if isinstance(s, DBAPIError)]
    assert locked or _counter(ctx.db) == 1  # both read 0: one update lost


def test_the_same_case_saved_by_two_at_once_one_wins_the_other_is_told(ctx, second):
    opened = open_case(ctx)
    shown = cases.view_case(ctx, opened.case_id).version  # both have the case window open
    assert cases.view_case(second, opened.case_id).version == shown
    outcomes = _at_once(
        lambda: cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon", "Anna ringde",
                                     expected_version=shown),
        lambda: cases.record_contact(second, opened.step_id, D("2026-10-05"), "brev", "Bo skrev",
                                     expected_version=shown))
    conflicts = [o for o in outcomes if isinstance(o, ConflictError)]
    saved = [o for o in outcomes if isinstance(o, int)]
    assert len(conflicts) == 1 and len(saved) == 1, outcomes
    assert "ändrats av någon annan" in conflicts[0].message
    timeline = cases.view_case(ctx, opened.case_id).timeline
    assert len([e for e in timeline if e.kind == "contact"]) == 1


def test_reading_runs_beside_a_writer_and_sees_a_consistent_snapshot(ctx, second):
    with ctx.db.transaction() as session:
        session.add(Setting(key=COUNTER, value=0))
    writing, written = threading.Event(), threading.Event()

    def writer() -> None:
        with ctx.db.transaction() as session:
            session.get(Setting, COUNTER).value = 1
            session.flush()
            writing.set()
            written.wait(timeout=10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(timeout=10)
    started = time.perf_counter()
    with second.db.reading() as session:  # the writer holds the write lock: reading does not wait for it
        assert session.get(Setting, COUNTER).value == 0
        written.set()
        thread.join(timeout=10)
        assert session.scalar(select(Setting.value).where(Setting.key == COUNTER)) == 0  # same snapshot
    assert time.perf_counter() - started < 2
    assert _counter(second.db) == 1


def test_reading_refuses_to_write(ctx):
    with pytest.raises(RuntimeError, match="reading only"), ctx.db.reading() as session:
        session.add(Setting(key=COUNTER, value=0))
        session.flush()
    with ctx.db.transaction() as session:  # the connection is writable again for the next unit of work
        session.add(Setting(key=COUNTER, value=0))
    assert _counter(ctx.db) == 0
    with ctx.db.reading() as session:
        assert session.scalar(select(Case.id).limit(1)) is None
