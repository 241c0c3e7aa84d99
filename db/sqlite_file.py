"""The database file itself (SQLite only): consistent online copies and integrity checks, plain or encrypted.

An encrypted file (SQLCipher) is opened with sqlcipher3 and its key; a plain file with the standard library's
sqlite3. Which one a file is shows in its first bytes: a plain SQLite file starts with SQLITE_MAGIC, an encrypted
one with random salt.

Never read a database file with plain file I/O while this process has a connection to it: on POSIX, closing
*any* descriptor of a file drops every fcntl lock the process holds on it, and the next process to close its
connection then believes it is the last one, checkpoints and deletes the WAL file under our feet (SQLite's "How
To Corrupt An SQLite Database File", 2.2). The same holds between the two SQLite libraries (sqlite3 and
sqlcipher3 each keep their own table of open files). So every connection this process opens is counted here
(`opened`/`closed`), and a file that has one is never sniffed again: what it is was recorded when it opened."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

SQLITE_MAGIC = b"SQLite format 3\x00"
RAW_KEY = re.compile(r"[0-9a-fA-F]{64}")
MIN_PAGE = 512  # SQLite's and SQLCipher's smallest page size: a whole database file is a multiple of it
SNIFF = 65_536  # bytes read to tell a damaged plain file from an encrypted one
# Encrypted pages are noise: about 96 byte values in 256 are zero or printable ASCII. A plain file's pages,
# even past a damaged header, are mostly zeros (free space, small integers) and text.
PLAIN_BYTES = bytes([0, *range(32, 127)])
NOISE_SHARE = 0.6

_live: dict[str, tuple[set[int], bool]] = {}  # file -> (this process's open connections, encrypted)
_live_lock = threading.Lock()


def _name(path: Path | str) -> str:
    return os.path.normcase(os.path.realpath(path))


def opened(path: Path | str, connection: object, encrypted: bool) -> None:
    """A connection of this process to `path` is open (db.engine's pool events, `connect` here)."""
    with _live_lock:
        _live.setdefault(_name(path), (set(), encrypted))[0].add(id(connection))


def closed(path: Path | str, connection: object) -> None:
    with _live_lock:
        name = _name(path)
        if name in _live:
            _live[name][0].discard(id(connection))
            if not _live[name][0]:
                del _live[name]


def is_live(path: Path | str) -> bool:
    """True while this process has a connection to the file (then it must not be touched with plain I/O)."""
    with _live_lock:
        return _name(path) in _live


def is_encrypted(path: Path) -> bool:
    """True when the file is an SQLCipher database. A file this process has open is not read again (see above).
    Otherwise its first bytes decide: the plain header, or a plain file's zeros past a damaged header, mean
    plain; whole pages of noise mean encrypted (a file overwritten with noise looks the same: the wrong-key
    message says so)."""
    with _live_lock:
        if (entry := _live.get(_name(path))) is not None:
            return entry[1]
    try:
        size = path.stat().st_size
        with open(path, "rb") as file:  # safe: no connection of this process has the file open
            head = file.read(SNIFF)
    except OSError:
        return False
    if size == 0 or size % MIN_PAGE or head.startswith(SQLITE_MAGIC):
        return False
    return len(head.translate(None, PLAIN_BYTES)) > (1 - NOISE_SHARE) * len(head)


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


@contextmanager
def connect(path: Path, key: str | None = None, readonly: bool = False) -> Iterator:
    """A connection to a plain file (sqlite3) or, given its key, to an encrypted one (sqlcipher3), closed when
    the block ends. A plain file is opened plainly even when a key is given: backups made before encryption stay
    readable."""
    encrypted = key is not None and (is_encrypted(path) or not path.exists() or path.stat().st_size == 0)
    module = sqlcipher() if encrypted else sqlite3
    target = f"{Path(path).resolve().as_uri()}?mode=ro" if readonly else str(path)
    connection = module.connect(target, uri=readonly)
    opened(path, connection, encrypted)
    try:
        if encrypted:
            unlock(connection, key)
        yield connection
    finally:
        connection.close()
        closed(path, connection)


def integrity_problems(path: Path, quick: bool = False, key: str | None = None) -> list[str]:
    """What SQLite's own check finds wrong with the file; [] when it is whole. A file that is not a database at all
    (or an encrypted one without its key) is a problem too. `quick` skips the index cross-checks (PRAGMA
    quick_check: much faster on a large file)."""
    try:
        with connect(path, key, readonly=True) as connection:
            rows = connection.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}").fetchall()
    except driver_errors() as exc:
        return [str(exc)]
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems


def header_problems(path: Path, key: str | None = None) -> list[str]:
    """A quick look at start-up, in milliseconds whatever the file's size: is it a database whose schema reads?
    Opened for writing, so that SQLite can roll back what a killed process left in its journal (a read-only
    connection cannot, and would take the file for unreadable). The full check reads every page; app.backup
    runs it beside the running app."""
    try:
        with connect(path, key) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except driver_errors() as exc:
        return [str(exc)]
    return []


def online_copy(source: Path, target: Path, key: str | None = None) -> None:
    """Copy with SQLite's backup API: consistent while others write, includes what is still in the WAL file.
    The copy of an encrypted file is encrypted with the same key (the pages are re-encrypted as they are
    written, the key being the same on both sides)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    key = key if key is not None and is_encrypted(source) else None
    with connect(source, key) as src, connect(target, key) as dst:
        src.backup(dst)


def export_copy(source: Path, target: Path, source_key: str | None, target_key: str | None) -> None:
    """A new file holding the whole database, encrypted with `target_key` (None: plain) whatever the source is:
    SQLCipher's sqlcipher_export, the documented way to encrypt or decrypt (the backup API copies pages as they
    are). `target` must not exist yet."""
    if target.exists():
        raise FileExistsError(target)
    _not_live(source)  # sqlcipher3 is another SQLite library: its close would drop sqlite3's locks
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
    Connections of this same process are not seen by SQLite, so they are refused here: close them first."""
    _not_live(path)
    with connect(path, key) as connection:
        connection.execute("PRAGMA busy_timeout = 0")
        connection.execute("PRAGMA journal_mode = DELETE").fetchone()


def _not_live(path: Path) -> None:
    if is_live(path):
        raise RuntimeError(f"{path} is still open in this process; close its database first")


def row_counts(path: Path, key: str | None = None) -> dict[str, int]:
    """Rows per table: a check that a converted copy holds everything."""
    with connect(path, key, readonly=True) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def remove_journal_files(path: Path) -> None:
    """The WAL and shared-memory files beside a database that is being replaced belong to the old file."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
