"""Settings stored in the database, with who changed them and when."""

from __future__ import annotations

from typing import Any

from app.database import Database
from db.models import Setting, utcnow

DEMO = "demo"  # the database holds generated demo data, not real patients


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    with db.transaction() as session:
        row = session.get(Setting, key)
        return default if row is None else row.value


def set_setting(db: Database, key: str, value: Any, user_id: int | None = None) -> None:
    with db.transaction() as session:
        row = session.get(Setting, key) or Setting(key=key)
        row.value, row.changed_by, row.changed_at = value, user_id, utcnow()
        session.add(row)
