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
from app.paths import log_file
from app.settings import DEMO, get_setting, set_setting
from ui.main_window import MainWindow

log = logging.getLogger(__name__)
FIRST_START_DEMO = (1_000, 4_000)  # open and closed cases generated when there is no database yet


def run_gui(db_path: Path) -> int:
    qt_app = QApplication.instance() or QApplication(sys.argv)
    qt_app.setApplicationName("Lotsen")
    QLocale.setDefault(QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden))
    translator = QTranslator(qt_app)
    if translator.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        qt_app.installTranslator(translator)
    sys.excepthook = _report_unexpected(db_path)
    window = open_main_window(db_path)
    if window is None:
        return 1
    window.show()
    return qt_app.exec()


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


def _report_unexpected(db_path: Path):
    def hook(kind, value, traceback) -> None:
        log.error("Unexpected error", exc_info=(kind, value, traceback))
        QMessageBox.critical(
            None, "Lotsen",
            "Ett oväntat fel inträffade. Det du redan har sparat finns kvar.\n\n"
            f"Felet har skrivits till loggfilen {log_file(db_path)}. Kontakta IT-supporten och bifoga den.",
        )
    return hook
