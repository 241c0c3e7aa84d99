"""`lotsen db copy`: move a single user's database file to the team server, all or nothing.

Every table's rows go over with their ids (the foreign keys and the access log's chain name them), in one
transaction on the server; the sequences are then moved past the highest id, the worklist's read model is
rebuilt from the copied steps, and the access log's chain is verified on the server before the commit. A server
that already holds cases is refused: copying merges nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import worklist_read_model
from app.audit import chain
from app.database import REFERENCE_TABLES, open_file, server_error, upgrade_server
from app.errors import StorageError
from app.letters import archive
from app.location import Server
from app.paths import letters_folder
from db.backend import move_sequences, writer
from db.engine import make_server_engine
from db.models import Base
from db.preferences import CasePreferences  # noqa: F401 - imported so that its table is copied too

log = logging.getLogger(__name__)
BATCH = 5_000
REFERENCE = {model.__tablename__ for model in REFERENCE_TABLES}  # kept by `db upgrade`
DERIVED = {"worklist_entry", "worklist_day"}  # rebuilt on the server from the copied steps


@dataclass(frozen=True)
class Copied:
    rows: dict[str, int]
    log_rows: int
    letters: int = 0                        # sent letters' PDFs moved into the database (app.letters.archive)
    letters_missing: tuple[str, ...] = ()   # letters whose PDF was not in the letters folder


def copy_to_server(source: Path, server: Server, key: str | None = None) -> Copied:
    upgrade_server(server)
    database = open_file(source, key)  # brings an older file to this program's schema first, after a backup
    tables = [t for t in Base.metadata.sorted_tables if t.name not in REFERENCE | DERIVED]
    engine = make_server_engine(server.url)
    rows: dict[str, int] = {}
    try:
        with database.reading() as reading, writer(engine).begin() as target:
            source_conn = reading.connection()
            busy = [t.name for t in tables if target.scalar(select(func.count()).select_from(t))]
            if busy:
                raise StorageError(f"Databasen {server.name} har redan innehåll ({', '.join(busy[:4])}). "
                                   "Kopiera bara till en ny, tom databas.")
            for table in tables:
                rows[table.name] = _copy_table(source_conn, target, table)
            letters, missing = archive.copy_letters(source_conn, target, letters_folder(source.parent))
            move_sequences(target, tables)
            worklist_read_model.refresh(target)
            with Session(bind=target) as session:
                verification = chain.verify(session)
            if not verification.ok:
                raise StorageError("Loggen över åtkomst blev inte hel på servern; inget kopierades. "
                                   + verification.message())
    except DBAPIError as exc:
        raise server_error(server, exc) from exc
    finally:
        engine.dispose()
        database.close()
    log.info("Copied %s to %s: %s", source, server, rows)
    return Copied(rows, verification.checked, letters, tuple(missing))


def _copy_table(source, target, table: Table) -> int:
    count = 0
    result = source.execute(select(table).order_by(*table.primary_key.columns))
    while batch := result.fetchmany(BATCH):
        target.execute(insert(table), [row._asdict() for row in batch])
        count += len(batch)
    return count
