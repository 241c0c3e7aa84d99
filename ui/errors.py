"""Tell the user what went wrong and what to do; never a traceback. Unknown errors are logged in full."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import InputError, StorageError

log = logging.getLogger(__name__)


def user_message(exc: BaseException) -> tuple[str, str]:
    """(title, text) for an error, in Swedish."""
    if isinstance(exc, InputError):
        return "Kontrollera uppgifterna", f"{exc.field}: {exc.message}"
    if isinstance(exc, StorageError):
        return "Det gick inte att spara", exc.message
    log.error("Unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return ("Ett oväntat fel inträffade",
            "Något gick fel i Lotsen. Det du redan har sparat finns kvar. Försök igen; om felet kommer tillbaka, "
            "kontakta IT-supporten och bifoga loggfilen (se Hjälp → Om Lotsen).")


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    title, text = user_message(exc)
    box = QMessageBox(QMessageBox.Icon.Warning if isinstance(exc, InputError) else QMessageBox.Icon.Critical,
                      title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.exec()
