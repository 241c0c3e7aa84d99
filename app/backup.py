"""Backups of the database file: at start, at exit and daily, each checked after it is written, the oldest
removed beyond the number to keep (a setting); and restoring one, checked before it replaces the database.

Automatic backups are named <database>-<time>-<label>.sqlite in the backup folder beside the database; the
copies made before a migration (db.migrate) live there too and are never removed here."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.access import log_event, log_file_event
from app.context import AppContext
from app.database import Database
from app.encryption import find_key
from app.errors import CORRUPT_MESSAGE, CorruptDatabase, StorageError
from app.paths import backup_folder
from app.settings import get_setting
from db.sqlite_file import integrity_problems, is_encrypted, is_live, online_copy, remove_journal_files

log = logging.getLogger(__name__)

KEEP = ("backup.keep", 14)  # (setting key, default): automatic backups kept
LABELS = {"start": "vid start", "slut": "vid avslut", "daglig": "daglig"}  # the automatic ones
OTHER_LABELS = {"ersatt": "ersatt vid återställning"}


@dataclass(frozen=True)
class Backup:
    path: Path
    made: datetime  # local time, from the file name
    label: str

    @property
    def description(self) -> str:
        kind = (LABELS | OTHER_LABELS).get(self.label, "före uppgradering" if self.label.startswith("fore-") else self.label)
        return f"{self.made:%Y-%m-%d %H:%M:%S} ({kind})"


def _parse(db_path: Path, path: Path) -> Backup | None:
    rest = path.stem.removeprefix(f"{db_path.stem}-")
    if rest == path.stem:
        return None
    try:
        made = datetime.strptime(rest[:22], "%Y%m%d-%H%M%S-%f")
        label = rest[23:]
    except ValueError:
        try:  # db.migrate's names have whole seconds
            made, label = datetime.strptime(rest[:15], "%Y%m%d-%H%M%S"), rest[16:]
        except ValueError:
            return None
    return Backup(path, made, label)


def list_backups(db_path: Path) -> list[Backup]:
    """Every backup of this database, newest first."""
    folder = backup_folder(db_path)
    found = [_parse(db_path, p) for p in folder.glob(f"{db_path.stem}-*.sqlite")] if folder.exists() else []
    return sorted((b for b in found if b), key=lambda b: b.made, reverse=True)


def _key(path: Path, key: str | None, db_path: Path | None = None) -> str | None:
    """The key for an encrypted database or a backup of it (a backup has its database's key); None for a plain
    file."""
    return key if key is not None or not is_encrypted(path) else find_key(db_path or path)


def problems(path: Path, db_path: Path, key: str | None = None, quick: bool = False) -> list[str]:
    """The integrity check of a backup of `db_path` (or of the database itself), plain or encrypted."""
    return integrity_problems(path, quick, _key(path, key, db_path))


def make_backup(db_path: Path, label: str, keep: int | None = None, key: str | None = None) -> Backup:
    """An online copy, checked with PRAGMA integrity_check; a copy that fails the check is removed and reported.
    Then older automatic backups beyond `keep` are removed. An encrypted database's copy has the same key."""
    target = backup_folder(db_path) / f"{db_path.stem}-{datetime.now():%Y%m%d-%H%M%S-%f}-{label}.sqlite"
    key = _key(db_path, key)
    try:
        online_copy(db_path, target, key)
    except Exception as exc:  # sqlite3 or OS errors: the user gets the message, the database is untouched
        target.unlink(missing_ok=True)
        raise StorageError(f"Säkerhetskopian kunde inte skrivas till {target.parent}: {exc}. Kontrollera att "
                           "det finns utrymme på disken.") from exc
    found = integrity_problems(target, key=key)
    if found:
        target.unlink(missing_ok=True)
        raise StorageError("Säkerhetskopian klarade inte kontrollen och togs bort. Databasen kan vara skadad: "
                           f"{found[0]}")
    backup = _parse(db_path, target)
    if keep is not None:
        rotate(db_path, keep)
    log.info("Backup %s written and checked", target)
    return backup


def rotate(db_path: Path, keep: int) -> list[Path]:
    """Remove automatic backups beyond the newest `keep`. Returns what was removed."""
    automatic = [b for b in list_backups(db_path) if b.label in LABELS]
    removed = [b.path for b in automatic[max(keep, 1):]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def keep_setting(db: Database) -> int:
    value = get_setting(db, *KEEP)
    return value if isinstance(value, int) and value >= 1 else KEEP[1]


def backup_now(db: Database, label: str, by: AppContext | None = None) -> Backup:
    """The app's entry point: at start ("start"), at exit ("slut"). A copy of every patient's data: logged as an
    event of the user `by` (before the copy, so that the copy holds it too)."""
    if by is not None:
        with db.transaction() as session:
            log_event(session, by, f"säkerhetskopia ({LABELS.get(label, label)})")
    return make_backup(db.path, label, keep_setting(db), db.key)


def backup_if_due(db: Database, today: date | None = None, by: AppContext | None = None) -> Backup | None:
    """The daily backup: made when no automatic backup exists from today yet. Call it now and then (hourly)."""
    today = today or date.today()
    if any(b.made.date() == today and b.label in LABELS for b in list_backups(db.path)):
        return None
    return backup_now(db, "daglig", by)


def latest_good_backup(db_path: Path, key: str | None = None) -> Backup | None:
    """The newest backup that passes the integrity check (older ones are tried if the newest is damaged)."""
    return next((b for b in list_backups(db_path) if not problems(b.path, db_path, key)), None)


def restore(backup: Path, db_path: Path, key: str | None = None, by: str | None = None) -> Path | None:
    """Replace the database with a backup. The database must be closed (in this process: its files are copied
    with plain file I/O, see db.sqlite_file). The backup is checked first; the file it replaces is kept beside
    the backups (…-ersatt.sqlite) in case it is needed. Returns where that copy is. The restore is logged in the
    restored database as an event of the user with the login `by`."""
    if is_live(db_path):
        raise StorageError("Databasen används fortfarande av Lotsen. Stäng Lotsen, starta det igen och välj "
                           "Ärenden → Återställ säkerhetskopia direkt.")
    found = problems(backup, db_path, key)
    if found:
        raise StorageError(f"Säkerhetskopian {backup.name} är skadad och kan inte återställas: {found[0]}")
    staged = db_path.with_name(f"{db_path.name}.aterstalls")
    shutil.copyfile(backup, staged)
    if problems(staged, db_path, key):
        staged.unlink(missing_ok=True)
        raise StorageError("Kopian av säkerhetskopian blev inte hel. Kontrollera disken och försök igen.")
    replaced = None
    if db_path.exists():
        replaced = backup_folder(db_path) / f"{db_path.stem}-{datetime.now():%Y%m%d-%H%M%S-%f}-ersatt.sqlite"
        replaced.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db_path, replaced)
        for suffix in ("-wal", "-shm"):
            if Path(f"{db_path}{suffix}").exists():
                shutil.copyfile(f"{db_path}{suffix}", f"{replaced}{suffix}")
    remove_journal_files(db_path)
    os.replace(staged, db_path)  # atomic: the database is either the old file or the checked backup
    log.info("Restored %s from %s (replaced file kept as %s)", db_path, backup, replaced)
    if by is not None:
        try:
            log_file_event(db_path, by, f"återställd från säkerhetskopian {backup.name}"
                           + (f"; den ersatta filen sparades som {replaced.name}" if replaced else ""), key)
        except StorageError:  # the restore is done; the log says why its row is missing
            log.exception("The restore of %s from %s could not be written to its access log", db_path, backup)
    return replaced


def check_and_back_up_at_start(db: Database, by: AppContext | None = None) -> Backup:
    """Beside the running app, at start: the live file's own check (PRAGMA quick_check, through SQLite, which
    reads every page), then the start backup. A damaged file raises CorruptDatabase and gets no backup: its copy
    would push a good one out of the rotation."""
    found = integrity_problems(db.path, quick=True, key=db.key)
    if found:
        log.error("The live database %s failed its check: %s", db.path, found[:5])
        raise CorruptDatabase(CORRUPT_MESSAGE, db.path)
    return backup_now(db, "start", by)
