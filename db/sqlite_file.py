"""The database file itself (SQLite only): consistent online copies and integrity checks, plain or encrypted.

An encrypted file (SQLCipher) is opened with sqlcipher3 and its key; a plain file with the standard library's
sqlite3. Which one a file is shows in its first bytes: a plain SQLite file starts with SQLITE_MAGIC, an encrypted
one with random salt."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from types import ModuleType

SQLITE_MAGIC = b"SQLite format 3\x00"
RAW_KEY = re.compile(r"[0-9a-fA-F]{64}")
MIN_PAGE = 512  # SQLite's and SQLCipher's smallest page size: a whole database file is a multiple of it


def is_encrypted(path: Path) -> bool:
    """True when the file looks like an SQLCipher database: whole pages without the plain SQLite header.
    A damaged plain file with a whole number of pages looks the same; it fails to open with any key."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError:
        return False
    return size > 0 and size % MIN_PAGE == 0 and head != SQLITE_MAGIC


def sqlcipher() -> ModuleType:
    """The SQLCipher driver, imported only when an encrypted file is opened (the optional extra `encryption`)."""
    import sqlcipher3

    return sqlcipher3


def driver_errors() -> tuple[type[Exception], ...]:
    """The exception classes of the drivers that can be in use."""
    try:
        return sqlite3.Error, sqlcipher().Error
    except ImportError:
        return (sqlite3.Error,)


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def key_pragma_value(key: str) -> str:
    """A key of 64 hex digits (256 random bits, as app.encryption makes them) is used as SQLCipher's raw key: no
    key derivation, which would cost a third of a second on every new connection and adds nothing to a random
    key. Any other text is a passphrase, stretched by SQLCipher's PBKDF2."""
    return quoted(f"x'{key}'") if RAW_KEY.fullmatch(key) else quoted(key)


def unlock(connection, key: str) -> None:
    """The key must be the first statement on a new connection, before any read (or journal_mode, WAL …).
    SQLCipher's own log would print a failed key to stderr; the caller reports it in Swedish instead."""
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = {key_pragma_value(key)}")


def connect(path: Path, key: str | None = None, readonly: bool = False):
    """A connection to a plain file (sqlite3) or, given its key, to an encrypted one (sqlcipher3). A plain file
    is opened plainly even when a key is given: backups made before encryption stay readable."""
    encrypted = key is not None and (is_encrypted(path) or not path.exists() or path.stat().st_size == 0)
    module = sqlcipher() if encrypted else sqlite3
    target = f"{Path(path).resolve().as_uri()}?mode=ro" if readonly else str(path)
    connection = module.connect(target, uri=readonly)
    if encrypted:
        unlock(connection, key)
    return connection


def integrity_problems(path: Path, quick: bool = False, key: str | None = None) -> list[str]:
    """What SQLite's own check finds wrong with the file; [] when it is whole. A file that is not a database at all
    (or an encrypted one without its key) is a problem too. `quick` skips the index cross-checks (PRAGMA
    quick_check: much faster on a large file)."""
    try:
        connection = connect(path, key, readonly=True)
        try:
            rows = connection.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}").fetchall()
        finally:
            connection.close()
    except driver_errors() as exc:
        return [str(exc)]
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems


def header_problems(path: Path, key: str | None = None) -> list[str]:
    """A quick look at start-up, in milliseconds whatever the file's size: is it a database whose schema reads?
    The full check reads every page; it runs on the start-up backup's copy, beside the running app."""
    try:
        connection = connect(path, key, readonly=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except driver_errors() as exc:
        return [str(exc)]
    return []


def online_copy(source: Path, target: Path, key: str | None = None) -> None:
    """Copy with SQLite's backup API: consistent while others write, includes what is still in the WAL file.
    The copy of an encrypted file is encrypted with the same key (the pages are re-encrypted as they are
    written, the key being the same on both sides)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    key = key if key is not None and is_encrypted(source) else None
    src = connect(source, key)
    try:
        dst = connect(target, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def export_copy(source: Path, target: Path, source_key: str | None, target_key: str | None) -> None:
    """A new file holding the whole database, encrypted with `target_key` (None: plain) whatever the source is:
    SQLCipher's sqlcipher_export, the documented way to encrypt or decrypt (the backup API copies pages as they
    are). `target` must not exist yet."""
    if target.exists():
        raise FileExistsError(target)
    connection = sqlcipher().connect(str(source), isolation_level=None)
    try:
        if source_key is not None:
            unlock(connection, source_key)
        target_pragma = key_pragma_value(target_key) if target_key is not None else "''"
        connection.execute(f"ATTACH DATABASE {quoted(str(target))} AS target KEY {target_pragma}")
        connection.execute("BEGIN")  # one transaction: not one disk sync per table and index
        connection.execute("SELECT sqlcipher_export('target')")
        version = connection.execute("PRAGMA main.user_version").fetchone()[0]
        connection.execute(f"PRAGMA target.user_version = {int(version)}")
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE target")
    finally:
        connection.close()


def claim(path: Path, key: str | None = None) -> None:
    """Make sure no other program has the file open, and fold the WAL file into it: leaving WAL mode needs the
    only connection to the file. Raises the driver's OperationalError ("database is locked") when it is in use.
    (Connections of this same process are not seen: close them first.)"""
    connection = connect(path, key)
    try:
        connection.execute("PRAGMA busy_timeout = 0")
        connection.execute("PRAGMA journal_mode = DELETE").fetchone()
    finally:
        connection.close()


def row_counts(path: Path, key: str | None = None) -> dict[str, int]:
    """Rows per table: a check that a converted copy holds everything."""
    connection = connect(path, key, readonly=True)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        connection.close()


def remove_journal_files(path: Path) -> None:
    """The WAL and shared-memory files beside a database that is being replaced belong to the old file."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
