"""The start-up summary: what needs attention today, each line a click into the worklist."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.worklist import Filter


class SummaryPanel(QWidget):
    chosen = Signal(object)  # Filter

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumWidth(230)
        layout = QVBoxLayout(self)
        title = QLabel("<b>Att göra i dag</b>")
        title.setAccessibleName("Att göra i dag")
        layout.addWidget(title)
        self.buttons: list[QPushButton] = []
        self._layout = layout
        layout.addStretch()
        self.reminder = QLabel()
        self.reminder.setObjectName("exportReminder")
        self.reminder.setWordWrap(True)
        self.reminder.setAccessibleName("Påminnelse om nationell rapportering")
        self.reminder.setStyleSheet("background: #fcefb4; border: 1px solid #b45309; padding: 6px;")
        self.reminder.hide()
        layout.addWidget(self.reminder)

    def show_counts(self, counts: list[tuple[str, Filter, int]]) -> None:
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        for position, (label, flt, count) in enumerate(counts):
            button = QPushButton(f"{label}: {count}")
            button.setAccessibleName(f"{label}, {count} steg. Visa i arbetslistan")
            button.setStyleSheet("text-align: left; padding: 6px;" + (" font-weight: bold;" if count else ""))
            button.clicked.connect(lambda _=False, f=flt: self.chosen.emit(f))
            self._layout.insertWidget(1 + position, button)
            self.buttons.append(button)

    def show_reminder(self, text: str) -> None:
        self.reminder.setText(text)
        self.reminder.setVisible(bool(text))
