"""Open a Lotsen database: create or migrate it (after a backup) and fill the reference tables."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app import reference
from app.errors import CorruptDatabase, StorageError, storage_error_from
from app.paths import backup_folder
from db import migrate
from db.engine import make_engine, make_session_factory
from db.models import Activity, Municipality, Region, Specialty
from db.sqlite_file import header_problems

log = logging.getLogger(__name__)


@dataclass
class Database:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    wal: bool
    backup_before_migration: Path | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back entirely on any error."""
        try:
            with self.sessions.begin() as session:
                yield session
        except (DBAPIError, StaleDataError) as exc:
            known = storage_error_from(exc)
            if known is None:
                raise
            log.warning("Storage error: %s", exc)
            raise known from exc

    def close(self) -> None:
        self.engine.dispose()


CORRUPT = "Databasfilen är skadad. Återställ den senaste säkerhetskopian."


def open_database(path: Path) -> Database:
    """Raises CorruptDatabase when the file cannot be read as a database, StorageError for other known problems.
    Damage deeper in the file is found by the start-up backup's integrity check (app.backup)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and (problems := header_problems(path)):
        log.error("Integrity check of %s failed: %s", path, problems[:5])
        raise CorruptDatabase(CORRUPT, path)
    engine = make_engine(path)
    try:
        backup = migrate.upgrade(engine, path, backup_folder(path))
    except DBAPIError as exc:
        engine.dispose()
        raise storage_error_from(exc) or StorageError(f"Databasen {path} kunde inte öppnas.") from exc
    except migrate.NewerDatabase as exc:
        engine.dispose()
        raise StorageError("Databasen har skapats av en nyare version av Lotsen. Installera den senaste "
                           "versionen av Lotsen eller kontakta IT.") from exc
    database = Database(path, engine, make_session_factory(engine), engine.info["wal"], backup)
    with database.transaction() as session:
        _sync_reference(session)
    return database


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
