"""Encryption at rest (SQLCipher): turning it on and off for a database file, and where the keys are kept.

Keys are never in the database's settings, never in a file beside the database. In order:
1. the key entered or used while this program runs (held in memory only, for backups and restores);
2. the environment variable LOTSEN_DB_KEY, for scheduled command-line runs (set by the task's account);
3. the operating system's credential store (Windows Credential Manager) through `keyring`, service "Lotsen",
   one entry per database file (its full path), written when the user ticks "Kom ihåg på den här datorn".
A lost key cannot be recovered: the data is gone. The region keeps a copy in its key escrow (docs/encryption.md)."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import StorageError
from app.paths import backup_folder
from db.sqlite_file import (
    claim,
    driver_errors,
    export_copy,
    integrity_problems,
    is_encrypted,
    remove_journal_files,
    row_counts,
)

log = logging.getLogger(__name__)

SERVICE = "Lotsen"
ENV_KEY = "LOTSEN_DB_KEY"
_in_memory: dict[str, str] = {}


class KeyNeeded(StorageError):
    """The database is encrypted and no key for it is known here: ask the user for it."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


class WrongKey(KeyNeeded):
    """The key given does not open the database (or the file is damaged: the two cannot be told apart)."""


def key_needed(path: Path) -> KeyNeeded:
    return KeyNeeded(f"Databasen {path.name} är krypterad och nyckeln finns inte sparad på den här datorn. Ange "
                     f"nyckeln (vid körning från kommandoraden i miljövariabeln {ENV_KEY}). Den som är "
                     "administratör för Lotsen vet var regionen förvarar den.", path)


def wrong_key(path: Path) -> WrongKey:
    return WrongKey(f"Nyckeln öppnar inte databasen {path.name}. Kontrollera att du har skrivit den rätt (stora "
                    "och små bokstäver räknas). Om nyckeln säkert är rätt kan filen vara skadad: återställ då den "
                    "senaste säkerhetskopian.", path)


def account(path: Path) -> str:
    """The credential store's user name for this database: its full path."""
    return str(Path(path).expanduser().resolve())


def new_key() -> str:
    """A random key for `lotsen encrypt` (256 bits, letters and digits only: easy to type from the escrow)."""
    return secrets.token_hex(32)


def find_key(path: Path) -> str | None:
    """The key for the database at `path` from memory, the environment or the credential store; None if unknown."""
    if (known := _in_memory.get(account(path))) is not None:
        return known
    if os.environ.get(ENV_KEY):
        return os.environ[ENV_KEY]
    try:
        import keyring

        return keyring.get_password(SERVICE, account(path))
    except Exception as exc:  # noqa: BLE001 - no store, a locked store, no backend: then the user is asked
        log.info("No key from the credential store: %s", exc)
        return None


def remember_while_running(path: Path, key: str) -> None:
    _in_memory[account(path)] = key


def forget_while_running(path: Path) -> None:
    _in_memory.pop(account(path), None)


def store_key(path: Path, key: str) -> None:
    """Save the key in the operating system's credential store (only on this computer, for this user)."""
    try:
        import keyring

        keyring.set_password(SERVICE, account(path), key)
    except Exception as exc:  # any backend's failure means the same to the user
        log.warning("Could not store the key: %s", exc)
        raise StorageError("Nyckeln kunde inte sparas i datorns lösenordsvalv (Autentiseringshanteraren). "
                           "Du får ange den nästa gång Lotsen startar.") from exc


def delete_stored_key(path: Path) -> bool:
    """Remove the key from the credential store; False when none was stored (or there is no store)."""
    try:
        import keyring

        keyring.delete_password(SERVICE, account(path))
    except Exception as exc:  # noqa: BLE001 - PasswordDeleteError (none stored) and backend errors alike
        log.info("No stored key removed: %s", exc)
        return False
    return True


# --- converting a database file ---

IN_USE = ("Databasen används just nu av Lotsen på den här eller en annan dator. Stäng Lotsen överallt där "
          "databasen är öppen och försök igen.")


@dataclass(frozen=True)
class Converted:
    path: Path
    kept: Path | None           # the file as it was, when asked for
    backups_converted: int      # older backups of the database converted too
    backups_left: tuple[Path, ...] = ()  # plain backups that could not be converted (damaged): remove them


def encrypt_database(path: Path, key: str, keep_plain: bool = False) -> Converted:
    """Encrypt a plain database with `key`: an encrypted copy is written, checked (integrity and every table's
    rows), then it replaces the file. Older backups are encrypted too, so that no plain copy of the patients'
    data is left, unless the administratör asks to keep the plain file (`keep_plain`): then it is kept in the
    backup folder and older backups are left as they are. Lotsen must be closed everywhere."""
    if not key:
        raise StorageError("Nyckeln får inte vara tom.")
    if is_encrypted(path):
        raise StorageError(f"Databasen {path.name} är redan krypterad.")
    kept = _convert(path, None, key, keep_as="okrypterad" if keep_plain else None)
    converted, left = ([], []) if keep_plain else _convert_backups(path, key)
    return Converted(path, kept, len(converted), tuple(left))


def decrypt_database(path: Path, key: str, by: str | None = None) -> Converted:
    """Turn encryption off: the database is written as a plain file, checked, then swapped in. The encrypted file
    is kept in the backup folder; older backups stay encrypted (keep the key as long as they are kept). Every
    patient's data now lies in a plain file: logged in it as an event of the user with the login `by`."""
    if not is_encrypted(path):
        raise StorageError(f"Databasen {path.name} är inte krypterad.")
    done = Converted(path, _convert(path, key, None, keep_as="krypterad"), 0)
    if by is not None:
        from app.access import log_file_event  # app.access opens databases, which needs this module

        log_file_event(path, by, f"kryptering avstängd; den krypterade filen sparades som {done.kept.name}")
    return done


def _convert(path: Path, old_key: str | None, new_key: str | None, keep_as: str | None) -> Path | None:
    if not path.exists():
        raise StorageError(f"Databasen {path} finns inte.")
    try:
        claim(path, old_key)
    except driver_errors() as exc:
        if "locked" in str(exc):
            raise StorageError(IN_USE) from exc
        if old_key is not None:
            raise wrong_key(path) from exc
        raise StorageError(f"Databasen {path.name} kunde inte öppnas: {exc}.") from exc
    if integrity_problems(path, key=old_key):
        raise StorageError(f"Databasen {path.name} klarar inte kontrollen och konverteras inte. Återställ "
                           "först den senaste hela säkerhetskopian.")
    staged = _export_checked(path, old_key, new_key)
    kept = None
    try:
        if keep_as:
            kept = backup_folder(path) / f"{path.stem}-{datetime.now():%Y%m%d-%H%M%S-%f}-{keep_as}.sqlite"
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, kept)
        remove_journal_files(path)
        os.replace(staged, path)  # atomic: the database is either the old file or the checked new one
    except OSError as exc:  # a full disk; on Windows, a file another program holds open
        staged.unlink(missing_ok=True)
        raise StorageError(f"Databasen kunde inte bytas ut ({exc}) och är oförändrad. Kontrollera att det finns "
                           "utrymme på disken och att Lotsen är stängt överallt.") from exc
    log.info("Converted %s (%s -> %s); old file kept as %s", path, "encrypted" if old_key else "plain",
             "encrypted" if new_key else "plain", kept)
    return kept


def _export_checked(path: Path, old_key: str | None, new_key: str | None) -> Path:
    """The converted copy beside `path`, checked: whole, encrypted as asked, with as many rows in every table."""
    staged = path.with_name(f"{path.name}.konverteras")
    staged.unlink(missing_ok=True)  # left over from an interrupted attempt
    try:
        export_copy(path, staged, old_key, new_key)
        whole = (not integrity_problems(staged, key=new_key) and is_encrypted(staged) == (new_key is not None)
                 and row_counts(staged, new_key) == row_counts(path, old_key))
    except driver_errors() as exc:
        staged.unlink(missing_ok=True)
        raise StorageError(f"Den konverterade kopian kunde inte skrivas: {exc}. Databasen är oförändrad.") from exc
    if not whole:
        staged.unlink(missing_ok=True)
        raise StorageError("Den konverterade kopian blev inte hel och togs bort. Databasen är oförändrad.")
    return staged


def _convert_backups(path: Path, key: str) -> tuple[list[Path], list[Path]]:
    """Encrypt the plain backups of the database in place, each checked before it replaces the plain one.
    Returns those converted and those that could not be (a damaged copy fails the check)."""
    folder = backup_folder(path)
    plain = [p for p in folder.glob(f"{path.stem}-*.sqlite") if not is_encrypted(p)] if folder.exists() else []
    converted, left = [], []
    for backup in plain:
        try:
            staged = _export_checked(backup, None, key)
            remove_journal_files(backup)
            os.replace(staged, backup)
            converted.append(backup)
        except StorageError:
            log.warning("Backup %s could not be encrypted", backup)
            left.append(backup)
    return converted, left
