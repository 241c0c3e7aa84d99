"""Patient letters for the steps selected in the worklist: choose a letter type, see how many get one, create
them (one archived PDF per letter, recorded on each case, and one combined PDF), then print.

Printing: Qt's print dialog and QPainter draw the very same laid-out pages as the PDF (app.letters.layout), with
the same embedded font files, so it needs nothing beyond PySide6-Essentials and works with any Windows printer
driver. The print preview draws them with the same routine (before creating: what will be written, not
printable; after: the batch, printable from the preview). "Öppna PDF" hands the combined PDF to the system's PDF
viewer as a second way to print.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from app import letters
from app.context import AppContext
from app.errors import InputError, StorageError
from app.letters import LABEL, LetterType, fonts
from app.letters.layout import PAGE_WIDTH, LaidOut, Picture, Rule, Text, lay_out
from app.letters.sender import sender_problem
from ui.errors import show_error
from ui.print_preview import make_printer, print_font_family, show_preview
from ui.worker import MANY, lane


def paint_letters(printer: QPrinter, layouts: list[LaidOut]) -> int:
    """Draw every page on the printer; returns the number of pages."""
    family = print_font_family()
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("skrivaren kunde inte startas")
    pages = 0
    try:
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        scale = paper.width() / PAGE_WIDTH
        font_factor = 72 / printer.logicalDpiY()  # point sizes, after the painter's scale
        for layout in layouts:
            for page in layout.pages:
                if pages:
                    printer.newPage()
                painter.save()
                painter.scale(scale, scale)
                _paint_page(painter, page, family, font_factor)
                painter.restore()
                pages += 1
    finally:
        painter.end()
    return pages


def _paint_page(painter: QPainter, ops, family: str, font_factor: float) -> None:
    painter.setPen(QPen(Qt.GlobalColor.black, 0.5))
    for op in ops:
        if isinstance(op, Text):
            font = QFont(family)
            font.setBold(op.bold)
            font.setPointSizeF(op.size * font_factor)
            font.setKerning(False)  # the PDF is not kerned either
            painter.setFont(font)
            # Printer drivers' font metrics differ by a few per cent; stretch each run to the width the layout
            # measured, so lines end where they end in the archived PDF and never cross the margin.
            drawn = QFontMetricsF(font, painter.device()).horizontalAdvance(op.text)
            wanted = fonts.width(op.text, op.bold, op.size)
            painter.save()
            painter.translate(op.x, op.y)
            if drawn > 0:
                painter.scale(wanted / drawn, 1)
            painter.drawText(QPointF(0, 0), op.text)
            painter.restore()
        elif isinstance(op, Rule):
            painter.drawLine(QPointF(op.x1, op.y), QPointF(op.x2, op.y))
        elif isinstance(op, Picture):
            painter.drawImage(QRectF(op.x, op.y, op.width, op.height), QImage(op.path))


class LettersDialog(QDialog):
    """A letter changes its case, so it is only written when the case is as the user saw it: as the case window
    showed it (`expected_versions`, case id -> CaseView.version) or else as read for the preview. When someone
    else saved the case in between, the case window's conflict message is shown and the preview read again."""

    def __init__(self, ctx: AppContext, step_ids: list[int], parent=None, *,
                 expected_versions: Mapping[int, int] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.step_ids = list(step_ids)
        self.expected_versions = dict(expected_versions or {})
        self.preview_versions: dict[int, int] = {}
        self.prepared: letters.Prepared | None = None
        self.result_: letters.BatchResult | None = None
        self.runner = lane(ctx, self)
        self.setWindowTitle("Patientbrev")
        self.setMinimumWidth(760)  # five buttons in a row, none cut

        self.kind = QComboBox()
        for letter_type in LetterType:
            self.kind.addItem(LABEL[letter_type], letter_type)
        self.kind.setAccessibleName("Brevtyp")
        self.kind.currentIndexChanged.connect(self.refresh_preview)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName("Antal brev")
        self.skipped = QListWidget()
        self.skipped.setAccessibleName("Steg som inte får brevet, med orsak")
        self.skipped.setMaximumHeight(120)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Resultat")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        type_label = QLabel("&Brevtyp:")
        type_label.setBuddy(self.kind)
        form.addRow(type_label, self.kind)

        self.create_button = QPushButton("&Skapa brev")
        self.create_button.setAccessibleName("Skapa brev")
        self.create_button.clicked.connect(self.create_letters)
        self.preview_button = QPushButton("&Förhandsgranska utskrift…")
        self.preview_button.setAccessibleName("Förhandsgranska breven som de skrivs ut")
        self.preview_button.setToolTip("Visa breven sida för sida innan de skapas, och skriv ut dem därifrån när "
                                       "de är skapade")
        self.preview_button.clicked.connect(self.preview_letters)
        self.print_button = QPushButton("Skriv &ut…")
        self.print_button.setAccessibleName("Skriv ut breven")
        self.print_button.clicked.connect(self.print_letters)
        self.open_button = QPushButton("Öppna &PDF för utskrift")
        self.open_button.setAccessibleName("Öppna PDF-filen för utskrift")
        self.open_button.clicked.connect(self.open_pdf)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Stän&g")
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Stäng")
        for button in (self.preview_button, self.create_button, self.print_button, self.open_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        self.sender_notice = QLabel(sender_problem(ctx.db) or "")
        self.sender_notice.setWordWrap(True)
        self.sender_notice.setObjectName("senderNotice")
        self.sender_notice.setStyleSheet("background: #fff4d6; border: 1px solid #c9a227; padding: 6px;")
        self.sender_notice.setVisible(bool(self.sender_notice.text()))
        layout.addWidget(self.sender_notice)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        self.skipped_label = QLabel("Får inte brevet:")
        layout.addWidget(self.skipped_label)
        layout.addWidget(self.skipped)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.refresh_preview()

    @property
    def letter_type(self) -> LetterType:
        return LetterType(self.kind.currentData())  # Qt hands the enum back as a plain str

    def refresh_preview(self) -> None:
        self.result_ = None
        self.status.clear()
        try:
            prepared = letters.prepare(self.ctx, self.letter_type, self.step_ids)
        except (InputError, StorageError) as exc:
            said = getattr(exc, "message", str(exc)) == self.sender_notice.text()  # no sender: the notice says it
            self.preview.setText("Inga brev kan skapas förrän det som står ovan är ordnat." if said
                                 else f"Breven kan inte förberedas: {exc}")
            prepared = None
        self.skipped.clear()
        if prepared is not None:
            self.preview_versions = prepared.versions
            self.prepared = prepared
            count = len(prepared.jobs)
            text = f"{count} av {len(self.step_ids)} markerade steg får brevet ”{LABEL[self.letter_type]}”."
            if prepared.manual_count:
                text += (f" {prepared.manual_count} av dem ska hanteras manuellt (skyddad identitet eller adress "
                         "saknas): ingen adress skrivs ut.")
            self.preview.setText(text)
            for item in prepared.skipped:
                where = f"Ärende {item.case_id}" if item.case_id else f"Steg {item.step_id}"
                self.skipped.addItem(f"{where}: {item.reason}")
        has_skipped = self.skipped.count() > 0
        self.skipped.setVisible(has_skipped)
        self.skipped_label.setVisible(has_skipped)
        self.create_button.setEnabled(prepared is not None and bool(prepared.jobs))
        if prepared is None:
            self.prepared = None
        self._enable_print()

    def _enable_print(self) -> None:
        self.preview_button.setEnabled(bool(self.preview_layouts()))
        ready = self.result_ is not None and bool(self.result_.letters)
        self.print_button.setEnabled(ready)
        self.open_button.setEnabled(ready and self.result_.print_file is not None)

    def create_letters(self) -> None:
        """The batch as an op off the UI thread; the cases it wrote to are told to every window (ui.worker)."""
        ctx, kind, step_ids = self.ctx, self.letter_type, self.step_ids
        versions = {**self.preview_versions, **self.expected_versions}
        self.create_button.setEnabled(False)
        self.status.setText("Skapar breven …")
        self.runner.op(lambda: letters.generate(ctx, kind, step_ids, print_file=letters.default_print_file(ctx, kind),
                                                expected_versions=versions),
                       self._created, self._not_created, cases=list(self.expected_versions) or MANY)

    def _not_created(self, exc: BaseException) -> None:
        self.status.clear()
        self.create_button.setEnabled(True)
        if not isinstance(exc, (InputError, StorageError, OSError)):
            show_error(self, exc)
            return
        QMessageBox.warning(self, "Patientbrev", f"Breven kunde inte skapas: {getattr(exc, 'message', exc)}")

    def _created(self, result: letters.BatchResult) -> None:
        self.result_ = result
        if result.conflicts:
            show_error(self, result.conflicts[0])  # as the case window says it
            self.expected_versions = {}  # from now on the user goes by the preview read again
        if not result.letters:
            self.refresh_preview()
            self.status.setText("Inga brev skapades: " + (
                "någon annan har ändrat ärendet under tiden. Uppgifterna ovan är nu de senaste; skapa breven igen "
                "om de fortfarande behövs." if result.conflicts else "se orsaken i listan ovan."))
            return
        text = (f"Klart: {len(result.letters)} brev är sparade i arkivet och på ärendenas tidslinje.\n"
                f"Utskriftsfil: {Path(result.print_file).name}")
        if result.conflicts:
            changed = ", ".join(str(s.case_id) for s in result.skipped if s.conflict)
            text += f"\nInget brev skapades för ärenden som någon annan har ändrat: {changed}."
        self.status.setToolTip(str(result.print_file))
        if result.manual_count:
            text += (f"\n{result.manual_count} brev ska hanteras manuellt. De skrivs inte ut med de andra; "
                     "utskriftens sista sida listar dem.")
        self.status.setText(text)
        self.adjustSize()
        self.create_button.setEnabled(False)  # created once; choose a type again to make new letters
        self._enable_print()

    def print_letters(self) -> None:
        if self.result_ is None:
            return
        printer = make_printer()
        if not self.confirm_print(QPrintDialog(printer, self)):
            return
        try:
            pages = paint_letters(printer, self.result_.layouts)
        except OSError as exc:
            QMessageBox.warning(self, "Patientbrev", f"Utskriften misslyckades: {exc}.")
            return
        self.status.setText(f"{pages} sidor skickade till skrivaren.")

    def preview_layouts(self) -> list[LaidOut]:
        """What would be printed: the created batch, or before creating, the letters as they will be written
        (those for manual handling are not printed with the others)."""
        if self.result_ is not None:
            return self.result_.layouts
        if self.prepared is None:
            return []
        return [lay_out(job.content) for job in self.prepared.jobs if not job.manual_handling]

    def preview_letters(self) -> None:
        """The pages as they will be printed. Created letters can be printed from the preview; letters not
        created yet cannot (a printed letter must be the archived and recorded one)."""
        layouts = self.preview_layouts()
        if not layouts:
            return
        created = self.result_ is not None
        printer = make_printer()  # kept alive here: the preview dialog does not own it
        title = (f"Förhandsgranskning: {LABEL[self.letter_type]}, {len(layouts)} brev"
                 + ("" if created else " (inte skapade än – skapa breven för att skriva ut dem)"))
        if show_preview(self, printer, title, lambda printer: paint_letters(printer, layouts), name="letterPreview",
                        printable=created):
            pages = sum(len(layout.pages) for layout in layouts)
            self.status.setText(f"{pages} sidor skickade till skrivaren från förhandsgranskningen.")

    def confirm_print(self, dialog: QPrintDialog) -> bool:
        dialog.setWindowTitle("Skriv ut patientbrev")
        return dialog.exec() == QDialog.DialogCode.Accepted

    def open_pdf(self) -> None:
        if self.result_ is not None and self.result_.print_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.result_.print_file))))
