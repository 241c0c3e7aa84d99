"""Changing the region's thresholds: store them with their history and bring every open step's clock up to date.

Re-evaluating 100 000 open steps takes about a minute; in one transaction it held SQLite's write lock all that
time and every colleague's save failed. So the change is stored together with a pending marker
(PENDING, the last step id brought up to date) and the steps are then refreshed in short batches, each its own
write transaction of about BATCH_SECONDS, with a pause between them in which colleagues' saves get the lock.
An interrupted refresh (the app closed or killed) is finished by the next instance that starts or changes the
rules; several instances finishing it at once share the work, each batch taking the next steps after the marker.

Each batch evaluates with the rules as stored at that moment, read in its own transaction. A colleague's save
between two batches evaluates its step with the stored rules too (current_rules), even when their instance signed
in before the change, so every step ends up evaluated by the rules in force.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from itertools import groupby
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from app import steps
from app.context import AppContext
from app.errors import StorageError
from app.guarantee import RuleBook
from app.roles import Permission, require
from app.settings import RULES, effective_rule_book, get_setting, store_setting, validate_rule_overrides
from db.backend import Failure, failure
from db.models import CaseEvent, Setting, Step

PENDING = "rules.refresh_pending"  # {"after": last step id refreshed}; absent when every open step is current
BATCH_SECONDS = 0.05  # the write lock one batch holds: this, plus at most one slice and the commit
SLICE = 25            # steps read, evaluated and written at a time within a batch (~10 ms)
PAUSE_SECONDS = 0.05  # the lock then left free: longer than a waiting writer's retries are apart (SQLite's busy
                      # handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50 ms … between attempts)
LOCKED_RETRIES = 5    # batches in a row that may fail to get the lock before the refresh gives up (left pending)
CACHED = tuple(getattr(Step, name) for name in steps.CACHE_COLUMNS)
# Core, not the ORM's bulk update: less time under the lock.
UPDATE = (update(Step.__table__).where(Step.__table__.c.id == bindparam("step_id"))
          .values({name: bindparam(name) for name in steps.CACHE_COLUMNS}))

Progress = Callable[[int, int], None]  # (steps done, steps in all)


def current_overrides(ctx: AppContext) -> dict[str, Any]:
    return get_setting(ctx.db, RULES, {}) or {}


def change_rules(ctx: AppContext, overrides: dict[str, Any], progress: Progress | None = None,
                 stop: threading.Event | None = None) -> int:
    """Save the thresholds, then re-evaluate all open steps in short batches (see the module). Returns the steps
    this call evaluated. `stop` set: returns after the current batch, the refresh left pending."""
    require(ctx.role, Permission.CHANGE_SETTINGS)
    validate_rule_overrides(overrides)
    with ctx.db.transaction() as session:
        store_setting(session, RULES, overrides, ctx.user_id)
        _mark(session, 0)  # from the first step again, also when an earlier refresh was still under way
        current_rules(session, ctx)
    return finish_refresh(ctx, progress, stop)


def refresh_pending(ctx: AppContext) -> bool:
    with ctx.db.reading() as session:
        return session.get(Setting, PENDING) is not None


def finish_refresh(ctx: AppContext, progress: Progress | None = None, stop: threading.Event | None = None) -> int:
    """Refresh open steps batch by batch while a refresh is pending. Returns the steps this call evaluated."""
    with ctx.db.reading() as session:
        marker = session.get(Setting, PENDING)
        if marker is None:
            return 0
        total = session.scalar(select(func.count()).select_from(Step)
                               .where(Step.is_open, Step.id > marker.value["after"]))
    done = 0
    waits = 0
    while True:
        try:
            with ctx.db.transaction() as session:
                count, finished = refresh_batch(session, ctx.today())
                if finished:
                    current_rules(session, ctx)
        except StorageError as exc:
            # Colleagues writing without pause can keep the lock from a batch for the whole busy timeout: the
            # batch did nothing, so try it again later rather than give up on the refresh.
            if failure(exc.__cause__) is not Failure.LOCKED or waits >= LOCKED_RETRIES:
                raise
            waits += 1
            time.sleep(PAUSE_SECONDS)
            continue
        waits = 0
        done += count
        total = max(total, done)  # steps opened meanwhile
        if progress:
            progress(total if finished else done, total)
        if finished or (stop is not None and stop.is_set()):
            return done
        time.sleep(PAUSE_SECONDS)


def refresh_batch(session: Session, today: date, seconds: float | None = None) -> tuple[int, bool]:
    """Within the caller's write transaction: evaluate the open steps after the pending marker with the stored
    rules, slice by slice for about `seconds`, write those whose cached clock changed and move the marker on.
    Returns (steps evaluated, whether the refresh is complete: the marker is then gone)."""
    marker = session.get(Setting, PENDING)
    if marker is None:
        return 0, True
    after = marker.value["after"]
    book = _stored_book(session)
    seconds = BATCH_SECONDS if seconds is None else seconds
    started = time.perf_counter()
    count = 0
    while True:
        rows = session.execute(select(Step.id, Step.code, Step.target_date, *CACHED)
                               .where(Step.is_open, Step.id > after).order_by(Step.id).limit(SLICE)).all()
        _refresh_slice(session, rows, book, today)
        count += len(rows)
        if len(rows) < SLICE:  # the last open step done: steps opened later are saved with the stored rules
            session.delete(marker)
            return count, True
        after = rows[-1].id
        if time.perf_counter() - started >= seconds:
            break
    marker.value = {"after": after}
    return count, False


def _refresh_slice(session: Session, rows: list, book: RuleBook, today: date) -> None:
    """Only the steps whose cached columns change are written: each write also rewrites the step's worklist
    entry (the read model's triggers), the costly part."""
    by_id = {row.id: row for row in rows}
    events = session.execute(
        select(CaseEvent.step_id, CaseEvent.kind, CaseEvent.on, CaseEvent.appointment, CaseEvent.answer,
               CaseEvent.pause)
        .where(CaseEvent.step_id.in_(list(by_id))).order_by(CaseEvent.step_id, CaseEvent.on, CaseEvent.id))
    changes = []
    for step_id, step_events in groupby(events, key=lambda e: e.step_id):
        row = by_id[step_id]
        cached = steps.cache_columns(steps.evaluate_rows(row.code, step_events, row.target_date, today, book))
        if tuple(cached.values()) != tuple(row[3:]):
            changes.append({"step_id": step_id, **cached})
    if changes:
        session.execute(UPDATE, changes)


def _mark(session: Session, after: int) -> None:
    """The pending marker: working state, not a setting anyone changes, so no history row."""
    row = session.get(Setting, PENDING)
    if row is None:
        session.add(Setting(key=PENDING, value={"after": after}))
    else:
        row.value = {"after": after}


def current_rules(session: Session, ctx: AppContext) -> RuleBook:
    """The rule book of the thresholds stored now, read inside the caller's transaction, and ctx.rules from now
    on. A save calls it before it evaluates a step: a colleague may have changed the thresholds since this
    instance signed in, and a pending refresh does not come back to a step it has already passed."""
    stored = session.scalar(select(Setting.value).where(Setting.key == RULES))
    if stored != ctx.rule_overrides:
        ctx.rules, ctx.rule_overrides = _book(_key(stored)), stored
    return ctx.rules


def _stored_book(session: Session) -> RuleBook:
    return _book(_key(session.scalar(select(Setting.value).where(Setting.key == RULES))))


def _key(overrides: Any) -> str:
    return json.dumps(overrides, sort_keys=True)


@lru_cache(maxsize=8)
def _book(key: str) -> RuleBook:
    return effective_rule_book(json.loads(key))
