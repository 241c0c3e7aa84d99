"""The key dialog at start-up: a wrong key is told in place and never crashes; the right key opens the database
and can be remembered in the credential store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

pytest.importorskip("sqlcipher3")

from app import backup, encryption
from app.database import open_database
from tests.protection.helpers import open_case
from tests.ui.helpers import when_modal
from ui.key_dialog import KeyDialog, ask_for_key

KEY = encryption.new_key()
pytestmark = [pytest.mark.usefixtures("credential_store"),
              pytest.mark.file_only("the key of a SQLCipher-encrypted file")]


@pytest.fixture
def encrypted(ctx, db_path):
    opened = open_case(ctx)
    backup.backup_now(ctx.db, "start")
    ctx.db.close()
    encryption.encrypt_database(db_path, KEY)
    yield opened
    encryption.forget_while_running(db_path)


def test_a_wrong_key_is_told_in_place_then_the_right_one_opens_and_is_remembered(qtbot, db_path, encrypted,
                                                                                  credential_store, tmp_path):
    with pytest.raises(encryption.KeyNeeded):
        open_database(db_path)
    dialog = KeyDialog(db_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.key.echoMode() == QLineEdit.EchoMode.Password and not dialog.restore_button.isVisible()
    dialog.grab().save(str(tmp_path.parent / "key-dialog.png"))
    qtbot.keyClicks(dialog.key, "fel nyckel")
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert "Nyckeln öppnar inte databasen" in dialog.message.text()
    assert dialog.isVisible() and dialog.database is None and dialog.restore_button.isVisible()
    dialog.grab().save(str(tmp_path.parent / "key-dialog-wrong.png"))
    dialog.key.clear()
    qtbot.keyClicks(dialog.key, KEY)
    dialog.remember.setFocus()
    qtbot.keyClick(dialog.remember, Qt.Key.Key_Space)
    assert dialog.remember.isChecked()
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == KeyDialog.DialogCode.Accepted and dialog.database is not None
    dialog.database.close()
    assert list(credential_store.stored.values()) == [KEY]
    encryption.forget_while_running(db_path)
    open_database(db_path).close()  # the next start finds the key itself


def test_ask_for_key_returns_none_when_the_user_gives_up(qtbot, db_path, encrypted):
    when_modal(lambda dialog: dialog.reject())
    assert ask_for_key(db_path) is None


def test_ask_for_key_without_remembering_keeps_the_key_for_this_run_only(qtbot, db_path, encrypted,
                                                                         credential_store):
    def enter(dialog: KeyDialog) -> None:
        dialog.key.setText(KEY)
        dialog.open_button.click()

    when_modal(enter)
    db = ask_for_key(db_path)
    assert db is not None and db.key == KEY and credential_store.stored == {}
    made = backup.backup_now(db, "slut")  # backups of this run find the key in memory
    db.close()
    assert backup.latest_good_backup(db_path) == made


def test_the_app_asks_for_the_key_at_start_and_opens_the_encrypted_database(qtbot, db_path, encrypted):
    from ui import app as ui_app

    def type_key(dialog) -> None:
        dialog.key.setText(KEY)
        dialog.open_button.click()

    when_modal(type_key)
    window = ui_app.open_main_window(db_path)
    assert window is not None
    qtbot.addWidget(window)
    assert window.ctx.db.key == KEY
    window.ctx.db.close()


def test_the_app_starts_nothing_when_the_user_gives_up_on_the_key(qtbot, db_path, encrypted):
    from ui import app as ui_app

    when_modal(lambda dialog: dialog.reject())
    assert ui_app.open_main_window(db_path) is None
