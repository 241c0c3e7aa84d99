"""Driving modal dialogs from tests: a timer acts on the dialog once it is open; waiting for a window's work,
which runs off the UI thread (ui.worker)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QTimer
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QToolBar,
)

from ui.dates import DateField
from ui.forms import FormDialog


def wait_for(done: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the event loop run until `done()` (inside a modal dialog too, where qtbot cannot wait)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out waiting for the background work"
        QApplication.processEvents()
        time.sleep(0.005)


def settled(window):
    """The window's reads and saves done and shown (a case window: its case read); returns the window."""
    wait_for(lambda: getattr(window, "view", True) is not None and window.runner.idle)
    return window


def when_modal(action: Callable[[object], None], attempts: int = 50, kind: type | None = None) -> None:
    """Run `action(dialog)` on the next modal widget that opens (of `kind`, when given)."""
    def check(left: int = attempts) -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None and (kind is None or isinstance(widget, kind)):
            action(widget)
        elif left:
            QTimer.singleShot(20, lambda: check(left - 1))
    QTimer.singleShot(0, check)


def print_action(preview) -> QAction:
    """A print preview's own Skriv ut (Qt's action, in the application's language)."""
    text = QCoreApplication.translate("QPrintPreviewDialog", "Print")
    return next(a for bar in preview.findChildren(QToolBar) for a in bar.actions() if a.text() == text)


def print_from_preview(seen: list, shot_name: str, folder: Path) -> None:
    """When the next print preview opens: record its title and page count, keep its picture (tests.ui.shots),
    press its Skriv ut and then OK in Qt's print dialog (recorded as True when that dialog opened)."""
    from tests.ui.shots import shot

    def act(preview) -> None:
        widget = preview.findChild(QPrintPreviewWidget)
        widget.updatePreview()
        seen.extend([preview.windowTitle(), widget.pageCount()])
        shot(preview, shot_name, folder)
        when_modal(lambda box: (seen.append(isinstance(box, QPrintDialog)), box.accept()))
        print_action(preview).trigger()
    when_modal(act)


def print_to_pdf(monkeypatch, module, target: Path) -> None:
    """`module`'s printer (make_printer) writes a PDF file to `target` instead of using a printer."""
    real_printer = module.make_printer

    def pdf_printer() -> QPrinter:
        printer = real_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return printer

    monkeypatch.setattr(module, "make_printer", pdf_printer)


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
        wait_for(lambda: not dialog.saving)
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


def main_window(qtbot, ctx, rows: int):
    """The main window at 1366×768, once its worklist shows `rows` rows and its summary has been read."""
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.runner.wait()
    qtbot.waitUntil(lambda: window.model.rowCount() == rows and bool(window.summary.buttons))
    return window
