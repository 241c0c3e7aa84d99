"""Arkiv: find closed cases by the patient's name or personnummer and the period they were closed in."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import patients
from app.cases import CLOSE_REASONS
from app.errors import InputError, StorageError
from ui.dates import DateField
from ui.errors import show_error


class ArchiveDialog(QDialog):
    open_case = Signal(int)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Arkiv – avslutade ärenden")
        self.setMinimumSize(900, 560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.text = QLineEdit()
        self.text.setPlaceholderText("Namn eller personnummer, i valfri ordning")
        self.text.setAccessibleName("Namn eller personnummer")
        self.text.returnPressed.connect(self.search)
        caption = QLabel("&Sök:")
        caption.setBuddy(self.text)
        form.addRow(caption, self.text)
        period = QHBoxLayout()
        self.closed_from, self.closed_to = DateField(), DateField()
        self.closed_from.setAccessibleName("Avslutat från")
        self.closed_to.setAccessibleName("Avslutat till")
        from_caption = QLabel("Avslutat &från:")
        from_caption.setBuddy(self.closed_from)
        to_caption = QLabel("&till:")
        to_caption.setBuddy(self.closed_to)
        for widget in (from_caption, self.closed_from, to_caption, self.closed_to):
            period.addWidget(widget)
        self.search_button = QPushButton("S&ök")
        self.search_button.setAccessibleName("Sök i arkivet")
        self.search_button.clicked.connect(self.search)
        period.addWidget(self.search_button)
        period.addStretch()
        form.addRow(period)
        layout.addLayout(form)
        self.status = QLabel("Sök på namn eller personnummer, eller ange en period.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Sökresultat")
        layout.addWidget(self.status)
        self.table = QTableWidget(0, 6)
        self.table.setAccessibleName("Avslutade ärenden")
        self.table.setHorizontalHeaderLabels(["Ärende", "Patient", "Personnummer", "Verksamhetsområde", "Öppnat",
                                              "Avslutat"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemActivated.connect(lambda item: self.open_case.emit(
            int(self.table.item(item.row(), 0).data(Qt.ItemDataRole.UserRole))))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Stän&g")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def search(self) -> None:
        try:
            rows, more = patients.search_closed(self.ctx, self.text.text(), self.closed_from.value(),
                                                self.closed_to.value())
        except InputError as exc:
            self.status.setText(f"{exc.field}: {exc.message}")
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            texts = (str(row.case_id), row.patient_name, row.id_number, row.specialty, row.opened_on.isoformat(),
                     f"{row.closed_on.isoformat()} – {CLOSE_REASONS.get(row.close_reason or '', '')}")
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.case_id)
                self.table.setItem(r, c, item)
        if not rows:
            self.status.setText("Inga avslutade ärenden matchar sökningen.")
        else:
            self.status.setText(("1 avslutat ärende" if len(rows) == 1 else f"{len(rows)} avslutade ärenden") + (
                f" (de {len(rows)} senast avslutade; det finns fler – gör sökningen snävare)." if more else ".")
                + " Enter eller dubbelklick öppnar ärendet.")
            self.table.selectRow(0)
            self.table.setFocus()
