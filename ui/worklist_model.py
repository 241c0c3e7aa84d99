"""The worklist as a Qt table model. Like Anki's browser it holds only the ordered step ids and fetches
the rows a view actually shows, a page at a time, so 100 000 open steps stay instant."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app import worklist
from app.context import AppContext
from app.identity import display_id
from app.worklist import WorklistRow
from ui.states import BACKGROUND, FLAG_LABEL, LABEL

PAGE = 200
COLUMNS = [
    ("Status", lambda r: LABEL[r.state]),
    ("Patient", lambda r: f"{r.patient_name} (skyddad identitet)" if r.protected_identity else r.patient_name),
    ("Personnummer", lambda r: display_id(r.id_number)),
    ("Steg", lambda r: r.step_code),
    ("Verksamhetsområde", lambda r: r.specialty),
    ("Medicinsk prioritet", lambda r: r.medical_priority or "–"),
    ("Tidsgräns", lambda r: r.deadline.isoformat()),
    ("Kvar (dagar)", lambda r: r.remaining),
    ("Väntat (dagar)", lambda r: r.waited),
    ("Startdatum", lambda r: r.start.isoformat()),
    ("Väntar hos", lambda r: r.waiting_unit or ""),
    ("Handläggare", lambda r: r.assigned_to or "Ingen"),
    ("Signaler", lambda r: ", ".join(FLAG_LABEL[f] for f in sorted(r.flags))),
]
NUMERIC = {"Kvar (dagar)", "Väntat (dagar)"}

Index = QModelIndex | QPersistentModelIndex


class WorklistModel(QAbstractTableModel):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self._ids: list[int] = []
        self._pages: dict[int, list[WorklistRow]] = {}
        self._today = ctx.today()

    def reload(self) -> None:
        self.beginResetModel()
        self._today = self._ctx.today()
        self._ids = worklist.open_step_ids(self._ctx, today=self._today)
        self._pages.clear()
        self.endResetModel()

    def step_id(self, row: int) -> int:
        return self._ids[row]

    def row_data(self, row: int) -> WorklistRow:
        page = row // PAGE
        if page not in self._pages:
            if len(self._pages) > 50:  # keep memory bounded while scrolling far
                self._pages.clear()
            ids = self._ids[page * PAGE:(page + 1) * PAGE]
            self._pages[page] = worklist.rows_for(self._ctx, ids, self._today)
        return self._pages[page][row % PAGE]

    @property
    def today(self) -> date:
        return self._today

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row = self.row_data(index.row())
        title, value = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value(row))
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 0:
            return BACKGROUND[row.state]
        if role == Qt.ItemDataRole.TextAlignmentRole and title in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{title}: {value(row)}"
        return None
