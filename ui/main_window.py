"""The first main window: the open steps of the region, most urgent first."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QMainWindow, QTableView, QVBoxLayout, QWidget

from app import worklist
from app.context import AppContext
from app.guarantee import SEVERITY
from ui.states import LABEL
from ui.worklist_model import WorklistModel


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, demo: bool = False):
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("Lotsen – arbetslista" + (" (demodata)" if demo else ""))
        self.summary = QLabel()
        self.summary.setAccessibleName("Antal steg per status")
        self.model = WorklistModel(ctx, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Arbetslista")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.setCentralWidget(body)
        where = f"Databas: {ctx.db.path}"
        if demo:
            where = "Demodata med påhittade patienter. " + where
        if not ctx.db.wal:
            where += " (nätverksenhet: långsammare läge)"
        self.statusBar().showMessage(f"Inloggad: {ctx.user_name}. {where}")
        self.refresh()

    def refresh(self) -> None:
        self.model.reload()
        counts = worklist.count_by_state(self.ctx, today=self.model.today)
        parts = [f"{LABEL[state]}: {counts.get(state, 0)}" for state in sorted(counts, key=SEVERITY.get)]
        self.summary.setText(f"{self.model.rowCount()} öppna steg den {self.model.today.isoformat()}.  "
                             + "   ".join(parts))
        for column, width in enumerate((110, 200, 120, 130, 170, 70, 90, 70, 80, 90, 220, 120)):
            self.table.setColumnWidth(column, width)
