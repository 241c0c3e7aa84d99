"""The worklist's filters: free text that filters as you type, lists, check boxes and saved filters."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.guarantee import Flag, State
from app.worklist import BANDS, SEARCH_LIMIT, Choices, Filter
from ui.states import LABEL

TYPING_PAUSE_MS = 150
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class FilterBar(QWidget):
    changed = Signal(object)           # Filter
    save_requested = Signal(str, object)  # name, Filter
    entered = Signal()                 # Enter in the search: the filter is applied first
    down_pressed = Signal()            # Down arrow in the search: on to the list

    def __init__(self, user_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.user_id = user_id
        self._quiet = False
        self.search = QLineEdit()
        self.search.setPlaceholderText("Sök namn eller personnummer")
        self.search.setToolTip("Sök namn eller personnummer (Ctrl+F)")
        self.search.setAccessibleName("Sök patient")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(210)
        self.search.setMaxLength(SEARCH_LIMIT)  # a long paste is cut here, not sent to the query on each keystroke
        self._typing = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._emit)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self._enter)
        self.search.installEventFilter(self)
        # A list's value asked for before the list is read (the last filter, restored at start): chosen once read.
        self._wanted: dict[QComboBox, object] = {}

        self.state = self._combo("Status", [(None, "Alla statusar")] + [(s, LABEL[s]) for s in State
                                                                         if s is not State.CLOSED])
        self.step = self._combo("Steg", [(None, "Alla steg")])
        self.specialty = self._combo("Verksamhetsområde", [(None, "Alla verksamhetsområden")])
        self.specialty.setMinimumContentsLength(19)  # "Alla verksamhetsområden" whole at 1366 pixels
        self.unit = self._combo("Enhet", [(None, "Alla enheter")])
        self.region = self._combo("Hemregion", [(None, "Alla hemregioner")])
        self.band = self._combo("Väntetid", [(None, "Alla väntetider")] + [(b, f"Väntat mer än {b} dagar")
                                                                           for b in BANDS])
        self.lapsing = self._combo("Tidsgräns", [(None, "Alla tidsgränser")] + [
            (d, f"Löper ut inom {d} dagar") for d in (7, 14, 30)])
        self.mine = self._check("&Mina ärenden")
        self.no_notice = self._check("&Besked saknas")
        self.no_contact = self._check("Ingen &kontakt")
        self.clear = QPushButton("&Rensa filter")
        self.clear.clicked.connect(self.reset)
        self.saved = self._combo("Sparade filter", [(None, "Sparade filter…")])
        self.saved.activated.connect(self._apply_saved)
        self.save = QPushButton("&Spara filter…")
        self.save.clicked.connect(self._ask_save)

        first = QHBoxLayout()
        for widget in (self.search, self.state, self.lapsing, self.band, self.step, self.specialty):
            first.addWidget(widget)
        first.addStretch()
        second = QHBoxLayout()
        for widget in (self.unit, self.region, self.mine, self.no_notice, self.no_contact, self.clear,
                       self.saved, self.save):
            second.addWidget(widget)
        second.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(first)
        layout.addLayout(second)
        self._saved_filters: dict[str, Filter] = {}

    def _combo(self, name: str, items: list[tuple[object, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(11)
        for value, label in items:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _i, c=combo: self._quiet or self._wanted.pop(c, None))
        combo.currentIndexChanged.connect(self._emit)
        return combo

    def _check(self, text: str) -> QCheckBox:
        box = QCheckBox(text)
        box.setAccessibleName(text.replace("&", ""))
        box.toggled.connect(self._emit)
        return box

    def set_choices(self, choices: Choices) -> None:
        before = self.current()
        self._quiet = True
        for combo, items in (
            (self.step, choices.steps),
            (self.specialty, choices.specialties),
            (self.unit, [(u, u) for u in choices.units]),
            (self.region, choices.regions),
        ):
            current = self._wanted.pop(combo, combo.currentData())
            while combo.count() > 1:
                combo.removeItem(1)
            for value, label in items:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
        self._quiet = False
        if self.current() != before:  # a remembered value no longer offered: the list shows what is offered
            self.changed.emit(self.current())

    def set_saved(self, saved: dict[str, Filter]) -> None:
        self._saved_filters = dict(saved)
        self._quiet = True
        while self.saved.count() > 1:
            self.saved.removeItem(1)
        for name in sorted(saved):
            self.saved.addItem(name, name)
        self.saved.setCurrentIndex(0)
        self._quiet = False

    def current(self) -> Filter:
        def one(combo: QComboBox, kind=lambda v: v) -> frozenset:
            value = self._wanted.get(combo, combo.currentData())
            return frozenset() if value is None else frozenset({kind(value)})

        flags = {f for f, box in ((Flag.NO_NOTICE, self.no_notice), (Flag.NO_CONTACT, self.no_contact))
                 if box.isChecked()}
        return Filter(
            states=one(self.state, State), steps=one(self.step), specialties=one(self.specialty), units=one(self.unit),
            home_regions=one(self.region), flags=frozenset(flags),
            assigned_to=self.user_id if self.mine.isChecked() else None,
            waited_over=self.band.currentData(), lapsing_within=self.lapsing.currentData(),
            text=self.search.text().strip(),
        )

    def show_filter(self, flt: Filter, apply: bool = True) -> None:
        """Set the controls to a filter (from the summary, a saved filter or the last one) and apply it."""
        self._quiet = True
        self._wanted.clear()
        self.search.setText(flt.text)
        for combo, values in ((self.state, flt.states), (self.step, flt.steps), (self.specialty, flt.specialties),
                              (self.unit, flt.units), (self.region, flt.home_regions)):
            index = combo.findData(next(iter(values))) if values else 0
            if index < 0:  # its list is not read yet
                self._wanted[combo] = next(iter(values))
            combo.setCurrentIndex(max(0, index))
        self.band.setCurrentIndex(max(0, self.band.findData(flt.waited_over)) if flt.waited_over else 0)
        self.lapsing.setCurrentIndex(max(0, self.lapsing.findData(flt.lapsing_within)) if flt.lapsing_within else 0)
        self.mine.setChecked(flt.assigned_to is not None)
        self.no_notice.setChecked(Flag.NO_NOTICE in flt.flags)
        self.no_contact.setChecked(Flag.NO_CONTACT in flt.flags)
        self._quiet = False
        self._typing.stop()
        if apply:
            self.changed.emit(flt)

    def active_names(self) -> list[str]:
        """The filters in use besides the search, as the controls show them ("Mina ärenden", "Risk" …)."""
        names = [combo.currentText() for combo in (self.state, self.lapsing, self.band, self.step, self.specialty,
                                                   self.unit, self.region) if combo.currentIndex() > 0]
        return names + [box.text().replace("&", "") for box in (self.mine, self.no_notice, self.no_contact)
                        if box.isChecked()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        if watched is self.search and event.type() == QEvent.Type.ShortcutOverride and event.key() in ENTER:
            event.accept()  # Enter is the search's own here, not the window's "open the chosen case"
        elif watched is self.search and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            self.down_pressed.emit()
            return True
        return super().eventFilter(watched, event)

    def _enter(self) -> None:
        """Enter applies what is typed at once (not after the typing pause), then asks for the hit."""
        if self._typing.isActive():
            self._typing.stop()
            self._emit()
        self.entered.emit()

    def reset(self) -> None:
        self.show_filter(Filter())

    def _emit(self) -> None:
        if not self._quiet:
            self.changed.emit(self.current())

    def _apply_saved(self, index: int) -> None:
        name = self.saved.itemData(index)
        if name in self._saved_filters:
            self.show_filter(self._saved_filters[name])

    def _ask_save(self) -> None:
        name, ok = QInputDialog.getText(self, "Spara filter", "Namn på filtret:")
        if ok and name.strip():
            self.save_requested.emit(name.strip(), self.current())
