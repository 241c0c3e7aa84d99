"""Driving modal dialogs from tests: a timer acts on the dialog once it is open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
)

from ui.dates import DateField
from ui.forms import FormDialog


def when_modal(action: Callable[[object], None], attempts: int = 50) -> None:
    """Run `action(dialog)` on the next modal widget that opens."""
    def check(left: int = attempts) -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None:
            action(widget)
        elif left:
            QTimer.singleShot(20, lambda: check(left - 1))
    QTimer.singleShot(0, check)


def fill(dialog: FormDialog, values: dict[str, object]) -> None:
    for name, value in values.items():
        widget = dialog.widgets[name]
        if isinstance(widget, DateField):
            widget.set_value(value if isinstance(value, date) else None)
        elif isinstance(widget, QDateEdit):
            widget.setDate(QDate(value.year, value.month, value.day) if isinstance(value, date) else widget.minimumDate())
        elif isinstance(widget, QComboBox):
            index = widget.findData(value)
            assert index >= 0, f"{name}: {value!r} not offered"
            widget.setCurrentIndex(index)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        elif isinstance(widget, QLineEdit):
            widget.clear()
            widget.insert(str(value))


def answer_confirmation(yes: bool = True, seen: list[str] | None = None, attempts: int = 50) -> None:
    """Answer the next confirmation box (ui.confirm.ask) if one opens within a second."""
    def check(left: int = attempts) -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, QMessageBox) and widget.objectName() == "confirmBox":
            if seen is not None:
                seen.append(widget.text())
            widget.button(QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No).click()
        elif left:
            QTimer.singleShot(20, lambda: check(left - 1))
    QTimer.singleShot(0, check)


def save_form(values: dict[str, object], then: Callable[[FormDialog], None] | None = None,
              confirm: bool = True) -> None:
    """Fill the next form and press Spara (and "Ja" if it asks for confirmation); `then(dialog)` runs right after
    (e.g. to read an error)."""
    def act(dialog: FormDialog) -> None:
        fill(dialog, values)
        if confirm:
            answer_confirmation()
        dialog.save()
        if then:
            then(dialog)
    when_modal(act)


def answer_message(seen: list[str]) -> None:
    """Record the text of the next message box and close it."""
    def act(box: QMessageBox) -> None:
        seen.append(box.text())
        box.accept()
    when_modal(act)



def close_and_settle(qtbot, window) -> None:
    """Close a main window (unless it is gone already); its runner done, and what its last results start, before
    the test's database goes."""
    import shiboken6

    if shiboken6.isValid(window):
        window.close()
    for _ in range(3):
        if not shiboken6.isValid(window):
            return
        window.runner.wait()
        qtbot.wait(10)
