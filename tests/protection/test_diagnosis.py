"""The right diagnosis at start-up: a read-only place is told as read-only, a damaged header as damage (not as
an encrypted file), damage in the middle of the live file is found beside the running app and the newest whole
backup offered; a file that cannot be brought to the current schema offers the backup made before."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from app import backup, demo
from app.database import open_database
from app.encryption import KeyNeeded
from app.errors import CorruptDatabase, StorageError
from db import migrate
from tests.conftest import TODAY
from tests.protection.kill_loop import old_file
from ui import app as ui_app
from ui import worker as ui_worker
from ui.restore_dialog import RestoreDialog

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.file_only("the start-up checks of a file: read-only place, damaged header or pages, file "
                                   "backups offered")


@contextmanager
def read_only(*paths: Path):
    """Make the files and folders unwritable for this user: the immutable flag as root (who ignores modes),
    else the modes."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True).returncode:
            pytest.skip("chattr +i is not available here: cannot make a read-only place as root")
        undo = ["chattr", "-i", *map(str, paths)]
    else:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        undo = None
    try:
        yield
    finally:
        if undo:
            subprocess.run(undo, check=True)
        else:
            for path in paths:
                path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_place_is_told_as_read_only(ctx, db_path):
    ctx.db.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with read_only(db_path, db_path.parent):
        with pytest.raises(StorageError, match="skrivskyddad") as raised:
            open_database(db_path)
        assert not isinstance(raised.value, CorruptDatabase)
        run = subprocess.run([sys.executable, "-m", "ui.cli", "verify-log", "--db", str(db_path)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "skrivskyddad" in run.stderr and "Traceback" not in run.stderr + run.stdout


def test_a_damaged_header_is_told_as_damage_not_as_encryption(ctx, db_path):
    demo.generate(ctx.db, 30, 30, today=TODAY, workers=1)
    ctx.db.close()
    data = bytearray(db_path.read_bytes())
    data[:100] = bytes((i * 151 + 7) % 256 for i in range(100))
    db_path.write_bytes(data)
    with pytest.raises(CorruptDatabase) as raised:
        open_database(db_path)
    assert not isinstance(raised.value, KeyNeeded)


def test_damage_in_the_middle_of_the_live_file_is_found_and_gets_no_backup(ctx, db_path):
    demo.generate(ctx.db, 200, 200, today=TODAY, workers=1)
    good = backup.check_and_back_up_at_start(ctx.db)
    ctx.db.close()
    _damage_middle(db_path)
    db = open_database(db_path)  # the header reads: the app starts
    with pytest.raises(CorruptDatabase):
        backup.check_and_back_up_at_start(db)
    db.close()
    assert [b.path for b in backup.list_backups(db_path)] == [good.path]
    assert backup.latest_good_backup(db_path) == good


def test_the_app_offers_the_newest_whole_backup_when_the_live_file_is_damaged(qtbot, ctx, db_path, monkeypatch):
    demo.generate(ctx.db, 200, 200, today=TODAY, workers=1)
    good = backup.backup_now(ctx.db, "start")
    ctx.db.close()
    _damage_middle(db_path)
    offered, warned = [], []

    def answer(dialog: RestoreDialog) -> int:  # the user declines: Lotsen must not go on with the damaged file
        offered.append(dialog.backups.currentItem().text())
        return 0

    monkeypatch.setattr(RestoreDialog, "exec", answer)
    monkeypatch.setattr(ui_app.QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    # the window's own first reads (the worklist page's log rows) meet the damage too and say so
    errors: list[BaseException] = []
    monkeypatch.setattr(ui_worker, "show_error", lambda _parent, exc: errors.append(exc))
    window = ui_app.open_main_window(db_path)
    qtbot.addWidget(window)
    window.show()
    ui_app._backup_in_background(window)
    qtbot.waitUntil(lambda: bool(warned), timeout=30_000)
    assert offered == [f"{good.description} – hel"]
    assert "har inte återställts" in warned[0] and not window.isVisible()
    assert all(isinstance(exc, CorruptDatabase) for exc in errors)


def test_a_file_that_cannot_be_upgraded_offers_the_backup_made_before(tmp_path, monkeypatch):
    path = old_file(tmp_path / "lotsen.sqlite")

    def failing(engine, revision):
        raise OperationalError("ALTER TABLE …", {}, Exception("a migration failed half-way"))

    monkeypatch.setattr(migrate, "upgrade_to", failing)
    with pytest.raises(CorruptDatabase, match="kunde inte öppnas eller uppgraderas"):
        open_database(path)
    made = backup.list_backups(path)
    assert len(made) == 1 and made[0].label.startswith("fore-") and made[0].description.endswith("(före uppgradering)")
    assert backup.latest_good_backup(path) == made[0]


def _damage_middle(path: Path) -> None:
    """Noise over pages in the middle of the file, as a failing disk would leave them."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    for offset in range(middle, middle + 4096 * 8, 4096):
        data[offset + 8:offset + 4000] = bytes((i * 151 + 7) % 256 for i in range(3992))
    path.write_bytes(bytes(data))
