"""Bring a database file to the newest schema, after a backup copy when there is something to upgrade."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from db.sqlite_file import online_copy

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


class NewerDatabase(RuntimeError):
    """The file was written by a newer Lotsen than this one."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


def backup_copy(path: Path, folder: Path, label: str, key: str | None = None) -> Path:
    """A consistent copy through SQLite's online backup API (safe while WAL holds recent commits); an encrypted
    file's copy is encrypted with the same key."""
    target = folder / f"{path.stem}-{datetime.now():%Y%m%d-%H%M%S}-{label}.sqlite"
    online_copy(path, target, key)
    return target


def upgrade(engine: Engine, path: Path, backup_folder: Path, key: str | None = None) -> Path | None:
    """Migrate to head. Returns the backup made before migrating an existing database, if any."""
    current, heads = current_revisions(engine), head_revisions()
    if current == heads:
        return None
    unknown = [revision for revision in current if not _known(revision)]
    if unknown:
        raise NewerDatabase(", ".join(unknown))
    backup = None
    if current:
        backup = backup_copy(path, backup_folder, "fore-" + "-".join(sorted(heads)), key)
        log.info("Backed up %s to %s before migrating %s -> %s", path, backup, current, heads)
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    return backup
