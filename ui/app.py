"""Start the desktop app: open (or create) the database, sign in, show the main window."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app import demo
from app.context import sign_in
from app.database import open_database
from app.errors import StorageError
from app.settings import DEMO, get_setting, set_setting
from ui.errors import user_message
from ui.main_window import MainWindow

log = logging.getLogger(__name__)
FIRST_START_DEMO = (1_000, 4_000)  # open and closed cases generated when there is no database yet


def install_swedish(qt_app: QApplication) -> bool:
    """Swedish for Qt's own dialogs and buttons (file dialogs, message boxes, the print dialog)."""
    QLocale.setDefault(QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden))
    translator = QTranslator(qt_app)
    loaded = translator.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if loaded:
        qt_app.installTranslator(translator)
    return loaded


def run_gui(db_path: Path) -> int:
    qt_app = QApplication.instance() or QApplication(sys.argv)
    qt_app.setApplicationName("Lotsen")
    install_swedish(qt_app)
    sys.excepthook = _report_unexpected
    window = open_main_window(db_path)
    if window is None:
        return 1
    window.show()
    code = qt_app.exec()
    window.deleteLater()  # widgets go before the application object, not at interpreter exit
    qt_app.processEvents()
    return code


def open_main_window(db_path: Path) -> MainWindow | None:
    first_start = not db_path.exists()
    try:
        db = open_database(db_path)
        if first_start:
            demo.generate(db, *FIRST_START_DEMO, today=date.today())
            set_setting(db, DEMO, True)
        ctx = sign_in(db)
    except StorageError as exc:
        QMessageBox.critical(None, "Lotsen", exc.message)
        return None
    window = MainWindow(ctx, demo=bool(get_setting(db, DEMO, False)))
    window.resize(1366, 768)
    return window


def _report_unexpected(kind, value, traceback) -> None:
    log.error("Unexpected error", exc_info=(kind, value, traceback))
    title, text = user_message(value)
    QMessageBox.critical(None, title, text)
