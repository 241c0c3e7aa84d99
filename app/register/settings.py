"""The register's settings (DOMAIN.md: every decision is a setting). Read inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Setting

OWN_REGION = ("region.code", "12")  # the region Lotsen works for: decides "own units and contracts"
EXPIRY_WARNING_DAYS = ("register.avtal_varning_dagar", 90)  # contracts ending within this many days
STALE_CAPACITY_DAYS = ("register.kapacitet_inaktuell_dagar", 42)  # vantetider.se: older than 6 weeks


def setting(session: Session, key_default: tuple[str, Any]) -> Any:
    key, default = key_default
    row = session.get(Setting, key)
    return default if row is None else row.value


def settings(session: Session, *key_defaults: tuple[str, Any]) -> list[Any]:
    """Several settings in one query, in the order asked."""
    stored = dict(session.execute(select(Setting.key, Setting.value)
                                  .where(Setting.key.in_([key for key, _ in key_defaults]))).all())
    return [stored.get(key, default) for key, default in key_defaults]
