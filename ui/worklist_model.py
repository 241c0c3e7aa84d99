"""The worklist as a Qt table model. Like Anki's browser it holds only the ordered step ids (filtered and sorted
by the query) and fetches the rows a view actually shows, a page at a time, so 100 000 open steps stay instant."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app import worklist
from app.context import AppContext
from app.identity import display_id
from app.worklist import Filter, Sort, SortOrder, WorklistRow
from ui.states import BACKGROUND, FLAG_LABEL, LABEL
from ui.worker import BackgroundRunner

PAGE = 200
MAX_PAGES = 50  # keep memory bounded while scrolling far
COLUMNS = [
    ("Status", Sort.URGENCY, lambda r: LABEL[r.state]),
    ("Patient", Sort.PATIENT,
     lambda r: f"{r.patient_name} (skyddad identitet)" if r.protected_identity else r.patient_name),
    ("Personnummer", Sort.ID_NUMBER, lambda r: display_id(r.id_number)),
    ("Steg", Sort.STEP, lambda r: r.step_name),
    ("Verksamhetsområde", Sort.SPECIALTY, lambda r: r.specialty),
    ("Med. prioritet", Sort.PRIORITY, lambda r: r.medical_priority or "–"),
    ("Tidsgräns", Sort.DEADLINE, lambda r: r.deadline.isoformat()),
    ("Kvar", Sort.REMAINING, lambda r: r.remaining),
    ("Väntat", Sort.WAITED, lambda r: r.waited),
    ("Startdatum", Sort.START, lambda r: r.start.isoformat()),
    ("Väntar hos", Sort.UNIT, lambda r: r.waiting_unit or ""),
    ("Handläggare", Sort.ASSIGNED, lambda r: r.assigned_to or "Ingen"),
    ("Senaste kontakt", Sort.LAST_CONTACT, lambda r: r.last_contact.isoformat() if r.last_contact else "–"),
    ("Signaler", None, lambda r: ", ".join(FLAG_LABEL[f] for f in sorted(r.flags))),
]
NUMERIC = {"Kvar", "Väntat"}
TOOLTIPS = {"Kvar": "Dagar kvar till tidsgränsen", "Väntat": "Dagar som räknas i vårdgarantin"}

Index = QModelIndex | QPersistentModelIndex


class WorklistModel(QAbstractTableModel):
    loaded = Signal()

    def __init__(self, ctx: AppContext, runner: BackgroundRunner | None = None, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._ids: list[int] = []
        self._pages: dict[int, list[WorklistRow]] = {}
        self._today = ctx.today()
        self._generation = 0
        self.filter = Filter()
        self.order = SortOrder()
        self.counts: dict = {}  # steps per state under the current filter

    # --- loading: the id query runs in the background when a runner is given ---

    def set_query(self, flt: Filter, order: SortOrder, recount: bool | None = None) -> None:
        """Load the ids for a filter and order; the counts per state only when the filter changed."""
        recount = flt != self.filter or not self.counts if recount is None else recount
        self.filter, self.order = flt, order
        self._generation += 1
        generation, today, counts = self._generation, self._ctx.today(), self.counts

        def load() -> tuple[int, date, list[int], dict]:
            return (generation, today, worklist.open_step_ids(self._ctx, flt, order, today),
                    worklist.count_by_state(self._ctx, flt, today) if recount else counts)

        if self._runner is None:
            self._show(load())
        else:
            self._runner.run(load, self._show)

    def reload(self) -> None:
        self.set_query(self.filter, self.order, recount=True)

    def _show(self, result: tuple[int, date, list[int], dict]) -> None:
        generation, today, ids, counts = result
        if generation != self._generation:
            return  # a newer filter or sort was asked for meanwhile
        self.beginResetModel()
        self._today, self._ids, self.counts = today, ids, counts
        self._pages.clear()
        self.endResetModel()
        self.loaded.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else Sort.URGENCY
        self.set_query(self.filter, SortOrder(key or Sort.URGENCY, order == Qt.SortOrder.DescendingOrder))

    # --- rows ---

    @property
    def today(self) -> date:
        return self._today

    def step_id(self, row: int) -> int:
        return self._ids[row]

    def case_id(self, row: int) -> int:
        return self.row_data(row).case_id

    def row_data(self, row: int) -> WorklistRow:
        page = row // PAGE
        if page not in self._pages:
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            self._pages[page] = worklist.rows_for(self._ctx, self._ids[page * PAGE:(page + 1) * PAGE], self._today)
        return self._pages[page][row % PAGE]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        title = COLUMNS[section][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.ToolTipRole:
            return TOOLTIPS.get(title, title)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row = self.row_data(index.row())
        title, _key, value = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value(row))
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 0:
            return BACKGROUND[row.state]
        if role == Qt.ItemDataRole.TextAlignmentRole and title in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{title}: {value(row)}"
        return None
