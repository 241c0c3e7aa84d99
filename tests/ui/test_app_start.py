"""Starting the app: a first start creates a demo database; Qt's own texts are Swedish."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialogButtonBox

from ui import app as ui_app


def test_first_start_makes_a_demo_region(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(ui_app, "FIRST_START_DEMO", (40, 40))
    window = ui_app.open_main_window(tmp_path / "ny.sqlite")
    qtbot.addWidget(window)
    window.runner.wait()
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    assert "demodata" in window.windowTitle()
    assert "påhittade patienter" in window.statusBar().currentMessage()


def test_a_damaged_file_gives_a_message_not_a_crash(qtbot, tmp_path, monkeypatch):
    broken = tmp_path / "trasig.sqlite"
    broken.write_bytes(b"inte en databas" * 200)
    shown = []
    monkeypatch.setattr(ui_app.QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    assert ui_app.open_main_window(broken) is None
    assert shown and "skadad" in shown[0]


def test_qt_standard_buttons_are_swedish(qtbot):
    assert ui_app.install_swedish(QApplication.instance())
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Avbryt"
