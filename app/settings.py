"""Settings stored in the database, each change kept with who made it and when."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.database import Database
from app.errors import InputError
from app.guarantee import RuleBook
from app.rulebook import shipped_rule_book
from db.models import Setting, SettingChange, utcnow

DEMO = "demo"                     # the database holds generated demo data, not real patients
RULES = "rules.overrides"         # the region's own thresholds, applied to every rule set
SAVED_FILTERS = "worklist.filters.{user_id}"
OWN_REGION = ("region.code", "12")  # the region Lotsen works for (key, default)
UNDO_MINUTES = ("cases.undo_minutes", 15)  # how long the author of a case's last entry may take it back

# The settings window's tabs (Administration → Inställningar): a message about a missing setting names its tab.
TAB_SENDER = "Avsändare"
TAB_EXPORT = "Nationell export"
TAB_UNITS = "Enheter"
TAB_ACTIVITIES = "Aktiviteter"
TAB_LIMITS = "Brev, uppföljning och ångra"
TAB_RULES = "Tidsgränser och varningar"
TAB_INBOXES = "Inkorgar"


def where(tab: str) -> str:
    """Where a setting is made, for a message: "Administration → Inställningar, fliken Enheter"."""
    return f"Administration → Inställningar, fliken {tab}"


# The thresholds a region may change, per step: (field, Swedish label, lowest, highest, may be unset).
STEP_THRESHOLDS = (
    ("risk_waited_days", "Risk efter väntade dagar", 1, 365, True),
    ("akut_remaining_days", "Akut vid dagar kvar", 0, 90, False),
    ("notice_days", "Besked inom dagar", 1, 90, True),
    ("regional_target_days", "Regionalt mål (dagar)", 1, 365, True),
)
ACTIVE_WAITING = ("active_waiting_days", "Kontakt med långväntande var (dagar)", 7, 365)


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    """For showing or using a value. To change a value based on what it holds, use update_setting."""
    with db.reading() as session:  # beside writers: never waits for the write lock
        row = session.get(Setting, key)
        return default if row is None else row.value


def own_region(db: Database) -> str:
    return get_setting(db, *OWN_REGION)


def set_setting(db: Database, key: str, value: Any, user_id: int | None = None) -> None:
    with db.transaction() as session:
        store_setting(session, key, value, user_id)


def update_setting(db: Database, key: str, change: Callable[[Any], Any], user_id: int | None = None,
                   default: Any = None) -> Any:
    """Read a setting, change it and write it back in ONE write transaction, so that two instances changing the
    same setting (one user's saved filters on two computers) each build on the other's change instead of
    overwriting it. `change` gets a copy of the stored value (`default` when there is none) and returns the new
    value; nothing is written when it is unchanged. Returns the value now stored."""
    with db.transaction() as session:
        stored = session.scalar(select(Setting.value).where(Setting.key == key))
        new = change(copy.deepcopy(default if stored is None else stored))
        if new != stored:
            store_setting(session, key, new, user_id)
        return new


def store_setting(session, key: str, value: Any, user_id: int | None) -> None:
    """Within a caller's transaction: write the setting and its history row."""
    row = session.get(Setting, key)
    old = None if row is None else row.value
    if row is None:
        row = Setting(key=key)
        session.add(row)
    row.value, row.changed_by, row.changed_at = value, user_id, utcnow()
    session.add(SettingChange(key=key, old_value=old, new_value=value, changed_by=user_id))


def setting_history(db: Database, key: str) -> list[SettingChange]:
    with db.reading() as session:
        return list(session.scalars(select(SettingChange).where(SettingChange.key == key)
                                    .order_by(SettingChange.id)))


def validate_rule_overrides(overrides: dict[str, Any]) -> None:
    """Refuse thresholds outside sensible bounds, naming the step and the field."""
    field, label, low, high = ACTIVE_WAITING
    value = overrides.get(field)
    if value is not None and not (isinstance(value, int) and low <= value <= high):
        raise InputError(label, f"ange ett heltal mellan {low} och {high}.")
    for step, changes in overrides.get("steps", {}).items():
        for field, label, low, high, optional in STEP_THRESHOLDS:
            if field not in changes or (changes[field] is None and optional):
                continue
            value = changes[field]
            if not (isinstance(value, int) and low <= value <= high):
                raise InputError(f"{label} ({step})", f"ange ett heltal mellan {low} och {high}.")


def effective_rule_book(overrides: dict[str, Any] | None) -> RuleBook:
    """The shipped rule sets with the region's thresholds applied to each."""
    book = shipped_rule_book()
    if not overrides:
        return book
    for rule_set in book.rule_sets:
        steps = {code: changes for code, changes in overrides.get("steps", {}).items() if code in rule_set.steps}
        fields = {k: v for k, v in overrides.items() if k == ACTIVE_WAITING[0]}
        book = book.replace_rule_set(rule_set.with_overrides(steps=steps, **fields))
    return book
