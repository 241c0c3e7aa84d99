"""Start the desktop app: open (or create) the database, sign in, show the main window."""

from __future__ import annotations

import gc
import logging
import sys
from datetime import date
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QMessageBox, QProgressDialog

from app import backup, demo
from app.audit.anchors import anchor_if_due
from app.context import sign_in
from app.database import Database, PasswordNeeded, open_database
from app.encryption import KeyNeeded, WrongKey
from app.errors import CorruptDatabase, InputError, LoginRefused, StorageError
from app.location import Location, Server
from app.paths import backup_folder
from app.settings import DEMO, get_setting, set_setting
from ui.errors import user_message
from ui.key_dialog import ask_for_key
from ui.main_window import MainWindow
from ui.restore_dialog import RestoreDialog
from ui.worker import app_runner, lane

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
    qt_app.setWindowIcon(QIcon(str(files("resources") / "icons" / "lotsen.png")))
    install_swedish(qt_app)
    sys.excepthook = _report_unexpected
    window = open_main_window(db_path)
    if window is None:
        return 1
    on_file = window.ctx.db.server is None  # on the server, IT's own tools keep the backups
    if on_file:
        _backup_in_background(window)
        daily = QTimer(window)  # the daily backup, for an app left open overnight
        daily.timeout.connect(lambda: _backup_in_background(window, daily=True))
        daily.start(60 * 60 * 1000)
    _finish_rule_change(window)
    window.listen_for_changes()
    window.show()
    QTimer.singleShot(0, window.offer_first_start_guide)
    # What start-up built lives as long as the app: keep it out of the collector's full passes (~40 ms each).
    gc.freeze()
    code = qt_app.exec()
    if not on_file:
        window.deleteLater()
        qt_app.processEvents()
        return code
    saving = QProgressDialog("Lotsen sparar en säkerhetskopia innan programmet stängs …", "", 0, 0)
    saving.setCancelButton(None)
    saving.setWindowTitle("Lotsen")
    saving.show()
    qt_app.processEvents()
    try:
        backup.backup_now(window.ctx.db, "slut", window.ctx)
    except StorageError as exc:
        QMessageBox.warning(None, "Lotsen", exc.message)
    saving.close()
    window.deleteLater()  # widgets go before the application object, not at interpreter exit
    qt_app.processEvents()
    return code


def open_main_window(db_path: Location) -> MainWindow | None:
    first_start = isinstance(db_path, Path) and not db_path.exists()
    try:
        db = _open_or_restore(db_path)
        if db is None:
            return None
        if first_start:
            demo.generate(db, *FIRST_START_DEMO, today=date.today())
            set_setting(db, DEMO, True)
        ctx = sign_in(db)
        app_runner(ctx)  # the application's one runner for every window's reads and saves (ui.worker)
        anchor_if_due(db)  # the access log's head, outside the database, at least daily
    except (StorageError, InputError) as exc:  # the field first, as every form says it: "Inloggning: din …"
        QMessageBox.critical(None, "Lotsen", user_message(exc)[1])
        return None
    if db.engine.info.get("wal") is False:
        QMessageBox.warning(None, "Lotsen", "Databasen ligger på en nätverksenhet. Lotsen fungerar där, men "
                            "långsammare, och om nätverket bryts mitt i en ändring kan den gå förlorad. Flytta "
                            "databasen till den här datorn om det går, eller kontakta IT.")
    return MainWindow(ctx, demo=bool(get_setting(db, DEMO, False)))  # its size: as the user left it (ui.remembered)


def _open_or_restore(db_path: Location) -> Database | None:
    """Open the database; if it is damaged, offer the latest good backup instead of failing. The server may ask
    for the user's password."""
    if isinstance(db_path, Server):
        return _open_server(db_path)
    try:
        return open_database(db_path)
    except KeyNeeded as exc:  # an encrypted database whose key this computer does not keep
        return ask_for_key(db_path, None, exc.message if isinstance(exc, WrongKey) else "")
    except CorruptDatabase as exc:
        if backup.latest_good_backup(db_path) is None:
            raise CorruptDatabase(f"{exc.message} Det finns ingen hel säkerhetskopia i "
                                  f"{backup_folder(db_path)}; kontakta IT.", db_path) from exc
        dialog = RestoreDialog(db_path, f"{exc.message} Lotsen har hittat säkerhetskopior att återställa.")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return open_database(db_path)


def _open_server(server: Server) -> Database | None:
    reason = ""
    while True:
        try:
            return open_database(server)
        except (PasswordNeeded, LoginRefused) as exc:
            reason = "" if isinstance(exc, PasswordNeeded) else exc.message + "\n\n"
        password, ok = QInputDialog.getText(None, "Lotsen", f"{reason}Lösenord för {server.url.username or 'dig'} "
                                            f"till {server.name}:", QLineEdit.EchoMode.Password)
        if not ok:
            return None
        server = server.with_password(password)


def _backup_in_background(window: MainWindow, daily: bool = False) -> None:
    """Start and daily backups run beside the UI (SQLite's backup API copies consistently while we write). At
    start the live file is checked first; damage found there is told at once, with the newest whole backup
    offered in the same dialog."""
    db = window.ctx.db

    def failed(exc: BaseException) -> None:
        log.warning("Automatic backup failed: %s", exc)
        if isinstance(exc, CorruptDatabase):
            if not window.restore_backup("Kontrollen vid start hittade fel i databasfilen: den är skadad. Lotsen har "
                                         "stängt den, så att inget mer skrivs i den."):
                QMessageBox.warning(window, "Lotsen", "Databasen är skadad och har inte återställts, så Lotsen "
                                    "avslutas. Kontakta IT; säkerhetskopiorna finns kvar i mappen "
                                    f"{backup_folder(db.path)}.")
                window.close()
            return
        text = exc.message if isinstance(exc, StorageError) else "Den automatiska säkerhetskopian misslyckades."
        QMessageBox.warning(window, "Säkerhetskopia", f"{text}\n\nOm databasen är skadad: välj Ärenden → "
                                                      "Återställ säkerhetskopia. Kontakta annars IT.")

    if not hasattr(window, "backup_runner"):
        window.backup_runner = lane(window.ctx, window)  # a lane of its own: a long copy must not hold up the list
    ctx = window.ctx
    job = ((lambda: backup.backup_if_due(db, by=ctx)) if daily
           else (lambda: backup.check_and_back_up_at_start(db, ctx)))
    window.backup_runner.query(job, lambda _b: None, failed)  # a copy: no case changes


def _finish_rule_change(window: MainWindow) -> None:
    """A change of thresholds whose refresh of the open steps was cut short is finished now (app.rule_settings)."""
    from app.rule_settings import refresh_pending

    if refresh_pending(window.ctx):
        from ui.rules_tab import finish_in_background

        finish_in_background(window)


def _report_unexpected(kind, value, traceback) -> None:
    log.error("Unexpected error", exc_info=(kind, value, traceback))
    title, text = user_message(value)
    QMessageBox.critical(None, title, text)
