"""Printing what Lotsen prints (letters, follow-up reports): an A4 printer, the fonts the letters' PDFs embed, and
Qt's print preview, which draws the pages with the very routine that prints them and prints from the preview."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QToolBar, QWidget

from app.letters.fonts import font_files

_FAMILIES: list[str] = []
# The preview's own actions that would change the paper: the pages are laid out for A4 portrait.
_PAPER_ACTIONS = ("Portrait", "Landscape", "Page setup")


def print_font_family() -> str:
    """Load the letter fonts into Qt once, so the print looks like the PDF."""
    if not _FAMILIES:
        for path in font_files().values():
            QFontDatabase.addApplicationFont(str(path))
        _FAMILIES.append("DejaVu Sans")
    return _FAMILIES[0]


def make_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)  # layouts are measured from the paper's edge, as in the PDF
    return printer


def preview_dialog(parent: QWidget, printer: QPrinter, title: str, paint: Callable[[QPrinter], object], *,
                   name: str, printable: bool = True) -> QPrintPreviewDialog:
    """Qt's preview of `paint`'s pages on `printer` (kept alive by the caller: the dialog does not own it). Its
    Skriv ut prints those pages, unless not `printable` (e.g. letters not created yet)."""
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    dialog.paintRequested.connect(paint)
    hidden = {QCoreApplication.translate("QPrintPreviewDialog", text) for text in _PAPER_ACTIONS}
    if not printable:
        hidden.add(QCoreApplication.translate("QPrintPreviewDialog", "Print"))
    for toolbar in dialog.findChildren(QToolBar):
        for action in toolbar.actions():
            if action.text() in hidden:
                action.setVisible(False)
    screen = (parent.screen() if parent is not None else QGuiApplication.primaryScreen()).availableGeometry()
    dialog.resize(min(1000, screen.width() - 40), min(820, screen.height() - 40))  # fits 1366×768
    return dialog


def show_preview(parent: QWidget, printer: QPrinter, title: str, paint: Callable[[QPrinter], object], *,
                 name: str, printable: bool = True) -> bool:
    """Open the preview modally; True when the pages were printed from it."""
    dialog = preview_dialog(parent, printer, title, paint, name=name, printable=printable)
    return dialog.exec() == QDialog.DialogCode.Accepted
