"""Bring a database file to the newest schema, after a backup copy when there is something to upgrade.

Alembic takes a third of a second to import, so it is imported only when there is work for it: `is_at_head`,
which every start asks, reads the migration files' revision ids without it."""

from __future__ import annotations

import ast
import logging
import os
import time
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, column, inspect, select, table

from db.backend import writer
from db.sqlite_file import online_copy

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


class NewerDatabase(RuntimeError):
    """The file was written by a newer Lotsen than this one."""


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_at_head(engine: Engine) -> bool:
    """True when the file is at the newest revision, read without alembic: its alembic_version rows are the
    revisions that no migration file names as its down_revision. Any doubt: False, and `upgrade` decides."""
    heads = _file_heads()
    with engine.connect() as connection:
        if not heads or not inspect(connection).has_table("alembic_version"):
            return False
        current = set(connection.scalars(select(table("alembic_version", column("version_num")).c.version_num)))
    return current == heads


def _file_heads() -> set[str]:
    revisions: set[str] = set()
    parents: set[str] = set()
    for file in (MIGRATIONS / "versions").glob("*.py"):
        found = {}
        try:
            for node in ast.parse(file.read_text(encoding="utf-8")).body:
                target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else \
                    node.target if isinstance(node, ast.AnnAssign) else None
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    found[target.id] = ast.literal_eval(node.value)
        except (OSError, SyntaxError, ValueError):
            return set()
        if isinstance(found.get("revision"), str):
            revisions.add(found["revision"])
            down = found.get("down_revision")
            parents.update(down if isinstance(down, tuple | list) else [down] if down else [])
    return revisions - parents


def is_newer(current: set[str]) -> bool:
    """True when a revision is one this program does not know: a newer Lotsen wrote it."""
    return any(not _known(revision) for revision in current)


def _known(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


STALE_SECONDS = 24 * 3600  # an unfinished copy older than this was left by a killed run
KEEP_BEFORE_UPGRADE = 3  # copies made before migrations, newest first; a retried migration replaces its own


def backup_copy(path: Path, folder: Path, label: str, key: str | None = None) -> Path:
    """A consistent copy through SQLite's online backup API (safe while WAL holds recent commits); an encrypted
    file's copy is encrypted with the same key. A retry of the same migration (a killed or failed run) replaces
    the copy it made before instead of adding one more full copy, and only the newest KEEP_BEFORE_UPGRADE
    copies made before any migration are kept."""
    target = folder / f"{path.stem}-{datetime.now():%Y%m%d-%H%M%S}-{label}.sqlite"
    for unfinished in folder.glob(f"{path.stem}-*-fore-*.skrivs"):  # left by a killed run, not one under way
        with suppress(OSError):
            if time.time() - unfinished.stat().st_mtime > STALE_SECONDS:
                unfinished.unlink()
    # Never taken for a whole copy while it is written; another instance migrating at once writes its own.
    staged = target.with_name(f"{target.name}.{os.getpid()}.skrivs")
    online_copy(path, staged, key)
    earlier = sorted(folder.glob(f"{path.stem}-*-fore-*.sqlite"), reverse=True)  # the time sorts as text
    staged.replace(target)
    for old in [p for p in earlier if p.name.endswith(f"-{label}.sqlite")] + earlier[KEEP_BEFORE_UPGRADE - 1:]:
        if old != target:
            old.unlink(missing_ok=True)
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
    upgrade_to(engine, "heads")
    return backup


def upgrade_to(engine: Engine, revision: str) -> None:
    """Run the migrations up to `revision` in one transaction, DDL included (db.backend): a file is either at
    the old revision or at the new one, whenever the process is killed. No backup: see `upgrade`."""
    from alembic import command

    with writer(engine).begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
