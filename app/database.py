"""Open a Lotsen database: create or migrate it (after a backup) and fill the reference tables."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app import encryption, reference
from app.errors import CorruptDatabase, StorageError, storage_error_from
from app.paths import backup_folder
from db import migrate
from db.engine import READ_ONLY, make_engine, make_session_factory
from db.models import Activity, Municipality, Region, Specialty
from db.sqlite_file import header_problems, is_encrypted

log = logging.getLogger(__name__)


@dataclass
class Database:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    wal: bool
    backup_before_migration: Path | None = None
    key: str | None = field(default=None, repr=False)  # an encrypted file's key (app.encryption)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back entirely on any error.

        It takes SQLite's write lock at once (BEGIN IMMEDIATE): two instances that both read a case and then
        write it are served one after the other, the second reading what the first wrote (its version counter
        then tells of the conflict). A deferred BEGIN would let both read, and the second writer would fail with
        "database is locked" however long it waited. Read-only work uses reading() and runs beside a writer."""
        with self._session("BEGIN IMMEDIATE") as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Read-only work (lists, counts, reports) in one consistent snapshot, beside writers (WAL), never
        waiting for them. Nothing is committed; a write in the block is a bug and fails (PRAGMA query_only).
        Not for reading a patient's data: that writes the access log (app.access), so it is a transaction()."""
        with self._session("BEGIN", read_only=True) as session:
            yield session

    @contextmanager
    def _session(self, begin: str, read_only: bool = False) -> Iterator[Session]:
        try:
            with self.sessions() as session:  # closing it rolls back whatever was not committed
                connection = session.connection()
                if connection.dialect.name == "sqlite":
                    if read_only:
                        connection.connection.info[READ_ONLY] = True  # db.engine turns it off at check-in
                        connection.exec_driver_sql("PRAGMA query_only = ON")
                    # pysqlite would begin only before the first INSERT/UPDATE/DELETE; an explicit BEGIN
                    # decides when the transaction and its lock start.
                    connection.exec_driver_sql(begin)
                yield session
                if not read_only:
                    session.commit()
        except (DBAPIError, StaleDataError) as exc:
            if read_only and "readonly" in str(exc):  # PRAGMA query_only: a bug, not a read-only file
                raise RuntimeError("Database.reading() is for reading only; write in a transaction()") from exc
            known = storage_error_from(exc)
            if known is None:
                raise
            log.warning("Storage error: %s", exc)
            raise known from exc

    def close(self) -> None:
        self.engine.dispose()


CORRUPT = "Databasfilen är skadad. Återställ den senaste säkerhetskopian."


def open_database(path: Path, key: str | None = None) -> Database:
    """Raises CorruptDatabase when the file cannot be read as a database, StorageError for other known problems.
    Damage deeper in the file is found by the start-up backup's integrity check (app.backup).
    An encrypted file needs its key: `key`, else one app.encryption finds; KeyNeeded when there is none,
    WrongKey when it does not open the file (ask the user, then call again with the key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = _key_for(path, key)
    if path.exists() and (problems := header_problems(path, key)):
        log.error("Integrity check of %s failed: %s", path, problems[:5])
        if key is not None:
            raise encryption.wrong_key(path)
        raise CorruptDatabase(CORRUPT, path)
    engine = make_engine(path, key)
    try:
        backup = None if migrate.is_at_head(engine) else _upgrade(engine, path, key)
    except DBAPIError as exc:
        engine.dispose()
        raise storage_error_from(exc) or StorageError(f"Databasen {path} kunde inte öppnas.") from exc
    database = Database(path, engine, make_session_factory(engine), engine.info["wal"], backup, key)
    with database.transaction() as session:
        _sync_reference(session)
    if key is not None:
        encryption.remember_while_running(path, key)  # for the backups and restores of this run
    return database


def _upgrade(engine: Engine, path: Path, key: str | None) -> Path | None:
    try:
        return migrate.upgrade(engine, path, backup_folder(path), key)
    except migrate.NewerDatabase as exc:
        engine.dispose()
        raise StorageError("Databasen har skapats av en nyare version av Lotsen. Installera den senaste "
                           "versionen av Lotsen eller kontakta IT.") from exc


def _key_for(path: Path, key: str | None) -> str | None:
    """The key to open `path` with: None for a plain (or new) file."""
    if not path.exists() or not is_encrypted(path):
        return None
    key = key if key is not None else encryption.find_key(path)
    if key is None:
        raise encryption.key_needed(path)
    try:
        from db.sqlite_file import sqlcipher

        sqlcipher()
    except ImportError as exc:
        raise StorageError("Databasen är krypterad, men den här installationen av Lotsen saknar stöd för "
                           "kryptering (paketet sqlcipher3). Kontakta IT.") from exc
    return key


def _sync_reference(session: Session) -> None:
    """Reference tables follow the shipped files; rows are only rewritten when the counts differ."""
    tables = [
        (Region, [{"code": r.code, "name": r.name} for r in reference.regions()]),
        (Municipality, [{"code": m.code, "name": m.name, "region_code": m.region_code}
                        for m in reference.municipalities()]),
        (Specialty, [{"code": s.code, "name": s.name, "bup": s.bup} for s in reference.specialties()]),
        (Activity, [{"code": a.code, "name": a.name, "mvo_code": a.mvo_code} for a in reference.activities()]),
    ]
    for model, rows in tables:
        if session.scalar(select(func.count()).select_from(model)) == len(rows):
            continue
        existing = set(session.scalars(select(model.code)))
        for row in rows:
            if row["code"] in existing:
                session.execute(model.__table__.update().where(model.code == row["code"]).values(**row))
            else:
                session.add(model(**row))
        session.flush()
