"""Engine and session factory. SQLite: foreign keys on, WAL (not on a network path), a busy timeout, transactions
begun by db.backend (real transactions, DDL included); an encrypted file (SQLCipher) is unlocked with its key
before anything else on every connection. Each connection is counted in db.sqlite_file while it is open, so that
nothing in this process reads the live file with plain file I/O."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db import sqlite_file
from db.backend import install_begin
from db.sqlite_file import sqlcipher, unlock

BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10
READ_ONLY = "lotsen.read_only"  # a pooled connection's info flag: PRAGMA query_only is on
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "9p", "fuse.sshfs", "afs"}


def is_network_path(path: Path) -> bool:
    """True for UNC paths and mapped network drives (Windows) and network mounts (elsewhere):
    WAL needs shared memory that network file systems do not provide."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if sys.platform == "win32":
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0] + "\\"
        return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    resolved = str(path.resolve())
    best, best_type = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and resolved.startswith(parts[1]) and len(parts[1]) > len(best):
            best, best_type = parts[1], parts[2]
    return best_type in NETWORK_FILESYSTEMS


def make_engine(path: Path, key: str | None = None) -> Engine:
    """`key`: the file is encrypted; sqlcipher3 (same API as sqlite3) is the driver, so that SQLAlchemy wraps its
    errors as it does sqlite3's."""
    wal = not is_network_path(path)
    driver = {"module": sqlcipher()} if key is not None else {}
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **driver)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        sqlite_file.opened(path, dbapi_connection, key is not None)
        dbapi_connection.isolation_level = None  # no implicit BEGIN or COMMIT from the driver: see db.backend
        cursor = dbapi_connection.cursor()
        if key is not None:
            unlock(cursor, key)
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA journal_mode = {'WAL' if wal else 'DELETE'}")
        cursor.execute(f"PRAGMA synchronous = {'NORMAL' if wal else 'FULL'}")
        cursor.close()

    @event.listens_for(engine, "close")
    @event.listens_for(engine, "close_detached")
    def _closed(dbapi_connection, *_record):
        sqlite_file.closed(path, dbapi_connection)

    install_begin(engine)

    @event.listens_for(engine, "checkin")
    def _writable_again(dbapi_connection, record):
        if record is not None and record.info.pop(READ_ONLY, False):  # set by app.database's reading()
            dbapi_connection.execute("PRAGMA query_only = OFF")

    engine.info = {"wal": wal, "encrypted": key is not None}  # type: ignore[attr-defined]
    return engine


def make_server_engine(url: URL) -> Engine:
    """A PostgreSQL server (psycopg 3). A few pooled connections per client; each is checked before use, so a
    connection the server or the network dropped overnight is replaced instead of failing the first save.

    JIT compilation is off for Lotsen's sessions: the reports' queries are costed high enough to trigger it, and
    compiling them took longer than running them (1.8 s of a 2.5 s query at full scale)."""
    engine = create_engine(url, pool_size=2, max_overflow=6, pool_pre_ping=True, pool_recycle=3600,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "Lotsen",
                                         "options": "-c jit=off"})
    install_begin(engine)
    engine.info = {"wal": True, "encrypted": False}  # type: ignore[attr-defined]
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
