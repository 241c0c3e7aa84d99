"""Changing the region's thresholds: store them with their history and bring every open step's clock up to date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import steps
from app.context import AppContext
from app.guarantee import RuleBook
from app.roles import Permission, require
from app.settings import RULES, effective_rule_book, get_setting, store_setting, validate_rule_overrides
from db.models import CaseEvent, Step

CHUNK = 5_000


def current_overrides(ctx: AppContext) -> dict[str, Any]:
    return get_setting(ctx.db, RULES, {}) or {}


def change_rules(ctx: AppContext, overrides: dict[str, Any],
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Save the thresholds and re-evaluate all open steps in the same transaction. Returns the steps updated."""
    require(ctx.role, Permission.CHANGE_SETTINGS)
    validate_rule_overrides(overrides)
    book = effective_rule_book(overrides)
    with ctx.db.transaction() as session:
        store_setting(session, RULES, overrides, ctx.user_id)
        count = refresh_open_steps(session, book, ctx.today(), progress)
    ctx.rules = book
    return count


def refresh_open_steps(session: Session, book: RuleBook, today: date,
                       progress: Callable[[int, int], None] | None = None) -> int:
    ids = list(session.scalars(select(Step.id).where(Step.is_open).order_by(Step.id)))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        info = {i: (code, target) for i, code, target in
                session.execute(select(Step.id, Step.code, Step.target_date).where(Step.id.in_(chunk)))}
        rows = session.scalars(select(CaseEvent).where(CaseEvent.step_id.in_(chunk))
                               .order_by(CaseEvent.step_id, CaseEvent.on, CaseEvent.id))
        changes = [
            {"id": step_id, **steps.cache_columns(
                steps.evaluate_rows(info[step_id][0], list(events), info[step_id][1], today, book))}
            for step_id, events in groupby(rows, key=lambda e: e.step_id)
        ]
        session.execute(update(Step), changes)
        if progress:
            progress(min(start + CHUNK, len(ids)), len(ids))
    return len(ids)
