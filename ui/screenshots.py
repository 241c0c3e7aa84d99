"""Render the main window, the summary, a case and the main dialogs to PNG files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from app.context import sign_in
from app.database import open_database
from app.settings import DEMO, get_setting
from ui.case_window import CaseWindow
from ui.main_window import MainWindow
from ui.new_case_dialog import NewCaseDialog
from ui.settings_dialog import SettingsDialog


def _grab(widget: QWidget, size: tuple[int, int], path: Path) -> Path:
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def render_all(db_path: Path, out: Path, sizes: Iterable[tuple[int, int]]) -> list[Path]:
    app = QApplication.instance() or QApplication([])
    out.mkdir(parents=True, exist_ok=True)
    db = open_database(db_path)
    ctx = sign_in(db)
    window = MainWindow(ctx, demo=bool(get_setting(db, DEMO, False)))
    written = []
    for width, height in sizes:
        window.resize(width, height)
        window.show()
        for _ in range(2):  # the worklist and summary, then what loads after the first paint (export reminder)
            window.runner.wait()
            app.processEvents()
            window.grab()
            app.processEvents()
        written.append(_grab(window, (width, height), out / f"main-{width}x{height}.png"))
        written.append(_grab(window.summary, (260, height // 2), out / f"summary-{width}x{height}.png"))
        if window.model.rowCount():
            case = CaseWindow(ctx, window.model.case_id(0), window)
            written.append(_grab(case, (min(width, 1200), min(height, 800)), out / f"case-{width}x{height}.png"))
            case.close()
    for name, dialog in (("new-case", NewCaseDialog(ctx, window)), ("settings", SettingsDialog(ctx, window))):
        written.append(_grab(dialog, (dialog.sizeHint().width(), dialog.sizeHint().height()), out / f"{name}.png"))
        dialog.close()
    window.close()
    db.close()
    return written
