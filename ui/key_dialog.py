"""Ask for an encrypted database's key when Lotsen does not find it (app.encryption), at start-up. Wrong keys are
told in place and asked again; the key can be remembered in the computer's credential store.

Use: db = ask_for_key(db_path, parent), where open_database raised KeyNeeded; None when the user gives up."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import encryption
from app.database import Database, open_database
from app.errors import StorageError


def ask_for_key(db_path: Path, parent: QWidget | None = None, reason: str = "") -> Database | None:
    dialog = KeyDialog(db_path, reason, parent)
    return dialog.database if dialog.exec() == QDialog.DialogCode.Accepted else None


class KeyDialog(QDialog):
    def __init__(self, db_path: Path, reason: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.database: Database | None = None
        self.setWindowTitle("Lotsen – krypterad databas")
        self.setObjectName("keyDialog")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(reason or f"Databasen {db_path.name} är krypterad. Skriv nyckeln för att öppna den. Den som "
                       "är administratör för Lotsen vet var regionen förvarar nyckeln.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        caption = QLabel("&Nyckel:")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("Databasens nyckel")
        caption.setBuddy(self.key)
        self.show_key = QCheckBox("&Visa")
        self.show_key.setAccessibleName("Visa nyckeln")
        self.show_key.toggled.connect(self._show_key)
        row.addWidget(caption)
        row.addWidget(self.key, 1)
        row.addWidget(self.show_key)
        layout.addLayout(row)
        self.remember = QCheckBox("&Kom ihåg på den här datorn")
        self.remember.setToolTip("Nyckeln sparas i Windows lösenordsvalv (Autentiseringshanteraren), bara för dig.")
        layout.addWidget(self.remember)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Meddelande")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton("&Öppna", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button = QPushButton("Åte&rställ säkerhetskopia…")
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.setVisible(False)  # offered once a key has failed: the file may be damaged
        buttons.addButton("&Avbryt", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_key)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore)
        layout.addWidget(buttons)

    def _show_key(self, shown: bool) -> None:
        self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def try_key(self) -> None:
        key = self.key.text().strip()
        if not key:
            self.message.setText("Skriv nyckeln först.")
            return
        try:
            self.database = open_database(self.db_path, key)
        except StorageError as exc:
            self.message.setText(exc.message)
            self.restore_button.setVisible(isinstance(exc, encryption.WrongKey))
            self.adjustSize()
            self.key.selectAll()
            self.key.setFocus()
            return
        if self.remember.isChecked():
            try:
                encryption.store_key(self.db_path, key)
            except StorageError as exc:  # the database is open all the same
                QMessageBox.warning(self, "Lotsen", exc.message)
        self.accept()

    def restore(self) -> None:
        """Restore a backup with the key typed: a damaged file cannot be told from a wrong key."""
        from ui.restore_dialog import RestoreDialog

        key = self.key.text().strip() or None
        dialog = RestoreDialog(self.db_path, "Om nyckeln är rätt kan databasfilen vara skadad.", self, key)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.try_key()
