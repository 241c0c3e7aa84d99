"""The patient's contact details, corrected by a case worker; the patient's other cases; the change history."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import patients
from app.audit.extract import local_time
from app.cases import CLOSE_REASONS
from app.errors import InputError
from app.identity import display_id
from app.patients import ContactDetails, PatientView
from ui.errors import show_error
from ui.forms import read_only_table, with_mnemonics
from ui.worker import MANY, lane


class PatientDialog(QDialog):
    open_case = Signal(int)  # a case id chosen in the patient's case list
    saved = Signal(int)      # patient id, after a change was saved

    def __init__(self, ctx, patient_id: int, case_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.case_id = case_id
        self.view: PatientView | None = None
        self.runner = lane(ctx, self)
        self.setMinimumSize(900, 600)
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.heading.setAccessibleName("Patient")
        layout.addWidget(self.heading)

        top = QHBoxLayout()
        details_box = QGroupBox("Kontaktuppgifter")
        form = QFormLayout(details_box)
        self.street, self.postal_code, self.city, self.phone = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.language = QComboBox()
        for code, name in patients.LANGUAGES.items():
            self.language.addItem(name, code)
        self.protected = QCheckBox("Skyddad identitet (skyddad folkbokföring)")
        self.protected.setToolTip("Lotsen sparar och skriver då aldrig ut någon adress; brev hanteras manuellt.")
        self.protected.toggled.connect(self._protected_changed)
        self.representative_kind = QComboBox()
        self.representative_kind.addItem("Ingen", None)
        for code, name in patients.REPRESENTATIVES.items():
            self.representative_kind.addItem(name, code)
        self.representative_name = QLineEdit()
        self.representative_address = QPlainTextEdit()
        self.representative_address.setTabChangesFocus(True)
        self.representative_address.setFixedHeight(54)
        self.widgets: dict[str, QWidget] = {
            "street": self.street, "postal_code": self.postal_code, "city": self.city, "phone": self.phone,
            "language": self.language, "protected_identity": self.protected,
            "representative_kind": self.representative_kind, "representative_name": self.representative_name,
            "representative_address": self.representative_address,
        }
        texts = with_mnemonics([patients.FIELD_NAMES[name] for name in self.widgets], taken="sg")  # the buttons'
        for (name, widget), text in zip(self.widgets.items(), texts, strict=True):
            widget.setAccessibleName(patients.FIELD_NAMES[name])
            if widget is self.protected:
                widget.setText(text + " (skyddad folkbokföring)")
                form.addRow("", widget)
            else:
                caption = QLabel(f"{text}:")
                caption.setBuddy(widget)
                form.addRow(caption, widget)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #9b1c1c; font-weight: bold;")
        self.error.setAccessibleName("Felmeddelande")
        self.error.hide()
        form.addRow(self.error)
        top.addWidget(details_box, 1)

        cases_box = QGroupBox("Patientens ärenden (Enter eller dubbelklick öppnar)")
        self.cases = read_only_table(["Ärende", "Verksamhetsområde", "Steg", "Öppnat", "Avslutat"],
                                     "Patientens ärenden")
        self.cases.itemActivated.connect(lambda item: self.open_case.emit(
            int(self.cases.item(item.row(), 0).data(Qt.ItemDataRole.UserRole))))
        QVBoxLayout(cases_box).addWidget(self.cases)
        top.addWidget(cases_box, 1)
        layout.addLayout(top, 3)

        history_box = QGroupBox("Ändringshistorik för patientuppgifterna")
        self.history = read_only_table(["Ändrat", "Av", "Uppgift", "Tidigare", "Nu"], "Ändringshistorik")
        QVBoxLayout(history_box).addWidget(self.history)
        layout.addWidget(history_box, 2)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Spara ändringar")
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Stän&g")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.view = view = patients.view_patient(self.ctx, self.patient_id, self.case_id)
        self.setWindowTitle(f"Patient – {view.name}")
        self.heading.setText(f"{view.name}, {display_id(view.id_number)}")
        d = view.details
        self.street.setText(d.street or "")
        self.postal_code.setText(d.postal_code or "")
        self.city.setText(d.city or "")
        self.phone.setText(d.phone or "")
        self.language.setCurrentIndex(max(0, self.language.findData(d.language)))
        self.representative_kind.setCurrentIndex(max(0, self.representative_kind.findData(d.representative_kind)))
        self.representative_name.setText(d.representative_name or "")
        self.representative_address.setPlainText(d.representative_address or "")
        self.protected.setChecked(d.protected_identity)
        self._protected_changed(d.protected_identity)
        self.cases.setRowCount(len(view.cases))
        for r, c in enumerate(view.cases):
            closed = f"{c.closed_on.isoformat()} – {CLOSE_REASONS.get(c.close_reason or '', '')}" if c.closed_on \
                else "Öppet"
            texts = (str(c.case_id) + (" (detta)" if c.case_id == self.case_id else ""), c.specialty, c.steps,
                     c.opened_on.isoformat(), closed)
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, c.case_id)
                self.cases.setItem(r, col, item)
        self.history.setRowCount(len(view.history))
        for r, h in enumerate(view.history):
            for col, text in enumerate((local_time(h.at), h.by, h.field,
                                        _shown(h.old), _shown(h.new))):
                self.history.setItem(r, col, QTableWidgetItem(text))

    def _protected_changed(self, on: bool) -> None:
        # The address is removed when saved; say so instead of leaving it editable.
        for widget in (self.street, self.postal_code, self.city):
            widget.setEnabled(not on)
            widget.setPlaceholderText("Sparas inte vid skyddad identitet" if on else "")

    def details(self) -> ContactDetails:
        return ContactDetails(
            street=self.street.text(), postal_code=self.postal_code.text(), city=self.city.text(),
            phone=self.phone.text(), language=self.language.currentData(),
            representative_kind=self.representative_kind.currentData(),
            representative_name=self.representative_name.text(),
            representative_address=self.representative_address.toPlainText(),
            protected_identity=self.protected.isChecked())

    def save(self) -> None:
        """The details as an op off the UI thread; the patient's cases are told to every window (ui.worker)."""
        details = self.details()
        if details.protected_identity:
            details = replace(details, street=None, postal_code=None, city=None)
        ctx, patient_id, case_id = self.ctx, self.patient_id, self.case_id
        self.save_button.setEnabled(False)
        self.runner.op(lambda: patients.update_contact_details(ctx, patient_id, details, case_id),
                       self._saved, self._not_saved, cases=[c.case_id for c in self.view.cases] or MANY)

    def _saved(self, changed: bool) -> None:
        self.save_button.setEnabled(True)
        self.error.hide()
        self.reload()
        if changed:
            self.saved.emit(self.patient_id)

    def _not_saved(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, InputError):  # the form keeps what was typed and names the field
            self.error.setText(f"{exc.field}: {exc.message}")
            self.error.show()
        else:  # storage trouble in plain Swedish; a bug logged and explained
            show_error(self, exc)


def _shown(value: str | None) -> str:
    return "–" if value is None else value.replace("\n", ", ")

