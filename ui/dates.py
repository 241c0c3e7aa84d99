"""One date field for the whole app: typed as ÅÅÅÅ-MM-DD in one field, empty when optional and not given,
a calendar (button, Alt+Ned or F4) that opens at the date shown or else today, and Tab that leaves the field."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from app.errors import InputError

FORMAT = "ÅÅÅÅ-MM-DD"


class DateField(QWidget):
    changed = Signal()

    def __init__(self, value: date | None = None, *, required: bool = False, today: date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.required = required
        self.today = today or date.today()
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(FORMAT)
        self.edit.setMaxLength(10)
        self.edit.setFixedWidth(self.edit.fontMetrics().horizontalAdvance("0000-00-00") + 40)
        self.edit.setClearButtonEnabled(not required)
        self.edit.textChanged.connect(self.changed)
        self.edit.installEventFilter(self)
        self.button = QToolButton()
        self.button.setText("Kalender")
        self.button.setToolTip("Välj i kalendern (Alt+Ned eller F4)")
        self.button.setAccessibleName("Öppna kalendern")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from the date to the next field
        self.button.clicked.connect(self.open_calendar)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.edit)
        row.addWidget(self.button)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setFocusProxy(self.edit)
        self.calendar: QCalendarWidget | None = None
        self.set_value(value)

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def set_value(self, value: date | None) -> None:
        self.edit.setText(value.isoformat() if value else "")

    def text(self) -> str:
        return self.edit.text().strip()

    def value(self) -> date | None:
        """The date typed; None when empty and optional. InputError names the field when it is not a date."""
        name = self.accessibleName() or "Datum"
        text = self.text()
        if not text:
            if self.required:
                raise InputError(name, f"fyll i ett datum som {FORMAT}.")
            return None
        try:
            return date.fromisoformat(text) if len(text) == 10 else _fail()
        except ValueError:
            raise InputError(name, f"”{text}” är inte ett datum. Skriv det som {FORMAT}, till exempel "
                                   f"{self.today.isoformat()}.") from None

    def open_calendar(self) -> None:
        try:
            shown = self.value() or self.today
        except InputError:
            shown = self.today
        menu = QMenu(self)
        calendar = QCalendarWidget()
        calendar.setGridVisible(True)
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def chosen(day: QDate) -> None:
            self.set_value(date(day.year(), day.month(), day.day()))
            menu.close()
            self.edit.setFocus()
        calendar.activated.connect(chosen)
        calendar.clicked.connect(chosen)
        self.calendar = calendar
        menu.popup(self.edit.mapToGlobal(self.edit.rect().bottomLeft()))
        calendar.setFocus()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            alt_down = event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
            if alt_down or event.key() == Qt.Key.Key_F4:
                self.open_calendar()
                return True
        return super().eventFilter(watched, event)


def _fail() -> date:
    raise ValueError("not ÅÅÅÅ-MM-DD")
