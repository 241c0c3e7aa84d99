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
from db.register import CareUnit, Provider, RegisterChange

ENTITIES = {"provider": "Vårdgivare", "unit": "Enhet", "contract": "Avtal", "capacity": "Kapacitet"}
# Fields that hold another record's id, by entity and field label (app.register.services' *_LABELS): the history
# keeps the id, which stays true when the other record is renamed, and shows the record's current name.
REFERENCES: dict[tuple[str, str], type] = {
    ("unit", "Vårdgivare"): Provider, ("contract", "Vårdgivare"): Provider,
    ("contract", "Enhet"): CareUnit, ("capacity", "Enhet"): CareUnit,
}


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
    """Newest first; ids of other records shown as their names."""
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(RegisterChange, User.display_name).join(User, User.id == RegisterChange.user_id)
            .where(RegisterChange.entity == entity, RegisterChange.entity_id == entity_id)
            .order_by(RegisterChange.at.desc(), RegisterChange.id.desc())
        ).all()
        references = [(REFERENCES.get((entity, c.field)), c) for c, _ in rows]
        names = _names(session, [(model, value) for model, c in references for value in (c.old_value, c.new_value)])

        def text(model: type | None, value: str | None) -> str:
            return names.get((model, value), value or "") if model else value or ""

        # SQLite returns naive datetimes; they were written as UTC.
        return [Change(c.at if c.at.tzinfo else c.at.replace(tzinfo=UTC), user, c.field, text(model, c.old_value),
                       text(model, c.new_value))
                for (model, c), (_, user) in zip(references, rows, strict=True)]


def _names(session: Session, references: list[tuple[type | None, str | None]]) -> dict[tuple[type, str], str]:
    """(model, id as stored) -> the record's name, or "nr 7 (borttagen)" for one that no longer exists."""
    wanted: dict[type, set[int]] = {}
    for model, value in references:
        if model is not None and value and value.isdigit():
            wanted.setdefault(model, set()).add(int(value))
    names = {}
    for model, ids in wanted.items():
        found = dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())
        names.update({(model, str(i)): found.get(i, f"nr {i} (borttagen)") for i in ids})
    return names
