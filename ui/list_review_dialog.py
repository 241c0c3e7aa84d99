"""The review list "Saknas i senaste listan": open steps that a clinic's whole list no longer holds. For each,
the case worker closes the step with a reason (genomförd, struken, flyttad, annan orsak) or keeps it with a
note; app.importer.reconcile does the work and traces it on the case's timeline."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.context import AppContext
from app.errors import InputError, StorageError
from app.identity import display_id
from app.importer import reconcile
from app.rulebook import step_names
from ui.dates import DateField
from ui.errors import show_error
from ui.register_window import RowsModel, table_view
from ui.worker import lane


class ListReviewDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.runner = lane(ctx, self)
        self.setWindowTitle("Saknas i senaste listan")
        names = step_names(ctx.rules)
        self.model = RowsModel([
            ("Patient", lambda r: f"{r.patient_name} (skyddad identitet)" if r.protected_identity else r.patient_name),
            ("Personnummer", lambda r: display_id(r.id_number)),
            ("Steg", lambda r: names.get(r.step_code, r.step_code)), ("Lista", lambda r: r.source),
            ("Saknas sedan", lambda r: r.list_on.isoformat()),
        ], parent=self)
        self.view = table_view(self.model, "Steg som saknas i senaste listan")
        self.about = QLabel("Stegen fanns i en tidigare lista från kliniken men inte i den senaste. Avsluta steget "
                            "med en orsak, eller behåll det med en anteckning om varför.")
        self.about.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Orsak")
        for key, label in reconcile.CLOSING.items():
            self.reason.addItem(f"Avsluta: {label.lower()}", key)
        self.reason.addItem("Behåll steget", reconcile.KEEP)
        self.on = DateField(ctx.today(), required=True, today=ctx.today())
        self.on.setAccessibleName("Datum")
        self.note = QLineEdit()
        self.note.setAccessibleName("Anteckning")
        self.note.setPlaceholderText("krävs för ”behåll” och ”annan orsak”")
        self.apply = QPushButton("&Verkställ för markerat steg")
        self.apply.setAccessibleName("Verkställ för markerat steg")
        self.apply.clicked.connect(self._apply)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        form = QFormLayout()
        form.addRow("&Beslut:", self.reason)
        form.addRow("&Datum:", self.on)
        form.addRow("&Anteckning:", self.note)
        form.addRow("", self.apply)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Stäng")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(self.view, 1)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(900, 560)
        self.load()

    def load(self) -> None:
        rows = reconcile.review_list(self.ctx)
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        if rows:
            self.view.selectRow(0)
        self.apply.setEnabled(bool(rows))

    def _apply(self) -> None:
        selected = self.view.selectionModel().selectedRows()
        if not selected:
            self.status.setText("Markera ett steg i listan först.")
            return
        item = self.model.row_at(selected[0].row())
        ctx, reason, on, note = self.ctx, self.reason.currentData(), self.on.value(), self.note.text()
        said = f"{item.patient_name}: {self.reason.currentText().lower()}. Sparat i ärendet."
        self.apply.setEnabled(False)
        self.runner.op(lambda: reconcile.resolve(ctx, item.id, reason, on, note),
                       lambda _result: self._applied(said), self._refused, cases=[item.case_id])

    def _applied(self, said: str) -> None:
        self.status.setText(said)
        self.note.clear()
        self.load()

    def _refused(self, exc: BaseException) -> None:
        self.apply.setEnabled(True)
        if isinstance(exc, (InputError, StorageError)):
            self.status.setText(exc.message if isinstance(exc, StorageError) else f"{exc.field}: {exc.message}")
        else:  # a bug: logged and explained, the decision can be made again
            show_error(self, exc)
