"""Backups: online, checked, rotated, daily; restore checks before it swaps; a corrupt file at start-up."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import select

from app import backup, cases
from app.database import open_database
from app.errors import CorruptDatabase, StorageError
from app.paths import backup_folder
from app.settings import set_setting
from db.models import CaseEvent
from tests.protection.helpers import D, open_case

pytestmark = pytest.mark.file_only("file backups (SQLite's online backup), their check, rotation and restore; on the "
                                   "server IT backs up with the server's own tools")


def _contacts(db_path) -> int:
    with sqlite3.connect(db_path) as raw:
        return raw.execute("SELECT count(*) FROM case_event WHERE kind = 'contact'").fetchone()[0]


def test_an_online_backup_holds_what_was_committed_and_passes_the_check(ctx, db_path):
    opened = open_case(ctx)
    cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon")  # still in the WAL file
    made = backup.backup_now(ctx.db, "start")
    assert made.path.parent == backup_folder(db_path) and made.label == "start"
    assert _contacts(made.path) == 1
    with sqlite3.connect(made.path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backups_are_rotated_keeping_the_number_set(ctx, db_path):
    set_setting(ctx.db, backup.KEEP[0], 3, ctx.user_id)
    made = [backup.backup_now(ctx.db, label) for label in ("start", "daglig", "slut", "start", "slut")]
    kept = backup.list_backups(db_path)
    assert [b.path for b in kept] == [b.path for b in reversed(made[2:])]
    assert kept[0].description.endswith("(vid avslut)")


def test_the_daily_backup_is_made_once_a_day(ctx, db_path):
    assert backup.backup_if_due(ctx.db, date.today()) is not None
    assert backup.backup_if_due(ctx.db, date.today()) is None
    assert len(backup.list_backups(db_path)) == 1


def test_a_backup_that_cannot_be_written_is_reported(ctx, db_path, monkeypatch):
    monkeypatch.setattr(backup, "online_copy", lambda *_: (_ for _ in ()).throw(OSError("No space left on device")))
    with pytest.raises(StorageError, match="Säkerhetskopian kunde inte skrivas"):
        backup.backup_now(ctx.db, "slut")
    assert backup.list_backups(db_path) == []


def _corrupt(path) -> None:
    """Overwrite pages in the middle of the file, as a failing disk would."""
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3, min(len(data), 4096 * 40), 4096):
        data[offset:offset + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))


def test_a_corrupt_database_is_refused_at_start_and_the_latest_good_backup_restored(ctx, db_path):
    opened = open_case(ctx)
    cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon")
    good = backup.backup_now(ctx.db, "slut")
    bad = backup.backup_now(ctx.db, "slut")
    _corrupt(bad.path)  # the newest backup is damaged too: the one before it is offered
    ctx.db.close()
    _corrupt(db_path)
    with pytest.raises(CorruptDatabase, match="skadad") as refused:
        open_database(db_path)
    assert refused.value.path == db_path
    assert backup.latest_good_backup(db_path).path == good.path
    replaced = backup.restore(good.path, db_path)
    assert replaced is not None and replaced.exists()
    db = open_database(db_path)
    ctx.db = db
    assert [e.kind for e in cases.view_case(ctx, opened.case_id).timeline] == ["start", "contact"]
    db.close()


def test_a_damaged_backup_is_never_restored(ctx, db_path):
    open_case(ctx)
    made = backup.backup_now(ctx.db, "slut")
    ctx.db.close()
    _corrupt(made.path)
    before = db_path.read_bytes()
    with pytest.raises(StorageError, match="är skadad och kan inte återställas"):
        backup.restore(made.path, db_path)
    assert db_path.read_bytes() == before


def test_restore_replaces_newer_data_with_the_backup(ctx, db_path):
    opened = open_case(ctx)
    made = backup.backup_now(ctx.db, "start")
    cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon")
    ctx.db.close()
    backup.restore(made.path, db_path)
    db = open_database(db_path)
    with db.transaction() as session:
        assert session.scalars(select(CaseEvent.kind)).all() == ["start"]
    db.close()
