"""Find care elsewhere for a case's step: the ranked candidates with why each is in or out, one click to
offer a time there, and every provider approached recorded on the case.
Open with `CareElsewhereDialog(ctx, step_id, parent, expected_version=case.version).exec()`: each offer or
approach changes the case, so it carries the version the user was shown (that of the case window, then the one
read with the approaches shown here) and is refused, with the case window's message, when someone else saved the
case in between."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import reference, register
from app.context import AppContext
from app.errors import ConflictError, InputError
from app.offer_checks import ConfirmationNeeded
from app.register import Candidate, Fit, PhonedUnit
from app.roles import Permission, may
from app.settings import own_region
from ui.confirm import confirm_offer, offer_not_confirmed
from ui.errors import show_error
from ui.register_window import RowsModel, register_news, table_view
from ui.worker import MANY, lane

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
        self.runner = lane(ctx, self)  # saves as ops off the UI thread, told to every window (ui.worker)
        self.setWindowTitle("Vård hos annan vårdgivare")
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.hints = QLabel()  # why nothing matches and what to do (app.register.explain)
        self.hints.setObjectName("noMatch")
        self.hints.setWordWrap(True)
        self.hints.setTextFormat(Qt.TextFormat.RichText)
        self.hints.setAccessibleName("Varför ingen vårdgivare hinner")
        self.hints.setStyleSheet("QLabel#noMatch { background: #fcefb4; border: 1px solid #d9c36a; padding: 6px; }")
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
        chosen = QVBoxLayout()
        chosen.setContentsMargins(0, 0, 0, 0)
        chosen.addWidget(QLabel("Skäl:"))
        chosen.addWidget(self.reasons)
        chosen.addWidget(offer_box)
        chosen.addWidget(approach_box)
        self.side = QTabWidget()
        self.side.setAccessibleName("Vald enhet eller vårdgivare utanför registret")
        self.side.addTab(_holder(chosen), "&Vald enhet")
        self.side.addTab(self._phoned_form(), "&Inte i registret")

        self.approached = RowsModel([("Datum", lambda a: a.on), ("Vårdgivare", lambda a: a.provider),
                                     ("Enhet", lambda a: a.unit), ("Svar", lambda a: a.answer),
                                     ("Anteckning", lambda a: a.note)], parent=self)
        self.approached_view = table_view(self.approached, "Tillfrågade vårdgivare")
        self.status = QLabel()
        self.status.setAccessibleName("Meddelande")
        self.status.setWordWrap(True)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.side)
        splitter.setSizes([840, 400])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Stäng")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hints)
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
        else:
            self.side.setCurrentIndex(1)  # nothing in the register: the phoned provider's form

    def _phoned_form(self) -> QWidget:
        """A provider phoned who is not in the register: the call on the case, and (with the right to change
        the register) the provider and its unit in the register, from here."""
        self.phoned_provider = QLineEdit()
        self.phoned_provider.setCompleter(QCompleter([p.name for p in register.list_providers(self.ctx)], self))
        self.phoned_unit = QLineEdit()
        self.phoned_phone = QLineEdit()
        self.phoned_answer = QComboBox()
        for key, text in register.ANSWERS.items():
            if key != "tid_erbjuden":
                self.phoned_answer.addItem(text, key)
        self.phoned_note = QLineEdit()
        self.add_to_register = QCheckBox("&Lägg till i registret")
        self.phoned_hsa = QLineEdit()
        self.phoned_hsa.setPlaceholderText("till exempel SE2321000016-15CV")
        self.phoned_region = QComboBox()
        for r in reference.regions():
            self.phoned_region.addItem(f"{r.code} {r.name}", r.code)
        self.phoned_region.setCurrentIndex(max(0, self.phoned_region.findData(own_region(self.ctx.db))))
        self.phoned_public = QCheckBox("Offentlig vårdgivare (en regions egen vård)")
        self.phoned_others = QCheckBox("Tar emot patienter från andra regioner")
        self.phoned_others.setChecked(True)
        self.register_fields = (self.phoned_hsa, self.phoned_region, self.phoned_public, self.phoned_others)
        for widget, name in ((self.phoned_provider, "Vårdgivare"), (self.phoned_unit, "Enhet"),
                             (self.phoned_phone, "Telefon"), (self.phoned_answer, "Svar"),
                             (self.phoned_note, "Anteckning"), (self.phoned_hsa, "HSA-id"),
                             (self.phoned_region, "Region")):
            widget.setAccessibleName(name)
        if may(self.ctx.role, Permission.CHANGE_REGISTER):
            self.add_to_register.setChecked(True)
        else:
            self.add_to_register.setEnabled(False)
            self.add_to_register.setToolTip("Bara den som får ändra registret kan lägga till vårdgivare. "
                                             "Kontakten kan du ändå registrera i ärendet.")
        self.add_to_register.toggled.connect(self._register_fields_shown)
        self.phoned_button = QPushButton("Registrera &kontakten")
        self.phoned_button.clicked.connect(self.record_phoned)
        form = QFormLayout()
        form.addRow("Vårdgivare:", self.phoned_provider)
        form.addRow("Enhet:", self.phoned_unit)
        form.addRow("Telefon:", self.phoned_phone)
        form.addRow("Svar:", self.phoned_answer)
        form.addRow("Anteckning:", self.phoned_note)
        form.addRow(self.add_to_register)
        form.addRow("HSA-id:", self.phoned_hsa)
        form.addRow("Region:", self.phoned_region)
        form.addRow(self.phoned_public)
        form.addRow(self.phoned_others)
        form.addRow(self.phoned_button)
        self.phoned_layout = form
        intro = QLabel("Har du ringt en vårdgivare som inte finns i listan? Registrera samtalet här, så att "
                       "kollegorna ser det.")
        intro.setWordWrap(True)
        box = QVBoxLayout()
        box.addWidget(intro)
        box.addLayout(form)
        box.addStretch()
        self._register_fields_shown(self.add_to_register.isChecked())
        return _holder(box)

    def _register_fields_shown(self, shown: bool) -> None:
        for widget in self.register_fields:
            self.phoned_layout.setRowVisible(widget, shown)

    def record_phoned(self) -> None:
        provider, unit = self.phoned_provider.text(), self.phoned_unit.text().strip()
        answer, note = self.phoned_answer.currentData(), self.phoned_note.text()
        adding = self.add_to_register.isChecked()
        ctx, step_id, version = self.ctx, self.step_id, self.version
        if adding:
            if not unit:
                self.status.setText("Inte sparat. Enhet: ange enhetens namn, så att den kan läggas till i registret.")
                return
            phoned = PhonedUnit(provider, unit, self.phoned_hsa.text(), self.phoned_region.currentData(),
                                self.phoned_public.isChecked(), self.phoned_phone.text().strip() or None,
                                [self.search.need.specialty], self.phoned_others.isChecked())

            def work():
                return register.add_phoned_unit(ctx, step_id, phoned, answer, note, expected_version=version)
        else:
            phone = self.phoned_phone.text().strip()
            said = " ".join(p for p in (note.strip(), phone and f"Telefon {phone}.") if p)

            def work():
                return register.record_approach(ctx, step_id, provider, unit, answer, said, expected_version=version)
        self._save(work, lambda _result: self._phoned_saved(provider, unit, adding), "Inte sparat.")

    def _phoned_saved(self, provider: str, unit: str, adding: bool) -> None:
        for field in (self.phoned_provider, self.phoned_unit, self.phoned_phone, self.phoned_note,
                      self.phoned_hsa):
            field.clear()
        self._reload_approaches()
        if adding:
            register_news().changed.emit()  # every open register tab shows the new provider
            self._search()
            rows = [c.unit.name for c in self.search.candidates]
            if unit in rows:
                self.table.selectRow(rows.index(unit))
            self.status.setText(f"Kontakten med {provider.strip()} är sparad i ärendet, och {unit} finns nu i "
                                "registret.")
        else:
            self.status.setText(f"Kontakten med {provider.strip()} är sparad i ärendet.")

    def _save(self, work: Callable[[], Any], done: Callable[[Any], None], refused: str,
              confirmed: Callable[[], Any] | None = None) -> None:
        """A save as an op off the UI thread; what app refuses goes to the status line after `refused`; an
        offer that needs a confirmation asks (ui.confirm) and on "Ja, spara" runs `confirmed` instead."""
        buttons = (self.offer_button, self.approach_button, self.phoned_button)
        enabled = [b.isEnabled() for b in buttons]
        for button in buttons:
            button.setEnabled(False)

        def again(result: Any = None, exc: BaseException | None = None) -> None:
            for button, on in zip(buttons, enabled, strict=True):
                button.setEnabled(on)
            if exc is None:
                done(result)
            elif isinstance(exc, ConfirmationNeeded) and confirmed is not None and confirm_offer(self, exc):
                self._save(confirmed, done, refused)
            elif isinstance(exc, (ConfirmationNeeded, InputError)):
                exc = offer_not_confirmed() if isinstance(exc, ConfirmationNeeded) else exc
                self.status.setText(f"{refused} {exc.field}: {exc.message}")
            elif isinstance(exc, ConflictError):
                self._conflict(exc)
            else:  # storage trouble in plain Swedish; a bug logged and explained
                show_error(self, exc)
        self.runner.op(work, again, lambda exc: again(exc=exc), cases=MANY)

    def _search(self) -> None:
        self.search = register.find_candidates(self.ctx, self.step_id)
        need = self.search.need
        self.heading.setText(
            f"<b>{need.describe()}</b> – tidsgräns {need.deadline.isoformat()}, {need.remaining} dagar kvar. "
            "Ordning: egna enheter, egna avtal, andra regioner; sedan väntetid mot dagarna som är kvar.")
        self.model.set_rows(self.search.candidates)
        hints = register.explain(self.search)
        self.hints.setVisible(bool(hints))
        fits = any(c.eligible and c.fit == Fit.FITS for c in self.search.candidates)
        title = "" if fits else "<b>Ingen vårdgivare i registret hinner i tid.</b>"
        self.hints.setText(title + "<ul style='margin: 0'>" + "".join(
            f"<li>{html.escape(h.why)} <i>{html.escape(h.what_to_do)}</i></li>" for h in hints) + "</ul>")

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
        except InputError as exc:
            self.status.setText(f"Inget erbjudande sparades. {exc.field}: {exc.message}")
            return
        ctx, step_id, version = self.ctx, self.step_id, self.version

        def save(confirmed: bool) -> Callable[[], Any]:
            return lambda: register.offer_from_candidate(ctx, step_id, candidate, appointment, reply_by,
                                                         confirmed=confirmed, expected_version=version)
        self._save(save(False), lambda _result: self._offered(candidate), "Inget erbjudande sparades.",
                   confirmed=save(True))

    def _offered(self, candidate: Candidate) -> None:
        self._reload_approaches()
        self.status.setText(f"Erbjudandet från {candidate.unit.name} är sparat i ärendet.")

    def approach(self) -> None:
        candidate = self.selected()
        if candidate is None:
            return
        ctx, step_id, version = self.ctx, self.step_id, self.version
        answer, note = self.answer.currentData(), self.note.text()
        self._save(lambda: register.record_approach(ctx, step_id, candidate.unit.provider, candidate.unit.name,
                                                    answer, note, expected_version=version),
                   lambda _result: self._approached(candidate), "Inte sparat.")

    def _approached(self, candidate: Candidate) -> None:
        self.note.clear()
        self._reload_approaches()
        self.status.setText(f"Kontakten med {candidate.unit.provider} är sparad i ärendet.")


def _holder(layout) -> QWidget:
    holder = QWidget()
    holder.setLayout(layout)
    return holder


def _date(text: str, field: str, required: bool = False) -> date | None:
    if not text.strip():
        if required:
            raise InputError(field, "ange ett datum som ÅÅÅÅ-MM-DD.")
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, f"”{text.strip()}” är inte ett datum som ÅÅÅÅ-MM-DD.") from None
