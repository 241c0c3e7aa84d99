"""The restore dialog: lists backups, marks damaged ones, restores the chosen one after checking it; and a damaged
database at start-up opens it instead of failing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app import backup, cases
from tests.protection.helpers import open_case
from tests.protection.test_backup import _corrupt
from ui import app as ui_app
from ui.restore_dialog import RestoreDialog

pytestmark = pytest.mark.file_only("restoring a damaged file from a file backup; off on the server (IT's tools)")


def test_restore_a_damaged_database_from_the_dialog_at_start(qtbot, ctx, db_path, monkeypatch, tmp_path):
    opened = open_case(ctx)
    good = backup.backup_now(ctx.db, "start")
    bad = backup.backup_now(ctx.db, "slut")
    _corrupt(bad.path)
    ctx.db.close()
    _corrupt(db_path)

    dialog = RestoreDialog(db_path, "Databasfilen är skadad.")
    qtbot.addWidget(dialog)
    items = [dialog.backups.item(i) for i in range(dialog.backups.count())]
    assert [i.text().split(" – ")[1] for i in items] == ["SKADAD, kan inte användas", "hel"]
    assert not items[0].flags() & Qt.ItemFlag.ItemIsEnabled
    assert dialog.backups.currentItem() is items[1] and dialog.restore_button.isEnabled()
    dialog.show()
    dialog.grab().save(str(tmp_path.parent / "restore.png"))

    def click_restore(self) -> QDialog.DialogCode:
        qtbot.mouseClick(self.restore_button, Qt.MouseButton.LeftButton)
        return self.result()

    monkeypatch.setattr(RestoreDialog, "exec", click_restore)
    window = ui_app.open_main_window(db_path)
    qtbot.addWidget(window)
    window.runner.wait()
    assert cases.view_case(window.ctx, opened.case_id).patient_name == "Karin Berg"
    assert any(b.label == "ersatt" for b in backup.list_backups(db_path)) and good.path.exists()
    window.ctx.db.close()
