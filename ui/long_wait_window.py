"""Långväntande: open steps waiting past their limit (two years; BUP three months to the first visit, six for the
later stages), each with its recorded reason or "Saknas" (app.validation). Enter or a double-click opens the case,
where the reason is recorded."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from app import validation
from app.context import AppContext
from app.identity import display_id
from ui.register_window import RowsModel, table_view


class LongWaitWindow(QDialog):
    open_case = Signal(int)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Långväntande")
        self.model = RowsModel([
            ("Patient", lambda r: f"{r.patient_name} (skyddad identitet)" if r.protected_identity else r.patient_name),
            ("Personnummer", lambda r: display_id(r.id_number)),
            ("Steg", lambda r: r.step_name), ("Väntar hos", lambda r: r.waiting_unit or "–"),
            ("Väntat (dagar)", lambda r: str(r.waited)), ("Gräns (dagar)", lambda r: str(r.limit)),
            ("Orsak", lambda r: r.reason if r.reason is not None else "Saknas"),
        ], parent=self)
        self.view = table_view(self.model, "Långväntande steg")
        self.view.doubleClicked.connect(lambda index: self._open(index.row()))
        self.view.activated.connect(lambda index: self._open(index.row()))
        self.about = QLabel("Steg där patienten har väntat längre än två år (inom BUP längre än tre månader till "
                            "första besöket och sex månader i de senare stegen). För dem ska orsaken till väntan "
                            "registreras. Dubbelklicka eller tryck Retur för att öppna ärendet.")
        self.about.setWordWrap(True)
        self.status = QLabel()
        self.status.setAccessibleName("Sammanfattning")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Stäng")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(1000, 560)
        self.load()

    def load(self) -> None:
        rows = validation.long_waiters(self.ctx)
        self.rows = rows
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        missing = sum(r.reason is None for r in rows)
        self.status.setText(f"{len(rows)} steg med lång väntan, varav {missing} utan registrerad orsak."
                            if rows else "Inga steg har väntat längre än gränsen.")

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.open_case.emit(self.rows[row].case_id)
