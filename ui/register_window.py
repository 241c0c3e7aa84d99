"""The provider and contract register: searchable lists and edit forms for providers, units, contracts and
capacity, with each item's change history. Contracts that expire within 90 days and capacity older than six
weeks are highlighted with colour and said in words. Open with `RegisterWindow(ctx, parent).show()`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import reference, register
from app.context import AppContext
from app.errors import InputError
from app.register.checks import split_codes


class RegisterNews(QObject):
    """Told whenever this Lotsen saves to the register (a tab, or Hitta vård adding a phoned provider): every
    open register tab then reads its list and its choices again, so that a new provider shows everywhere."""

    changed = Signal()


_news: RegisterNews | None = None


def register_news() -> RegisterNews:
    global _news
    if _news is None:
        _news = RegisterNews()
    return _news


WARN = QColor("#fbd9b0")  # the worklist's "akut" colour: readable with black text
Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A read-only table over a list of plain rows; `warn(row)` rows get a coloured background beside the
    text that already says why."""

    def __init__(self, columns: list[tuple[str, Callable[[Any], Any]]], warn: Callable[[Any], bool] | None = None,
                 parent=None):
        super().__init__(parent)
        self._columns, self._warn, self._rows = columns, warn, []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section][0] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        title, value = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            shown = value(row)
            text = "" if shown is None else shown.isoformat() if isinstance(shown, date) else str(shown)
            return text if role == Qt.ItemDataRole.DisplayRole else f"{title}: {text}"
        if role == Qt.ItemDataRole.BackgroundRole and self._warn is not None and self._warn(row):
            return WARN
        return None


def table_view(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


# --- form fields: a widget per field, text in and out ---

@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: str = "text"  # text / date / int / bool / codes / choice / prices
    choices: Callable[[], list[tuple[str, Any]]] | None = None  # (shown text, value)


def _widget(spec: FormField) -> QWidget:
    if spec.kind == "bool":
        widget = QCheckBox(spec.label)
    elif spec.kind == "choice":
        widget = QComboBox()
    else:
        widget = QLineEdit()
        if spec.kind == "date":
            widget.setPlaceholderText("ÅÅÅÅ-MM-DD")
        elif spec.kind == "codes":
            widget.setPlaceholderText("koder åtskilda med komma")
        elif spec.kind == "prices":
            widget.setPlaceholderText("kod: pris, till exempel P010: 65000")
    widget.setAccessibleName(spec.label)
    return widget


def _set(spec: FormField, widget: QWidget, value: Any) -> None:
    if spec.kind == "bool":
        widget.setChecked(bool(value))
    elif spec.kind == "choice":
        widget.clear()
        for text, choice in spec.choices():
            widget.addItem(text, choice)
        widget.setCurrentIndex(max(0, widget.findData(value)))
    elif spec.kind == "codes":
        widget.setText(", ".join(value or []))
    elif spec.kind == "prices":
        widget.setText(", ".join(f"{k}: {v}" for k, v in (value or {}).items()))
    elif isinstance(value, date):
        widget.setText(value.isoformat())
    else:
        widget.setText("" if value is None else str(value))


def _get(spec: FormField, widget: QWidget) -> Any:
    if spec.kind == "bool":
        return widget.isChecked()
    if spec.kind == "choice":
        return widget.currentData()
    text = widget.text().strip()
    if spec.kind == "codes":
        return split_codes(text)
    if not text:
        return {} if spec.kind == "prices" else None
    try:
        if spec.kind == "date":
            return date.fromisoformat(text)
        if spec.kind == "int":
            return int(text)
        if spec.kind == "prices":
            pairs = [part.split(":") for part in text.split(",")]
            return {code.strip(): int(price) for code, price in pairs}
    except ValueError:
        examples = {"date": "ett datum som ÅÅÅÅ-MM-DD", "int": "ett heltal", "prices": "kod: pris, kod: pris"}
        raise InputError(spec.label, f"skriv {examples[spec.kind]}.") from None
    return text


@dataclass(frozen=True)
class Section:
    """One tab: its list, its form and the services behind them."""

    entity: str
    title: str
    columns: list[tuple[str, Callable[[Any], Any]]]
    fields: list[FormField]
    load: Callable[[AppContext, str], list]
    get: Callable[[AppContext, int], Any]
    save: Callable[[AppContext, Any, int | None], int]
    data_type: type
    warn: Callable[[Any], bool] | None = None
    legend: str = ""


class RegisterTab(QWidget):
    def __init__(self, ctx: AppContext, section: Section, parent=None):
        super().__init__(parent)
        self.ctx, self.section, self.current_id = ctx, section, None
        self.search = QLineEdit()
        self.search.setPlaceholderText("Sök …")
        self.search.setAccessibleName(f"Sök {section.title.lower()}")
        self.search.textChanged.connect(self.reload)
        self.model = RowsModel(section.columns, section.warn, self)
        self.table = table_view(self.model, section.title)
        self.table.selectionModel().currentRowChanged.connect(self._select)
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.table)
        if section.legend:
            legend = QLabel(section.legend)
            legend.setWordWrap(True)
            left.addWidget(legend)
        self.widgets = {spec.key: _widget(spec) for spec in section.fields}
        form = QFormLayout()
        for spec in section.fields:
            form.addRow("" if spec.kind == "bool" else spec.label + ":", self.widgets[spec.key])
        self.new_button = QPushButton("&Ny")
        self.save_button = QPushButton("&Spara")
        for button, name in ((self.new_button, "Ny post"), (self.save_button, "Spara")):
            button.setAccessibleName(name)
        self.new_button.clicked.connect(self.new)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch()
        self.status = QLabel()
        self.status.setAccessibleName("Meddelande")
        self.status.setWordWrap(True)
        self.history = RowsModel([("Tid (UTC)", lambda c: c.at.strftime("%Y-%m-%d %H:%M")), ("Vem", lambda c: c.user),
                                  ("Fält", lambda c: c.field), ("Före", lambda c: c.old), ("Efter", lambda c: c.new)],
                                 parent=self)
        self.history_view = table_view(self.history, "Ändringshistorik")
        editing = QVBoxLayout()
        editing.addLayout(form)
        editing.addLayout(buttons)
        editing.addWidget(self.status)
        editing.addStretch()
        history = QVBoxLayout()
        history.setContentsMargins(0, 0, 0, 0)
        history.addWidget(QLabel("Ändringshistorik:"))
        history.addWidget(self.history_view)
        # The contract form is long: it scrolls, so that the history below keeps room to be read.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the fields narrow instead
        scroll.setWidget(_holder(editing))
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(scroll)
        right.addWidget(_holder(history))
        right.setSizes([440, 300])
        splitter = QSplitter()
        splitter.addWidget(_holder(left))
        splitter.addWidget(right)
        splitter.setSizes([620, 520])
        outer = QVBoxLayout(self)
        outer.addWidget(splitter)
        self.reload()
        self.new()

    def refresh(self) -> None:
        """After a save anywhere: the list, and the choices of the form (a new provider to choose), keeping
        what the form shows."""
        self.reload()
        for spec in self.section.fields:
            if spec.kind == "choice":
                widget = self.widgets[spec.key]
                _set(spec, widget, widget.currentData())

    def reload(self) -> None:
        self.model.set_rows(self.section.load(self.ctx, self.search.text()))
        for column in range(self.model.columnCount() - 1):
            self.table.resizeColumnToContents(column)

    def new(self) -> None:
        self.current_id = None
        for spec in self.section.fields:
            _set(spec, self.widgets[spec.key], None)
        self.history.set_rows([])
        self.status.setText(f"Ny post i {self.section.title.lower()}.")

    def _select(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        self.current_id = self.model.row_at(current.row()).id
        data = self.section.get(self.ctx, self.current_id)
        for spec in self.section.fields:
            _set(spec, self.widgets[spec.key], getattr(data, spec.key))
        self._show_history()
        self.status.setText("")

    def save(self) -> None:
        try:
            values = {spec.key: _get(spec, self.widgets[spec.key]) for spec in self.section.fields}
            saved = self.section.save(self.ctx, self.section.data_type(**values), self.current_id)
        except InputError as exc:
            self.status.setText(f"Inte sparat. {exc.field}: {exc.message}")
            return
        self.current_id = saved
        self.reload()
        register_news().changed.emit()  # every shown register tab: its list and choices
        self._show_history()
        self.status.setText("Sparat.")

    def _show_history(self) -> None:
        self.history.set_rows(register.history(self.ctx, self.section.entity, self.current_id))
        self.history_view.resizeColumnsToContents()


def _holder(layout: QVBoxLayout) -> QWidget:
    holder = QWidget()
    holder.setLayout(layout)
    return holder


def _regions() -> list[tuple[str, str]]:
    return [(f"{r.code} {r.name}", r.code) for r in reference.regions()]


def sections(ctx: AppContext) -> list[Section]:
    def providers() -> list[tuple[str, Any]]:
        return [(p.name, p.id) for p in register.list_providers(ctx)]

    def units() -> list[tuple[str, Any]]:
        return [("Alla vårdgivarens enheter", None)] + [(f"{u.name} ({u.hsa_id})", u.id)
                                                         for u in register.list_units(ctx)]

    def unit_choices() -> list[tuple[str, Any]]:
        return [(f"{u.name} ({u.hsa_id})", u.id) for u in register.list_units(ctx)]

    return [
        Section("provider", "Vårdgivare", [
            ("Namn", lambda r: r.name), ("Organisationsnummer", lambda r: r.org_number),
            ("Offentlig", lambda r: "Ja" if r.public else "Nej"), ("Region", lambda r: r.region)],
            [FormField("name", "Namn"), FormField("org_number", "Organisationsnummer"),
             FormField("region", "Region", "choice", _regions),
             FormField("public", "Offentlig vårdgivare (regionens egen vård)", "bool")],
            register.list_providers, register.get_provider, register.save_provider, register.ProviderData),
        Section("unit", "Enheter", [
            ("Namn", lambda r: r.name), ("HSA-id", lambda r: r.hsa_id), ("Vårdgivare", lambda r: r.provider),
            ("Kommun", lambda r: r.municipality), ("MVO", lambda r: r.specialties),
            ("Andra regioner", lambda r: "Tar emot" if r.accepts_other_regions else "Tar inte emot")],
            [FormField("name", "Namn"), FormField("hsa_id", "HSA-id"),
             FormField("provider_id", "Vårdgivare", "choice", providers),
             FormField("region", "Region", "choice", _regions), FormField("municipality", "Kommunkod"),
             FormField("address", "Adress"), FormField("specialties", "Verksamhetsområden (MVO)", "codes"),
             FormField("activities", "Åtgärder", "codes"), FormField("kva", "KVÅ-koder", "codes"),
             FormField("accepts_other_regions", "Tar emot patienter från andra regioner", "bool"),
             FormField("referral_required", "Kräver remiss", "bool"), FormField("contact_person", "Kontaktperson"),
             FormField("phone", "Telefon"), FormField("email", "E-post")],
            register.list_units, register.get_unit, register.save_unit, register.UnitData),
        Section("contract", "Avtal", [
            ("Status", lambda r: r.status), ("Benämning", lambda r: r.title), ("Vårdgivare", lambda r: r.provider),
            ("Enhet", lambda r: r.unit), ("Avtalsregion", lambda r: r.region), ("Form", lambda r: r.form),
            ("Gäller till", lambda r: r.valid_to or "tills vidare")],
            [FormField("title", "Benämning"), FormField("provider_id", "Vårdgivare", "choice", providers),
             FormField("unit_id", "Enhet", "choice", units), FormField("region", "Avtalsregion", "choice", _regions),
             FormField("form", "Avtalsform", "choice", lambda: [(v, k) for k, v in register.CONTRACT_FORMS.items()]),
             FormField("services", "Tjänster", "codes"), FormField("valid_from", "Gäller från", "date"),
             FormField("valid_to", "Gäller till", "date"), FormField("renewal_on", "Förnyelsedatum", "date"),
             FormField("volume_ceiling", "Volymtak", "int"), FormField("volume_used", "Utnyttjad volym", "int"),
             FormField("prices", "Pris per tjänst (kr)", "prices"),
             FormField("open_to_other_regions", "Öppet för andra regioners patienter", "bool"),
             FormField("open_regions", "Regioner som får använda (tomt: alla)", "codes"),
             FormField("other_region_terms", "Villkor för andra regioner"),
             FormField("excluded_groups", "Undantagna patientgrupper"), FormField("document_ref", "Dokument")],
            register.list_contracts, register.get_contract, register.save_contract, register.ContractData,
            warn=lambda r: r.warn, legend="Avtal som har gått ut eller går ut inom 90 dagar är markerade med "
                                          "orange och står först; statusen står i klartext."),
        Section("capacity", "Kapacitet", [
            ("Status", lambda r: r.status), ("Enhet", lambda r: r.unit), ("Tjänst", lambda r: r.service),
            ("Väntetid (dagar)", lambda r: r.wait_days), ("Lediga tider", lambda r: r.free_slots),
            ("Uppgift per", lambda r: r.as_of), ("Källa", lambda r: r.source)],
            [FormField("unit_id", "Enhet", "choice", unit_choices), FormField("service", "Tjänst (MVO, åtgärd, KVÅ)"),
             FormField("as_of", "Uppgift per", "date"), FormField("wait_days", "Beräknad väntetid (dagar)", "int"),
             FormField("free_slots", "Lediga tider", "int"), FormField("period_from", "Period från", "date"),
             FormField("period_to", "Period till", "date"), FormField("source", "Källa")],
            register.list_capacity, register.get_capacity, register.save_capacity, register.CapacityData,
            warn=lambda r: r.stale, legend="Uppgifter äldre än sex veckor är markerade med orange och "
                                           "”Inaktuell” i klartext."),
    ]


class RegisterWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Lotsen – vårdgivare, avtal och kapacitet")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Registrets delar")
        self.pages = [RegisterTab(ctx, section) for section in sections(ctx)]
        for page in self.pages:
            self.tabs.addTab(page, page.section.title)
        self.tabs.currentChanged.connect(lambda i: self.pages[i].reload())
        self.setCentralWidget(self.tabs)
        self.resize(1280, 760)

    # Told of saves only while shown (a closed window is kept to be shown again, and read again then).
    def showEvent(self, event) -> None:  # Qt API
        super().showEvent(event)
        register_news().changed.connect(self.refresh)

    def hideEvent(self, event) -> None:  # Qt API
        register_news().changed.disconnect(self.refresh)
        super().hideEvent(event)

    def refresh(self) -> None:
        for page in self.pages:
            page.refresh()

