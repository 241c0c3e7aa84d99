"""Open a Lotsen database: create or migrate it (after a backup) and fill the reference tables."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app import encryption, reference
from app.errors import (
    CORRUPT_MESSAGE,
    READ_ONLY_MESSAGE,
    ConnectionLost,
    CorruptDatabase,
    LoginRefused,
    StorageError,
    storage_error_from,
)
from app.location import Location, Server
from app.paths import backup_folder
from db import migrate
from db.backend import Failure, failure, file_only, reader, writer
from db.engine import READ_ONLY, make_engine, make_server_engine, make_session_factory
from db.models import Activity, Municipality, Region, Specialty
from db.sqlite_file import header_problems, is_encrypted

log = logging.getLogger(__name__)


@dataclass
class Database:
    path: Path | None  # the file; None on the team server
    engine: Engine
    sessions: sessionmaker[Session]  # transactions begun DEFERRED (reading); writes use writer_sessions
    wal: bool
    backup_before_migration: Path | None = None
    key: str | None = field(default=None, repr=False)  # an encrypted file's key (app.encryption)
    server: Server | None = None

    @property
    def name(self) -> str:
        """The database as the user knows it: its file, or the database on the server."""
        return str(self.path) if self.server is None else self.server.name

    @property
    def folder(self) -> Path:
        """Where this user's own files for this database go (the log, letters to print): beside the file, or
        the user's folder for the server."""
        return self.path.parent if self.server is None else self.server.folder

    @property
    def file_only_off(self) -> str | None:
        """Why file backups, restore and encryption are off (on the server); None on a file."""
        return file_only(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back entirely on any error.

        It takes SQLite's write lock at once (BEGIN IMMEDIATE): two instances that both read a case and then
        write it are served one after the other, the second reading what the first wrote (its version counter
        then tells of the conflict). A deferred BEGIN would let both read, and the second writer would fail with
        "database is locked" however long it waited. Read-only work uses reading() and runs beside a writer."""
        with self._session(self.writer_sessions) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Read-only work (lists, counts, reports) in one consistent snapshot, beside writers (WAL), never
        waiting for them. Nothing is committed; a write in the block is a bug and fails (PRAGMA query_only).
        Not for reading a patient's data: that writes the access log (app.access), so it is a transaction()."""
        with self._session(self.reader_sessions, read_only=True) as session:
            yield session

    @cached_property
    def writer_sessions(self) -> sessionmaker[Session]:
        """Sessions whose transaction takes the write lock as it begins (db.backend)."""
        return make_session_factory(writer(self.engine))

    @cached_property
    def reader_sessions(self) -> sessionmaker[Session]:
        """Sessions that read one snapshot and may not write (db.backend)."""
        return make_session_factory(reader(self.engine))

    @contextmanager
    def _session(self, sessions: sessionmaker[Session], read_only: bool = False) -> Iterator[Session]:
        committing = False
        try:
            with sessions() as session:  # closing it rolls back whatever was not committed
                connection = session.connection()  # the transaction begins here (db.backend)
                if read_only and connection.dialect.name == "sqlite":
                    connection.connection.info[READ_ONLY] = True  # db.engine turns it off at check-in
                    connection.exec_driver_sql("PRAGMA query_only = ON")
                yield session
                if not read_only:
                    committing = True
                    session.commit()
        except (DBAPIError, StaleDataError) as exc:
            if read_only and failure(exc) is Failure.READ_ONLY:  # query_only, READ ONLY: a bug, not the file
                raise RuntimeError("Database.reading() is for reading only; write in a transaction()") from exc
            known = storage_error_from(exc)
            if known is None:
                raise
            log.warning("Storage error: %s", exc)
            if isinstance(known, ConnectionLost) and not read_only:
                # Before COMMIT the server rolls back what it got; during it, only a fresh look can tell.
                known = ConnectionLost(SAVE_CUT_OFF if committing else SAVE_NOT_MADE)
            raise known from exc

    def close(self) -> None:
        self.engine.dispose()


def open_database(location: Location, key: str | None = None) -> Database:
    """The database at a file path or on the team server (app.location)."""
    if isinstance(location, Server):
        return open_server(location)
    return open_file(location, key)


SAVE_NOT_MADE = ("Förbindelsen med databasservern bröts. Ändringen sparades inte; det du skrev finns kvar. "
                 "Försök igen om en stund, och kontakta IT om det inte går.")
SAVE_CUT_OFF = ("Förbindelsen med databasservern bröts just när ändringen sparades, så Lotsen vet inte om den kom "
                "fram. Öppna ärendet igen och se efter: saknas ändringen, gör den en gång till.")


class PasswordNeeded(StorageError):
    """The server asks for a password and none was given: ask the user, then call again with it."""


def open_server(server: Server) -> Database:
    """A client never changes the server's schema (`lotsen db upgrade` does, run by IT): a server at another
    revision than this program's is refused, naming both."""
    engine = make_server_engine(server.url)
    try:
        current = migrate.current_revisions(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise server_error(server, exc) from exc
    heads = migrate.head_revisions()
    if current != heads:
        engine.dispose()
        if not current:
            raise StorageError(f"Databasen {server.name} är inte förberedd för Lotsen. IT förbereder den med "
                               f"lotsen db upgrade --db {server}.")
        raise StorageError(f"Databasen {server.name} har version {', '.join(sorted(current))}, men den här "
                           f"Lotsen kräver version {', '.join(sorted(heads))}. "
                           + ("Installera den senaste versionen av Lotsen." if migrate.is_newer(current) else
                              f"IT uppgraderar databasen med lotsen db upgrade --db {server}."))
    return Database(None, engine, make_session_factory(engine), True, server=server)


def upgrade_server(server: Server) -> set[str]:
    """`lotsen db upgrade`: bring the server's schema to this program's revision, in one transaction (Alembic's
    transactional DDL), and its reference tables up to date. Run by IT as the schema's owner, never at a client's
    start. Returns the revisions it was at before."""
    engine = make_server_engine(server.url)
    try:
        before = migrate.current_revisions(engine)
        if migrate.is_newer(before):
            raise StorageError(f"Databasen {server.name} har version {', '.join(sorted(before))}, som är nyare än "
                               "den här Lotsen. Använd den senaste versionen av Lotsen.")
        migrate.upgrade_to(engine, "heads")
        with make_session_factory(writer(engine))() as session, session.begin():
            _sync_reference(session)
            from app import server_roles  # imports app.settings, which imports this module

            if server_roles.has_roles(session.connection()):  # new tables get their grants at once
                server_roles.init_roles(session.connection())
    except DBAPIError as exc:
        raise server_error(server, exc) from exc
    finally:
        engine.dispose()
    return before


def server_error(server: Server, exc: DBAPIError) -> StorageError:
    """What went wrong while connecting. libpq reports a refused connection as text without an SQLSTATE, so
    its well-known phrases are read here; everything else is classified by db.backend."""
    text = str(exc.orig)
    log.warning("Connecting to %s failed: %s", server, text)
    if "no password supplied" in text:
        return PasswordNeeded(f"Servern för {server.name} vill ha ditt lösenord.")
    if "is not permitted to log in" in text:  # a deactivated user (app.users.set_active)
        return LoginRefused(f"Din inloggning till {server.name} är avstängd: användaren är inaktiverad i Lotsen. "
                            "Kontakta den som är administratör för Lotsen.")
    if "password authentication failed" in text or "authentication failed" in text:
        return LoginRefused(f"Servern för {server.name} godtog inte din inloggning. Kontrollera lösenordet, eller "
                            "kontakta IT om du inte har fått behörighet till Lotsen.")
    if "SSL" in text or "certificate" in text:
        return StorageError(f"Den krypterade förbindelsen (TLS) till servern för {server.name} kunde inte "
                            f"upprättas. Kontakta IT. Serverns svar: {text.strip()}")
    known = storage_error_from(exc)
    if failure(exc) is Failure.NOT_ALLOWED:  # a login the server knows, without a Lotsen group (app.server_roles)
        return LoginRefused(f"Din inloggning {server.url.username or ''} har ingen behörighet till Lotsen på "
                            f"servern för {server.name}. Be IT ge dig behörighet till Lotsen.")
    if known is None or isinstance(known, ConnectionLost):
        return ConnectionLost(f"Servern för {server.name} kunde inte nås. Kontrollera nätverket och försök igen; "
                              "kontakta IT om det inte går.")
    return known


def open_file(path: Path, key: str | None = None) -> Database:
    """Raises CorruptDatabase when the file cannot be read as a database (or brought to the current schema),
    StorageError for other known problems: a read-only location is told as such, before anything is read.
    Damage deeper in the file is found by app.backup's check beside the running app.
    An encrypted file needs its key: `key`, else one app.encryption finds; KeyNeeded when there is none,
    WrongKey when it does not open the file (ask the user, then call again with the key)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Mappen {path.parent} kunde inte skapas ({exc.strerror}). Välj en annan plats "
                           "eller kontakta IT.") from exc
    _check_writable(path)
    key = _key_for(path, key)
    if path.exists() and (problems := header_problems(path, key)):
        log.error("Integrity check of %s failed: %s", path, problems[:5])
        if key is not None:
            raise encryption.wrong_key(path)
        raise CorruptDatabase(CORRUPT_MESSAGE, path)
    engine = make_engine(path, key)
    try:
        backup = None if migrate.is_at_head(engine) else _upgrade(engine, path, key)
    except DBAPIError as exc:
        engine.dispose()
        log.exception("Opening %s failed", path)
        known = storage_error_from(exc)
        if known is not None and not isinstance(known, CorruptDatabase):
            raise known from exc
        raise CorruptDatabase(f"Databasen {path.name} kunde inte öppnas eller uppgraderas. Återställ den senaste "
                              "hela säkerhetskopian.", path) from exc
    database = Database(path, engine, make_session_factory(engine), engine.info["wal"], backup, key)
    with database.transaction() as session:
        _sync_reference(session)
    if key is not None:
        encryption.remember_while_running(path, key)  # for the backups and restores of this run
    return database


def _check_writable(path: Path) -> None:
    """SQLite needs to write the file and, for its journal, the folder. Without this check a read-only place
    shows up later as "cannot open" and looks like damage."""
    for place in (path, path.parent):
        if place.exists() and not os.access(place, os.W_OK):
            raise StorageError(f"{READ_ONLY_MESSAGE} ({place})")


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


# The tables that follow the files shipped in resources/reference/ (app.reference), with their rows. A server
# gets them from `lotsen db upgrade`, never from a copied file (app.server_copy).
REFERENCE_TABLES: dict[type, Callable[[], list[dict]]] = {
    Region: lambda: [{"code": r.code, "name": r.name} for r in reference.regions()],
    Municipality: lambda: [{"code": m.code, "name": m.name, "region_code": m.region_code}
                           for m in reference.municipalities()],
    Specialty: lambda: [{"code": s.code, "name": s.name, "bup": s.bup} for s in reference.specialties()],
    Activity: lambda: [{"code": a.code, "name": a.name, "mvo_code": a.mvo_code} for a in reference.activities()],
}


def _sync_reference(session: Session) -> None:
    """Reference tables follow the shipped files; rows are only rewritten when the counts differ."""
    for model, rows_of in REFERENCE_TABLES.items():
        rows = rows_of()
        if session.scalar(select(func.count()).select_from(model)) == len(rows):
            continue
        existing = set(session.scalars(select(model.code)))
        for row in rows:
            if row["code"] in existing:
                session.execute(model.__table__.update().where(model.code == row["code"]).values(**row))
            else:
                session.add(model(**row))
        session.flush()
