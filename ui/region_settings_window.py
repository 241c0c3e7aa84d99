"""Administration → Inställningar: the region's settings on tabs (app.region_settings), and the thresholds' tab
(ui.rules_tab) whose saving re-evaluates the open steps. An administratör edits them; everyone else sees them
read-only with the reason shown. Also the first-start guide, which lists what the
export and the letters still need and opens the tab where it is set."""

from __future__ import annotations

from dataclasses import fields, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import reference, region_settings
from app.context import AppContext
from app.errors import InputError, StorageError
from app.importer.fields import KIND_LABELS
from app.importer.mappings import inboxes
from app.letters.sender import Sender
from app.settings import (
    TAB_ACTIVITIES,
    TAB_EXPORT,
    TAB_INBOXES,
    TAB_LIMITS,
    TAB_RULES,
    TAB_SENDER,
    TAB_UNITS,
    where,
)
from ui.errors import show_error
from ui.rules_tab import RulesTab

# Sender fields in the order of the form, with their labels (the same names the service's messages use).
SENDER_FIELDS = (
    ("region", "Region"), ("unit", "Enhet"), ("street", "Gatuadress"), ("postal_code", "Postnummer"),
    ("city", "Ort"), ("phone", "Telefon"), ("hours_sv", "Telefontider"), ("hours_en", "Telefontider (engelska)"),
    ("email", "E-post"), ("signature", "Underskrift"), ("logo", "Logotyp"),
)
NO_REGION = "(inte vald)"


class RegionSettingsWindow(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, tab: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("regionSettings")
        self.setWindowTitle("Inställningar")
        self.reason = region_settings.read_only_reason(ctx)
        self.current = region_settings.load(ctx)
        self.widgets: dict[str, QWidget] = {}   # by the field's Swedish label, as messages name it
        self.tab_of: dict[str, int] = {}
        layout = QVBoxLayout(self)
        if self.reason:
            banner = QLabel(self.reason)
            banner.setObjectName("readOnlyReason")
            banner.setWordWrap(True)
            banner.setStyleSheet("background: #fff4d6; border: 1px solid #c9a227; padding: 6px;")
            layout.addWidget(banner)
        self.tabs = QTabWidget()
        for name, build in ((TAB_SENDER, self._sender_tab), (TAB_EXPORT, self._export_tab),
                            (TAB_UNITS, self._units_tab), (TAB_ACTIVITIES, self._activities_tab),
                            (TAB_LIMITS, self._limits_tab), (TAB_RULES, self._rules_tab),
                            (TAB_INBOXES, self._inboxes_tab)):
            self.tabs.addTab(build(self.tabs.count()), name)
        layout.addWidget(self.tabs, 1)
        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a00000; font-weight: bold;")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        if self.reason:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            buttons.button(QDialogButtonBox.StandardButton.Close).setText("Stäng")
            buttons.rejected.connect(self.reject)
            self._make_read_only()
        else:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
            buttons.button(QDialogButtonBox.StandardButton.Save).setText("Spara")
            buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Avbryt")
            buttons.accepted.connect(self.save)
            buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        if tab is not None:
            self.show_tab(tab)

    def show_tab(self, name: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == name:
                self.tabs.setCurrentIndex(index)

    # --- tabs ---

    def _form_page(self, intro: str) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        outer = QVBoxLayout(page)
        text = QLabel(intro)
        text.setWordWrap(True)
        outer.addWidget(text)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(form)
        outer.addStretch(1)
        return page, form

    def _add(self, form: QFormLayout, tab: int, label: str, widget: QWidget, row: QWidget | None = None) -> None:
        widget.setAccessibleName(label)
        form.addRow(label + ":", row or widget)
        self.widgets[label] = widget
        self.tab_of[label] = tab

    def _line(self, value: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setMaximumWidth(520)
        return edit

    def _sender_tab(self, tab: int) -> QWidget:
        page, form = self._form_page("Avsändaren står i varje patientbrev: vem breven kommer från, vart patienten "
                                     "skriver och ringer, och vem som skriver under.")
        sender = self.current.sender
        for name, label in SENDER_FIELDS:
            edit = self._line(getattr(sender, name))
            if name == "logo":
                edit.setPlaceholderText("Ingen: regionens namn skrivs i stället")
                choose = QPushButton("&Välj fil…")
                choose.clicked.connect(self._choose_logo)
                self.choose_logo = choose
                row = QWidget()
                line = QHBoxLayout(row)
                line.setContentsMargins(0, 0, 0, 0)
                edit.setMinimumWidth(420)
                line.addWidget(edit)
                line.addWidget(choose)
                line.addStretch(1)
                self._add(form, tab, label, edit, row)
            else:
                if name == "signature":
                    edit.setPlaceholderText(f"{sender.unit}, {sender.region}")
                self._add(form, tab, label, edit)
        return page

    def _choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Välj logotyp", "", "Bilder (*.png *.jpg *.jpeg)")
        if path:
            self.widgets["Logotyp"].setText(path)

    def _export_tab(self, tab: int) -> QWidget:
        page, form = self._form_page("Uppgifterna som den månatliga filen till SKR:s Väntetidsdatabas kräver. "
                                     "Utan länskod och regionens HSA-id kan ingen fil skapas.")
        region = QComboBox()
        region.addItem(NO_REGION, "")
        for r in reference.regions():
            region.addItem(f"{r.code} {r.name}", r.code)
        region.setCurrentIndex(max(region.findData(self.current.region), 0))
        self._add(form, tab, "Länskod", region)
        self._add(form, tab, "Regionens HSA-id", self._line(self.current.hsa_region))
        vardgivare = self._line(self.current.hsa_vardgivare)
        vardgivare.setPlaceholderText("Samma som regionens")
        self._add(form, tab, "Vårdgivarens HSA-id", vardgivare)
        return page

    def _table(self, headings: list[str], rows: list[tuple[str, ...]], editable_column: int, stretch_column: int,
               accessible: str) -> QTableWidget:
        table = QTableWidget(len(rows), len(headings))
        table.setHorizontalHeaderLabels(headings)
        table.setAccessibleName(accessible)
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c != editable_column:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        for c in range(len(headings)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch if c == stretch_column
                                        else QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(110)
        return table

    def _units_tab(self, tab: int) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel("Varje enhet där patienter väntar behöver sitt HSA-id i den nationella exporten. Enheterna "
                       "kommer från de öppna ärendena. Dubbelklicka eller skriv i kolumnen HSA-id.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.units = self._table(["Enhet", "HSA-id"], list(self.current.units.items()), 1, 0,
                                 "Enheternas HSA-id")
        self.tab_of["HSA-id för"] = tab
        layout.addWidget(self.units)
        return page

    def _activities_tab(self, tab: int) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel("SKR:s aktivitetskod (fem tecken) för Lotsens åtgärder. En åtgärd utan kod rapporteras "
                       "utan aktivitet.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        codes = self.current.activity_codes
        rows = [(a.code, a.name, codes.get(a.code, "")) for a in reference.activities()]
        rows += [(code, "", skr) for code, skr in codes.items() if code not in {r[0] for r in rows}]
        self.activities = self._table(["Lotsens kod", "Åtgärd", "SKR-kod"], rows, 2, 1, "SKR:s aktivitetskoder")
        self.tab_of["SKR-kod för"] = tab
        layout.addWidget(self.activities)
        return page

    def _spin(self, value: int, low: int, high: int, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setSuffix(suffix)
        spin.setMaximumWidth(200)
        return spin

    def _limits_tab(self, tab: int) -> QWidget:
        page, form = self._form_page("Svarstider i breven, hur små tal som döljs i uppföljningen och hur länge "
                                     "den som gjort en registrering kan ta tillbaka den.")
        sender = self.current.sender
        # Wide ranges so that a value out of bounds reaches the service and is named there.
        self._add(form, tab, "Svarstid", self._spin(sender.reply_working_days, 0, 999, " arbetsdagar"))
        self._add(form, tab, "Posttid", self._spin(sender.post_working_days, 0, 99, " arbetsdagar"))
        self._add(form, tab, "Minsta antal som visas", self._spin(self.current.min_count, 0, 999, ""))
        self._add(form, tab, "Ångra inom (minuter)", self._spin(self.current.undo_minutes, 0, 9999, " minuter"))
        return page

    def _rules_tab(self, tab: int) -> QWidget:
        self.rules = RulesTab(self.ctx, read_only=self.reason is not None)
        self.rules_tab = tab
        return self.rules

    def _inboxes_tab(self, tab: int) -> QWidget:
        """Each import source's folder, shown only: it belongs to the source's column mapping (app.importer)."""
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel("Mappar som Lotsen hämtar listor ur (kommandot lotsen import --inbox, ofta schemalagt). "
                       "Här visas de; en källas inkorg sätts med lotsen import --kind … --mapping KÄLLA "
                       "--set-inbox MAPP.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rows = [(KIND_LABELS.get(kind, kind), source, folder) for kind, source, folder in inboxes(self.ctx)]
        self.inboxes = self._table(["Lista", "Källa", "Mapp"], rows, -1, 2, "Inkorgar")
        layout.addWidget(self.inboxes)
        if not rows:
            layout.addWidget(QLabel("Ingen källa har någon inkorg ännu."))
        return page

    def _make_read_only(self) -> None:
        for widget in self.widgets.values():
            if isinstance(widget, QLineEdit):
                widget.setReadOnly(True)
            else:
                widget.setEnabled(False)
        self.choose_logo.setEnabled(False)
        for table in (self.units, self.activities):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    # --- saving ---

    def values(self) -> region_settings.RegionSettings:
        w = self.widgets
        texts = {name: w[label].text() for name, label in SENDER_FIELDS}
        known = {f.name for f in fields(Sender)}
        sender = replace(self.current.sender, **{k: v for k, v in texts.items() if k in known},
                         reply_working_days=w["Svarstid"].value(), post_working_days=w["Posttid"].value())
        return replace(
            self.current, sender=sender, region=w["Länskod"].currentData(),
            hsa_region=w["Regionens HSA-id"].text().strip(), hsa_vardgivare=w["Vårdgivarens HSA-id"].text().strip(),
            units={self.units.item(r, 0).text(): self.units.item(r, 1).text().strip()
                   for r in range(self.units.rowCount())},
            activity_codes={self.activities.item(r, 0).text(): self.activities.item(r, 2).text().strip().upper()
                            for r in range(self.activities.rowCount())},
            min_count=w["Minsta antal som visas"].value(), undo_minutes=w["Ångra inom (minuter)"].value())

    def save(self) -> None:
        try:
            region_settings.save(self.ctx, self.values())
        except InputError as exc:  # named in the window, on its tab, nothing typed lost
            self.error.setText(f"{exc.field}: {exc.message}")
            self.error.setVisible(True)
            self._point_at(exc.field)
            return
        except StorageError as exc:  # disk full, locked, server gone: the shared message box
            show_error(self, exc)
            return
        if self.rules.changed():  # the thresholds: stored, then every open step re-evaluated, with progress
            self.buttons.setEnabled(False)
            self.rules.save(self.accept, self._rules_failed)
            return
        self.accept()

    def _rules_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, InputError):
            self.error.setText(f"{exc.field}: {exc.message}")
            self.error.setVisible(True)
            self.tabs.setCurrentIndex(self.rules_tab)
        else:
            show_error(self, exc)

    def _point_at(self, field: str) -> None:
        label = field if field in self.tab_of else next(  # a table's row: "HSA-id för Ortopeden Lund"
            (k for k in ("HSA-id för", "SKR-kod för") if field.startswith(k + " ")), None)
        if label is None:
            return
        self.tabs.setCurrentIndex(self.tab_of[label])
        if label in self.widgets:
            self.widgets[label].setFocus()


class FirstStartGuide(QDialog):
    """What the export and the letters still need, each with a button that opens its tab."""

    def __init__(self, ctx: AppContext, missing: list[region_settings.Missing], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("firstStartGuide")
        self.setWindowTitle("Kom igång: inställningar som saknas")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        reason = region_settings.read_only_reason(ctx)
        intro = QLabel("Innan breven och den nationella exporten fungerar behöver några uppgifter fyllas i:"
                       if reason is None else
                       "Innan breven och den nationella exporten fungerar behöver en administratör fylla i några "
                       f"uppgifter under {where(TAB_SENDER).split(',')[0]}:")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.tab_buttons: dict[str, QPushButton] = {}
        for item in missing:
            row = QHBoxLayout()
            text = QLabel("• " + item.text)
            text.setWordWrap(True)
            row.addWidget(text, 1)
            if item.tab not in self.tab_buttons:
                button = QPushButton(f"Öppna fliken {item.tab}")
                button.clicked.connect(lambda _=False, tab=item.tab: self.open_tab(tab))
                self.tab_buttons[item.tab] = button
                row.addWidget(button)
            layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Senare")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.settings: RegionSettingsWindow | None = None

    def open_tab(self, tab: str) -> None:
        self.settings = RegionSettingsWindow(self.ctx, self, tab=tab)
        self.settings.open()
