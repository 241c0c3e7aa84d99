"""Disk full, a read-only file, a locked database: a clear Swedish message, and nothing already saved is lost."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, event

from app import cases
from app.audit.verify import verify_log
from app.database import Database, open_database
from app.errors import StorageError
from db import engine as db_engine
from db.engine import make_session_factory
from tests.protection.helpers import D, open_case


def _intact(db_path, ctx, case_id: int, contacts: int) -> None:
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db = open_database(db_path)
    ctx.db = db
    view = cases.view_case(ctx, case_id)
    assert len([e for e in view.timeline if e.kind == "contact"]) == contacts
    assert verify_log(db).ok
    db.close()


@pytest.mark.file_only("disk full is simulated on the file (PRAGMA max_page_count)")
def test_disk_full(ctx, db_path):
    opened = open_case(ctx)
    cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon")
    ctx.db.engine.dispose()

    @event.listens_for(ctx.db.engine, "connect")
    def _full(connection, _record):  # the file may not grow: SQLite reports a full disk
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StorageError, match="Disken är full.*inget av det som redan sparats har gått förlorat"):
        cases.add_note(ctx, opened.case_id, "lång anteckning " * 600)  # under the note limit, but more pages
    ctx.db.close()
    _intact(db_path, ctx, opened.case_id, contacts=1)


@pytest.mark.file_only("a read-only database file")
def test_read_only_file(ctx, db_path):
    opened = open_case(ctx)
    cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon")
    ctx.db.close()
    # Root ignores file permissions, so the file is opened as the operating system opens a read-only file.
    engine = create_engine(f"sqlite:///{db_path.resolve().as_uri()}?mode=ro&uri=true")
    ctx.db = Database(db_path, engine, make_session_factory(engine), wal=True)
    with pytest.raises(StorageError, match="Databasfilen är skrivskyddad"):
        cases.record_contact(ctx, opened.step_id, D("2026-10-06"), "brev")
    engine.dispose()
    _intact(db_path, ctx, opened.case_id, contacts=1)


@pytest.mark.file_only("SQLite's write lock held by another connection to the file")
def test_locked_database(ctx, db_path, monkeypatch):
    opened = open_case(ctx)
    ctx.db.close()
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 200)
    ctx.db = open_database(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="används av någon annan just nu"):
            cases.record_contact(ctx, opened.step_id, D("2026-10-06"), "brev")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    cases.record_contact(ctx, opened.step_id, D("2026-10-06"), "brev")  # once the lock is gone, it works
    ctx.db.close()
    _intact(db_path, ctx, opened.case_id, contacts=1)
