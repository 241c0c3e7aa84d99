"""The start-up summary: what needs attention today, each line a click into the worklist."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
        self._filters: list[Filter] = []
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
        """New counts on the same buttons (the one in focus keeps it); new buttons when the lines change."""
        self._filters = [flt for _label, flt, _count in counts]
        while len(self.buttons) > len(counts):
            self.buttons.pop().deleteLater()
        while len(self.buttons) < len(counts):
            button = QPushButton()
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reached by Tab, as every button
            button.clicked.connect(lambda _=False, i=len(self.buttons): self.chosen.emit(self._filters[i]))
            self._layout.insertWidget(1 + len(self.buttons), button)
            button.show()  # at once, not when the layout's queued show comes: Tab reaches it from now on
            self.buttons.append(button)
        for button, (label, _flt, count) in zip(self.buttons, counts, strict=True):
            button.setText(f"{label}: {count}")
            button.setAccessibleName(f"{label}, {count} steg. Visa i arbetslistan")
            button.setStyleSheet("text-align: left; padding: 6px;" + (" font-weight: bold;" if count else ""))

    def show_reminder(self, text: str) -> None:
        self.reminder.setText(text)
        self.reminder.setVisible(bool(text))
