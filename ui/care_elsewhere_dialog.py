"""Find care elsewhere for a case's step: the ranked candidates with why each is in or out, one click to
offer a time there, and every provider approached recorded on the case.
Open with `CareElsewhereDialog(ctx, step_id, parent, expected_version=case.version).exec()`: each offer or
approach changes the case, so it carries the version the user was shown (that of the case window, then the one
read with the approaches shown here) and is refused, with the case window's message, when someone else saved the
case in between."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import register
from app.context import AppContext
from app.errors import ConflictError, InputError
from app.register import Candidate, Fit
from ui.confirm import confirmed_save
from ui.errors import show_error
from ui.register_window import RowsModel, table_view

COLUMNS = [
    ("Bedömning", lambda c: c.verdict),
    ("Väg", lambda c: c.route_label),
    ("Enhet", lambda c: c.unit.name),
    ("Vårdgivare", lambda c: c.unit.provider),
    ("Väntetid (dagar)", lambda c: "okänd" if c.wait_days is None else c.wait_days),
    ("Uppgift per", lambda c: c.capacity_as_of or "–"),
    ("Telefon", lambda c: c.unit.phone or ""),
    ("Varför", lambda c: c.reasons[0]),
]


class CareElsewhereDialog(QDialog):
    def __init__(self, ctx: AppContext, step_id: int, parent=None, *, expected_version: int | None = None):
        super().__init__(parent)
        self.ctx, self.step_id = ctx, step_id
        self.version: int | None = None  # the case's version the user was shown: see the module text
        self.setWindowTitle("Vård hos annan vårdgivare")
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.model = RowsModel(COLUMNS, lambda c: c.fit in (Fit.TOO_LATE, Fit.OUT), self)
        self._search()
        self.table = table_view(self.model, "Möjliga vårdgivare")
        for column, width in enumerate((150, 110, 200, 170, 125, 95, 110)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._show)
        self.reasons = QPlainTextEdit()
        self.reasons.setReadOnly(True)
        self.reasons.setAccessibleName("Skäl för bedömningen")

        self.appointment = QLineEdit()
        self.reply_by = QLineEdit()
        for field, name in ((self.appointment, "Erbjuden tid"), (self.reply_by, "Svara senast")):
            field.setPlaceholderText("ÅÅÅÅ-MM-DD")
            field.setAccessibleName(name)
        self.offer_button = QPushButton("&Erbjud tid här")
        self.offer_button.setAccessibleName("Erbjud tid hos vald enhet")
        self.offer_button.clicked.connect(self.offer)
        offer_form = QFormLayout()
        offer_form.addRow("Erbjuden tid:", self.appointment)
        offer_form.addRow("Svara senast:", self.reply_by)
        offer_form.addRow(self.offer_button)
        offer_box = QGroupBox("Erbjudande till patienten")
        offer_box.setLayout(offer_form)

        self.answer = QComboBox()
        self.answer.setAccessibleName("Vårdgivarens svar")
        for key, text in register.ANSWERS.items():
            if key != "tid_erbjuden":
                self.answer.addItem(text, key)
        self.note = QLineEdit()
        self.note.setAccessibleName("Anteckning om kontakten")
        self.approach_button = QPushButton("&Registrera kontakt")
        self.approach_button.setAccessibleName("Registrera att vald vårdgivare tillfrågats")
        self.approach_button.clicked.connect(self.approach)
        approach_form = QFormLayout()
        approach_form.addRow("Svar:", self.answer)
        approach_form.addRow("Anteckning:", self.note)
        approach_form.addRow(self.approach_button)
        approach_box = QGroupBox("Tillfrågad vårdgivare")
        approach_box.setLayout(approach_form)

        self.approached = RowsModel([("Datum", lambda a: a.on), ("Vårdgivare", lambda a: a.provider),
                                     ("Enhet", lambda a: a.unit), ("Svar", lambda a: a.answer),
                                     ("Anteckning", lambda a: a.note)], parent=self)
        self.approached_view = table_view(self.approached, "Tillfrågade vårdgivare")
        self.status = QLabel()
        self.status.setAccessibleName("Meddelande")
        self.status.setWordWrap(True)

        side = QVBoxLayout()
        side.addWidget(QLabel("Skäl:"))
        side.addWidget(self.reasons)
        side.addWidget(offer_box)
        side.addWidget(approach_box)
        side_widget = QWidget()
        side_widget.setLayout(side)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(side_widget)
        splitter.setSizes([860, 380])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Stäng")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(splitter, 3)
        layout.addWidget(QLabel("Tillfrågade vårdgivare i det här ärendet:"))
        layout.addWidget(self.approached_view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.resize(1280, 720)
        self._reload_approaches()
        if expected_version is not None:
            self.version = expected_version
        if self.model.rowCount():
            self.table.selectRow(0)

    def _search(self) -> None:
        self.search = register.find_candidates(self.ctx, self.step_id)
        need = self.search.need
        self.heading.setText(
            f"<b>{need.describe()}</b> – tidsgräns {need.deadline.isoformat()}, {need.remaining} dagar kvar. "
            "Ordning: egna enheter, egna avtal, andra regioner; sedan väntetid mot dagarna som är kvar.")
        self.model.set_rows(self.search.candidates)

    def selected(self) -> Candidate | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _show(self, current, _previous) -> None:
        candidate = self.model.row_at(current.row())
        unit = candidate.unit
        contact = ", ".join(p for p in (unit.contact_person, unit.phone, unit.email, unit.address) if p)
        self.reasons.setPlainText(f"{unit.name} ({unit.hsa_id}), {unit.provider}\n{contact}\n\n"
                                  + "\n".join(f"• {reason}" for reason in candidate.reasons))
        self.offer_button.setEnabled(candidate.eligible)

    def _reload_approaches(self) -> None:
        shown = register.case_approaches(self.ctx, self.step_id)
        self.version = shown.case_version
        self.approached.set_rows(shown.approaches)
        self.approached_view.resizeColumnsToContents()

    def _conflict(self, exc: ConflictError) -> None:
        """Someone else saved the case: say so as the case window does, then show what is saved now."""
        show_error(self, exc)
        chosen = self.selected()
        self._search()
        self._reload_approaches()
        rows = [c.unit.id for c in self.search.candidates]
        if rows:
            self.table.selectRow(rows.index(chosen.unit.id) if chosen and chosen.unit.id in rows else 0)
        self.status.setText("Inget sparades: ärendet hade ändrats. Uppgifterna här är nu de senaste.")

    def offer(self) -> None:
        candidate = self.selected()
        if candidate is None:
            return
        try:
            appointment = _date(self.appointment.text(), "Erbjuden tid", required=True)
            reply_by = _date(self.reply_by.text(), "Svara senast")
            confirmed_save(self, lambda confirmed: register.offer_from_candidate(
                self.ctx, self.step_id, candidate, appointment, reply_by, confirmed=confirmed,
                expected_version=self.version))
        except InputError as exc:
            self.status.setText(f"Inget erbjudande sparades. {exc.field}: {exc.message}")
            return
        except ConflictError as exc:
            self._conflict(exc)
            return
        self._reload_approaches()
        self.status.setText(f"Erbjudandet från {candidate.unit.name} är sparat i ärendet.")

    def approach(self) -> None:
        candidate = self.selected()
        if candidate is None:
            return
        try:
            register.record_approach(self.ctx, self.step_id, candidate.unit.provider, candidate.unit.name,
                                     self.answer.currentData(), self.note.text(), expected_version=self.version)
        except InputError as exc:
            self.status.setText(f"Inte sparat. {exc.field}: {exc.message}")
            return
        except ConflictError as exc:
            self._conflict(exc)
            return
        self.note.clear()
        self._reload_approaches()
        self.status.setText(f"Kontakten med {candidate.unit.provider} är sparad i ärendet.")


def _date(text: str, field: str, required: bool = False) -> date | None:
    if not text.strip():
        if required:
            raise InputError(field, "ange ett datum som ÅÅÅÅ-MM-DD.")
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, f"”{text.strip()}” är inte ett datum som ÅÅÅÅ-MM-DD.") from None
