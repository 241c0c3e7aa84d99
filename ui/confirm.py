"""Ask before saving something that has consequences the user must know about (app raises ConfirmationNeeded)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import InputError
from app.offer_checks import ConfirmationNeeded


def ask(parent: QWidget | None, title: str, reasons: tuple[str, ...], question: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, "\n\n".join((*reasons, question)),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                      parent or QApplication.activeModalWidget())
    box.setObjectName("confirmBox")
    box.button(QMessageBox.StandardButton.Yes).setText("Ja, spara")
    box.button(QMessageBox.StandardButton.No).setText("Nej, ändra")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def confirm_offer(parent: QWidget | None, exc: ConfirmationNeeded) -> bool:
    """Why the offer needs a confirmation, and "Ja, spara"?"""
    return ask(parent, "Spara erbjudandet?", exc.reasons, "Vill du spara erbjudandet ändå?")


def offer_not_confirmed() -> InputError:
    """What the form shows after "Nej, ändra": it stays open with what was typed."""
    return InputError("Erbjudande", "inte sparat. Ändra tiden eller svarsdatumet, eller spara och bekräfta.")
