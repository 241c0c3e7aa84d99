"""A small form dialog for the case actions: fields in, one service call out, errors shown in place.

The values are read on the UI thread; the call runs there, or off it as a window's op (`run`, ui.worker) while the
form waits, still open. A bad value keeps the dialog open with the message beside the buttons, so nothing typed
is lost; a conflict (someone else saved the case) closes it and is kept in `conflict` for the window to tell."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConflictError, InputError, StorageError
from app.offer_checks import ConfirmationNeeded
from ui.confirm import ask, confirm_offer, offer_not_confirmed
from ui.dates import DateField
from ui.errors import show_error


ERROR_STYLE = "color: #9b1c1c; font-weight: bold;"
Run = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]
AskFirst = Callable[[dict[str, Any]], tuple[str, str]]  # values → (question, consequence), asked before saving


def save_cancel_buttons(dialog: QDialog, save: Callable[[], None]) -> QDialogButtonBox:
    """Spara and Avbryt; Spara runs `save`, which closes the dialog only when all went well."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Save).setText("Spara")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Avbryt")
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def with_mnemonics(labels: Sequence[str], taken: Iterable[str] = ()) -> list[str]:
    """Each label with an "&" before a letter that no other label (nor `taken`) has: a word's first letter when
    free, else any letter; none when every letter is taken. Alt+letter then reaches every field of a form."""
    used = {t.casefold() for t in taken}
    out = []
    for label in labels:
        letters = [i for i, ch in enumerate(label) if ch.isalpha()]
        starts = [i for i in letters if i == 0 or not label[i - 1].isalpha()]
        pick = next((i for i in starts + letters if label[i].casefold() not in used), None)
        if pick is None:
            out.append(label.replace("&", "&&"))
            continue
        used.add(label[pick].casefold())
        out.append(label[:pick].replace("&", "&&") + "&" + label[pick:].replace("&", "&&"))
    return out


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"           # text, multiline, date, optional_date, choice, check
    default: Any = None
    choices: Sequence[tuple[Any, str]] = field(default_factory=list)
    help: str = ""


class FormDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, fields: Sequence[Field],
                 submit: Callable[[dict[str, Any]], Any], intro: str = "", today: date | None = None, *,
                 run: Run | None = None, ask_first: AskFirst | None = None):
        super().__init__(parent)
        self.today = today
        self._run = run
        self._ask_first = ask_first
        self.saving = False  # a save is running off the UI thread; the form waits for it
        self.conflict: ConflictError | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self._submit = submit
        self.result_value: Any = None
        self.widgets: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        if intro:
            text = QLabel(intro)
            text.setWordWrap(True)
            layout.addWidget(text)
        form = QFormLayout()
        for f, caption in zip(fields, with_mnemonics([f.label for f in fields]), strict=True):
            widget = self._widget(f)
            widget.setAccessibleName(f.label)
            if f.help:
                widget.setToolTip(f.help)
            self.widgets[f.name] = widget
            if f.kind == "check":
                widget.setText(caption)
            label = QLabel(caption if f.kind != "check" else "")
            label.setBuddy(widget)
            form.addRow(label, widget)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setAccessibleName("Felmeddelande")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = save_cancel_buttons(self, self.save)
        layout.addWidget(self.buttons)

    def _widget(self, f: Field) -> QWidget:
        if f.kind in ("date", "optional_date"):
            return DateField(f.default, required=f.kind == "date", today=self.today)
        if f.kind == "choice":
            combo = QComboBox()
            for value, label in f.choices:
                combo.addItem(label, value)
            if f.default is not None:
                combo.setCurrentIndex(max(0, combo.findData(f.default)))
            return combo
        if f.kind == "check":
            box = QCheckBox(f.label)
            box.setChecked(bool(f.default))
            return box
        if f.kind == "multiline":
            edit = QPlainTextEdit(f.default or "")
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(80)
            return edit
        return QLineEdit(f.default or "")

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, DateField):
                out[name] = widget.value()
            elif isinstance(widget, QComboBox):
                out[name] = widget.currentData()
            elif isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText()
            else:
                out[name] = widget.text()
        return out

    def save(self) -> None:
        try:
            values = self.values()  # a date that is not one is named here
        except InputError as exc:
            self._show(exc)
            return
        if self._ask_first is not None:
            question, consequence = self._ask_first(values)
            if not ask(None, "Bekräfta", (consequence,), question):
                self._show(InputError("Bekräftelse", "inte sparat. Ändra uppgifterna eller spara igen och "
                                                     "bekräfta."))
                return
        self._save(values)

    def _save(self, values: dict[str, Any]) -> None:
        """`values["confirmed"]` is True once the user has confirmed what app asked about (ConfirmationNeeded)."""
        if self._run is None:
            try:
                result = self._submit(values)
            except Exception as exc:  # noqa: BLE001 - each kind handled in _failed
                self._failed(values, exc)
                return
            self._saved(result)
            return
        self._set_saving(True)
        self._run(lambda: self._submit(values), self._saved, lambda exc: self._failed(values, exc))

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        self.buttons.setEnabled(not saving)
        self.error.setStyleSheet("color: #444;" if saving else ERROR_STYLE)
        self.error.setText("Sparar …" if saving else "")
        self.error.setVisible(saving)

    def _saved(self, result: Any) -> None:
        self._set_saving(False)
        self.result_value = result
        self.accept()

    def _failed(self, values: dict[str, Any], exc: BaseException) -> None:
        self._set_saving(False)
        if isinstance(exc, ConfirmationNeeded):
            if confirm_offer(self, exc):
                self._save({**values, "confirmed": True})
                return
            exc = offer_not_confirmed()
        if isinstance(exc, ConflictError):  # saving again from this form cannot work: the window says why
            self.conflict = exc
            self.reject()
        elif isinstance(exc, (InputError, StorageError)):
            self._show(exc)
        else:  # a bug: logged and explained, the dialog stays open
            show_error(self, exc)

    def _show(self, exc: InputError | StorageError) -> None:
        self.error.setText(f"{exc.field}: {exc.message}" if isinstance(exc, InputError) else exc.message)
        self.error.show()

    def reject(self) -> None:
        if not self.saving:  # a save under way finishes first (it cannot be taken back half-way)
            super().reject()


def read_only_table(headings: list[str], accessible: str, *, stretch_last: bool = True) -> QTableWidget:
    """A table to read and pick a row from: whole rows, one at a time, columns as wide as their contents (the
    last one taking the rest), and Tab leaves it for the next field."""
    table = QTableWidget(0, len(headings))
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(headings)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    for column in range(len(headings)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    if stretch_last:
        header.setSectionResizeMode(len(headings) - 1, QHeaderView.ResizeMode.Stretch)
    return table
