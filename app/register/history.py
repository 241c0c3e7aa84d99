"""Change history of the register: every field set or changed, with who, when, old and new value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.context import AppContext
from db.models import User, utcnow
from db.register import RegisterChange

ENTITIES = {"provider": "Vårdgivare", "unit": "Enhet", "contract": "Avtal", "capacity": "Kapacitet"}


@dataclass(frozen=True)
class Change:
    at: datetime
    user: str
    field: str  # the Swedish field label
    old: str
    new: str


def shown(value: Any) -> str:
    """A value as the history shows it: the same text a user would type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def record(session: Session, ctx: AppContext, entity: str, entity_id: int, field: str, old: Any,
           new: Any) -> bool:
    """Write one history row if the shown value changed; True if it did."""
    before, after = shown(old), shown(new)
    if before == after:
        return False
    session.add(RegisterChange(entity=entity, entity_id=entity_id, field=field, old_value=before or None,
                               new_value=after or None, user_id=ctx.user_id, at=utcnow()))
    return True


def apply(session: Session, ctx: AppContext, entity: str, row: Any, values: Mapping[str, Any],
          labels: Mapping[str, str]) -> None:
    """Set the row's columns from `values`, recording each change under the field's Swedish label."""
    is_new = row.id is None
    old = {name: None if is_new else getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    if is_new:
        session.add(row)
        session.flush()  # the id the history rows point to
    for name, value in values.items():
        record(session, ctx, entity, row.id, labels[name], old[name], value)


def history(ctx: AppContext, entity: str, entity_id: int) -> list[Change]:
    """Newest first."""
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(RegisterChange, User.display_name).join(User, User.id == RegisterChange.user_id)
            .where(RegisterChange.entity == entity, RegisterChange.entity_id == entity_id)
            .order_by(RegisterChange.at.desc(), RegisterChange.id.desc())
        ).all()
        # SQLite returns naive datetimes; they were written as UTC.
        return [Change(c.at if c.at.tzinfo else c.at.replace(tzinfo=UTC), name, c.field, c.old_value or "", c.new_value or "") for c, name in rows]
