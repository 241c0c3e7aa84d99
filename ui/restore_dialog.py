"""Restore the database from a backup: offered at start when the database is damaged (CorruptDatabase), and
openable from the menu (Arkiv → Återställ säkerhetskopia…) when the database is closed. Every backup is checked
before it replaces the database; the replaced file is kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app import backup
from app.context import os_login
from app.errors import StorageError
from app.paths import backup_folder


class RestoreDialog(QDialog):
    def __init__(self, db_path: Path, reason: str = "", parent: QWidget | None = None, key: str | None = None):
        """`key`: an encrypted database's key when app.encryption cannot find it itself."""
        super().__init__(parent)
        self.db_path = db_path
        self.key = key
        self.restored: Path | None = None
        self.setWindowTitle("Återställ säkerhetskopia")
        self.setMinimumSize(560, 380)
        layout = QVBoxLayout(self)
        intro = QLabel((reason + "\n\n" if reason else "") +
                       "Välj den säkerhetskopia som ska ersätta databasen. Den kontrolleras innan den används, "
                       "och den nuvarande databasfilen sparas i mappen för säkerhetskopior. Det som har sparats "
                       "efter kopian behöver registreras igen.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.backups = QListWidget()
        self.backups.setAccessibleName("Säkerhetskopior")
        good = backup.latest_good_backup(db_path, key)
        for made in backup.list_backups(db_path):
            whole = made == good or not backup.problems(made.path, db_path, key, quick=True)
            item = QListWidgetItem(f"{made.description} – {'hel' if whole else 'SKADAD, kan inte användas'}")
            item.setData(Qt.ItemDataRole.UserRole, str(made.path))
            if not whole:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.backups.addItem(item)
            if made == good:
                self.backups.setCurrentItem(item)
        if not self.backups.count():
            layout.addWidget(QLabel("Det finns inga säkerhetskopior i " + str(backup_folder(db_path)) + "."))
        layout.addWidget(self.backups, 1)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("Åte&rställ vald kopia", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(good is not None)
        buttons.addButton("&Avbryt", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.restore)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def restore(self) -> None:
        item = self.backups.currentItem()
        if item is None:
            return
        try:
            backup.restore(Path(item.data(Qt.ItemDataRole.UserRole)), self.db_path, self.key, by=os_login())
        except (StorageError, OSError) as exc:
            QMessageBox.critical(self, "Återställ säkerhetskopia", getattr(exc, "message", str(exc)))
            return
        self.restored = Path(item.data(Qt.ItemDataRole.UserRole))
        self.accept()
