"""The import wizard: choose a file, map its columns (remembered per source), preview every row with its
problems, import all valid rows in one transaction (an op off the UI thread, told to every window as a change of
many cases: ui.worker), and open the file of rejected rows in Excel. Open with `ImportWizard(ctx, parent).exec()`."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app import importer
from app.context import AppContext
from app.errors import InputError, StorageError
from ui.errors import show_error
from ui.register_window import RowsModel, table_view
from ui.worker import MANY, lane

NONE = "(används inte)"


class ImportWizard(QWizard):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.table: importer.Table | None = None
        self.columns: dict[str, str] = {}
        self.result: importer.Result | None = None
        self.runner = lane(ctx, self)
        self.setWindowTitle("Importera lista")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Nästa >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Tillbaka")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Klar")
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Importera")
        self.setButtonText(QWizard.WizardButton.CancelButton, "&Avbryt")
        self.file_page, self.map_page = FilePage(self), MapPage(self)
        self.preview_page, self.result_page = PreviewPage(self), ResultPage(self)
        self.preview_page.setCommitPage(True)  # the import starts there, and there is no going back to it
        for page in (self.file_page, self.map_page, self.preview_page, self.result_page):
            self.addPage(page)
        self.resize(980, 640)

    @property
    def kind(self) -> str:
        return self.file_page.kind.currentData()

    @property
    def source(self) -> str:
        return self.file_page.source.currentText().strip()


def _message(label: QLabel, exc: InputError | StorageError) -> bool:
    label.setText(exc.message if isinstance(exc, StorageError) else f"{exc.field}: {exc.message}")
    return False


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Välj fil")
        self.setSubTitle("CSV (semikolon, komma eller tabb; UTF-8 eller Windows-1252) eller Excel (.xlsx).")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Vad filen innehåller")
        for kind in importer.KINDS:
            self.kind.addItem(importer.KIND_LABELS[kind], kind)
        self.kind.currentIndexChanged.connect(self._sources)
        self.path = QLineEdit()
        self.path.setAccessibleName("Fil")
        browse = QPushButton("&Bläddra …")
        browse.setAccessibleName("Välj fil")
        browse.clicked.connect(self._browse)
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.setAccessibleName("Källa (kolumnkopplingens namn)")
        self.source.lineEdit().setPlaceholderText("till exempel Ortopedkliniken SUS")
        self.whole_list = QCheckBox("Listan är källans &hela väntelista: öppna steg som saknas i den läggs på "
                                    "listan ”Saknas i senaste listan” för granskning")
        self.whole_list.setAccessibleName("Hela väntelistan")
        self.whole_list.setToolTip("Inget avslutas eller tas bort av importen. Du avslutar varje steg som saknas "
                                   "med en orsak, eller behåller det med en anteckning.")
        self.source.currentTextChanged.connect(self._whole_list)
        self.inbox = QLineEdit()
        self.inbox.setAccessibleName("Inkorg")
        self.inbox.setPlaceholderText("tom: ingen inkorg")
        self.inbox.setToolTip("En mapp dit journalsystemet lägger källans listor. Lotsen läser in dem med "
                              "Verktyg → Läs in inkorgar nu, eller med en schemalagd körning.")
        inbox_browse = QPushButton("Bläddra …")
        inbox_browse.setAccessibleName("Välj inkorg")
        inbox_browse.clicked.connect(self._browse_inbox)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Fel")
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("&Innehåll:", self.kind)
        file_label = QLabel("&Fil:")  # beside a layout, QFormLayout would show the & instead of a shortcut
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        form.addRow("&Källa:", self.source)
        form.addRow("", self.whole_list)
        inbox_row = QHBoxLayout()
        inbox_row.addWidget(self.inbox)
        inbox_row.addWidget(inbox_browse)
        inbox_label = QLabel("In&korg (mapp):")
        inbox_label.setBuddy(self.inbox)
        form.addRow(inbox_label, inbox_row)
        form.addRow(self.error)
        self._sources()

    def _sources(self) -> None:
        text = self.source.currentText()
        self.source.clear()
        self.source.addItems(importer.mapping_names(self.w.ctx, self.kind.currentData()))
        self.source.setEditText(text)
        self._whole_list()

    def _whole_list(self) -> None:
        """The source's setting, shown when a waiting list's source is chosen."""
        waiting = self.kind.currentData() == importer.WAITING_LIST
        self.whole_list.setVisible(waiting)
        name = self.source.currentText().strip()
        try:
            whole = bool(name) and importer.is_whole_list(self.w.ctx, importer.WAITING_LIST, name)
            self.whole_list.setChecked(waiting and whole)
            self.inbox.setText(importer.inbox_of(self.w.ctx, self.kind.currentData(), name) if name else "")
        except InputError:  # a name that cannot be a source: validatePage says so
            self.whole_list.setChecked(False)
            self.inbox.setText("")

    def _browse_inbox(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Välj inkorg", self.inbox.text())
        if folder:
            self.inbox.setText(folder)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Välj fil", "", "Listor (*.csv *.txt *.xlsx);;Alla filer (*)")
        if path:
            self.path.setText(path)

    def validatePage(self) -> bool:
        if not self.w.source:
            return _message(self.error, InputError("Källa", "ge källan ett namn; kolumnkopplingen sparas under "
                                                            "det."))
        try:
            self.w.table = importer.read_table(Path(self.path.text().strip()))
        except InputError as exc:
            return _message(self.error, exc)
        self.error.setText("")
        return True


class MapPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Koppla kolumner")
        self.form = QFormLayout()
        self.boxes: dict[str, QComboBox] = {}
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.starts = QLabel()
        self.starts.setWordWrap(True)
        self.starts.setAccessibleName("Vilket datum som startar vilket steg")
        fields = QWidget()
        fields.setLayout(self.form)
        scroll = QScrollArea()  # a waiting list has more fields than a small screen shows
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(fields)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.starts)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)

    def initializePage(self) -> None:
        table, kind = self.w.table, self.w.kind
        self.info.setText(f"Filen: {table.describe()}. Fält med * måste kopplas.")
        starts = importer.start_columns(self.w.ctx.rules) if kind == importer.WAITING_LIST else []
        self.starts.setVisible(bool(starts))
        self.starts.setText("Varje steg startar på sitt eget datum; koppla alla datumkolumner som listan har.<br>"
                            + "<br>".join(f"&nbsp;&nbsp;• {html.escape(names)}: <b>{html.escape(columns)}</b>"
                                          for names, columns in starts))
        while self.form.rowCount():
            self.form.removeRow(0)
        saved = importer.load_mapping(self.w.ctx, kind, self.w.source) or {}
        guessed = {**importer.guess_columns(kind, table.headings),
                   **{k: v for k, v in saved.items() if v in table.headings}}
        self.boxes = {}
        for spec in importer.FIELDS[kind]:
            box = QComboBox()
            box.addItems([NONE, *table.headings])
            box.setCurrentText(guessed.get(spec.key, NONE))
            box.setAccessibleName(spec.label)
            self.boxes[spec.key] = box
            self.form.addRow(spec.label + (" *" if spec.required else "") + ":", box)

    def validatePage(self) -> bool:
        columns = {key: box.currentText() for key, box in self.boxes.items() if box.currentText() != NONE}
        try:
            importer.check_columns(self.w.kind, self.w.table, columns)
            whole = self.w.file_page.whole_list.isChecked() if self.w.kind == importer.WAITING_LIST else None
            importer.save_mapping(self.w.ctx, self.w.kind, self.w.source, columns, whole_list=whole,
                                  inbox=self.w.file_page.inbox.text())
        except (InputError, StorageError) as exc:
            return _message(self.error, exc)
        self.w.columns = columns
        self.error.setText("")
        return True


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Förhandsgranska")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = RowsModel([], parent=self)
        self.view = table_view(self.model, "Förhandsgranskning")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view)

    def initializePage(self) -> None:
        rows = importer.preview(self.w.ctx, self.w.kind, self.w.table, self.w.columns)
        labels = list(rows[0].cells) if rows else []
        columns = [("Rad", lambda r: r.number),
                   ("Kontroll", lambda r: "; ".join(p.text() for p in r.problems) if r.problems else "OK")]
        columns += [(label, lambda r, label=label: r.cells.get(label, "")) for label in labels]
        self.model = RowsModel(columns, lambda r: bool(r.problems), self)
        self.model.set_rows(rows)
        self.view.setModel(self.model)
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(1, 360)
        bad = sum(1 for r in rows if r.problems)
        self.summary.setText(f"{len(rows)} rader. {len(rows) - bad} ser bra ut, {bad} har fel (markerade med "
                             "orange och beskrivna i kolumnen Kontroll). Med Importera sparas alla felfria rader på "
                             "en gång; raderna med fel sparas i en egen fil.")


class ResultPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Resultat")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Resultat av importen")
        self.done = False  # the import has finished (well or not)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setAccessibleName("Importerar")
        self.busy.hide()
        self.open_button = QPushButton("&Öppna filen med avvisade rader")
        self.open_button.setAccessibleName("Öppna filen med avvisade rader")
        self.open_button.clicked.connect(self._open)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.busy)
        layout.addWidget(self.open_button)
        layout.addStretch()

    def initializePage(self) -> None:
        w = self.w
        ctx, kind, path, columns, source = w.ctx, w.kind, Path(w.file_page.path.text().strip()), w.columns, w.source
        self.done = False
        self.summary.setText("Importerar … Det kan ta en stund för en lång lista; du kan arbeta vidare i "
                             "arbetslistan under tiden.")
        self.open_button.setVisible(False)
        self.busy.show()
        self.w.runner.op(lambda: importer.import_file(ctx, kind, path, columns, source), self._imported,
                         self._refused, cases=MANY)

    def isComplete(self) -> bool:  # Qt API: Klar once the import is done
        return self.done

    def _imported(self, result: importer.Result) -> None:
        self.w.result = result
        self.summary.setText(result.summary())
        self.open_button.setVisible(result.rejected_file is not None)
        self._finished()

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, (InputError, StorageError)):
            show_error(self, exc)
            exc = StorageError("Importen avbröts av ett oväntat fel.")
        _message(self.summary, exc)
        self.summary.setText("Ingenting importerades. " + self.summary.text())
        self._finished()

    def _finished(self) -> None:
        self.busy.hide()
        self.done = True
        self.completeChanged.emit()

    def _open(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.w.result.rejected_file)))
