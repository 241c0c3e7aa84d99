"""The worklist as a Qt table model. Like Anki's browser it holds step ids (filtered and sorted by the query) and
fetches the rows a view actually shows, a page at a time; unlike it, it reads the ids a page at a time too, so that
a sort or a keystroke on 100 000 open steps reads the counts and one page, not 100 000 ids."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app import worklist
from app.context import AppContext
from app.identity import display_id
from app.worklist import Filter, Sort, SortOrder, WorklistRow
from ui.states import BACKGROUND, BOOKED_LATE, BOOKED_LATE_EXPLAIN, EXPLAIN, FLAG_EXPLAIN, FLAG_LABEL, LABEL, booking
from ui.worker import Lane

PAGE = 50  # rows read at a time: a screenful and a little more, so that a keystroke reads no more
MAX_PAGES = 200  # keep memory bounded while scrolling far
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
    ("Signaler", None, lambda r: ", ".join(_signals(r))),
]
NUMERIC = {"Kvar", "Väntat"}
TOOLTIPS = {"Kvar": "Dagar kvar till tidsgränsen", "Väntat": "Dagar som räknas i vårdgarantin",
            "Status": "Var steget står i vårdgarantin. F1 förklarar alla lägen",
            "Signaler": "Det som behöver göras utöver tidsgränsen. F1 förklarar signalerna"}

Index = QModelIndex | QPersistentModelIndex


class WorklistModel(QAbstractTableModel):
    """Holds the counts per state (their sum is the row count) and the first page of ids: a new filter or sort
    shows as soon as those are read. Further pages are read as the view scrolls to them, each a page of the same
    ordered query; all the ids only when something asks for the step ids of many rows (a selection)."""

    loaded = Signal()

    def __init__(self, ctx: AppContext, runner: Lane | None = None, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._rows = 0
        self._first: list[int] = []
        self._ids: list[int] | None = None
        self._pages: dict[int, list[WorklistRow]] = {}
        self._today = ctx.today()
        self._generation = 0
        self.filter = Filter()
        self.order = SortOrder()
        self._shown = (self.filter, self.order)  # the query of the rows shown (a newer one may be loading)
        self._logged: set = set()  # (patient, case, shown) written to the access log for the query shown
        self.counts: dict = {}  # steps per state under the current filter

    # --- loading: the queries run in the background when a runner is given ---

    def set_query(self, flt: Filter, order: SortOrder, recount: bool | None = None) -> None:
        """Load a filter and order; the counts per state (and so the row count) only when the filter changed."""
        recount = flt != self.filter or not self.counts if recount is None else recount
        self.filter, self.order = flt, order
        self._generation += 1
        generation, today, counts = self._generation, self._ctx.today(), self.counts

        def load() -> tuple[int, date, list[int], dict]:
            found = worklist.count_by_state(self._ctx, flt, today) if recount else counts
            first = worklist.open_step_ids(self._ctx, flt, order, today, limit=PAGE, matches=sum(found.values()))
            return generation, today, first, found

        if self._runner is None:
            self._show(load())
        else:
            self._runner.query(load, self._show)

    def reload(self) -> None:
        self.set_query(self.filter, self.order, recount=True)

    def refresh_rows(self) -> None:
        """After saves by others: the shown query read again. When its count and first page are unchanged the
        rows stay where they are (selection and scrolling too) and only their contents are read again; else the
        list is reloaded. A page's patients already logged for this query are not logged again."""
        flt, order = self.filter, self.order
        if (flt, order) != self._shown:  # a new filter or sort is loading: load it again, after the save
            self.set_query(flt, order, recount=True)
            return
        self._generation += 1
        generation, today = self._generation, self._ctx.today()

        def load() -> tuple[int, date, list[int], dict]:
            found = worklist.count_by_state(self._ctx, flt, today)
            return generation, today, worklist.open_step_ids(self._ctx, flt, order, today, limit=PAGE,
                                                             matches=sum(found.values())), found

        def show(result: tuple[int, date, list[int], dict]) -> None:
            generation, today, first, counts = result
            if generation != self._generation:
                return  # a new filter or sort was asked for meanwhile: it shows what is saved
            if sum(counts.values()) != self._rows or first != self._first or today != self._today:
                self._show(result, keep_logged=True)
                return
            self.counts = counts
            self._ids = first if self._rows <= len(first) else None
            self._pages.clear()
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, len(COLUMNS) - 1))
            self.loaded.emit()

        if self._runner is None:
            show(load())
        else:
            self._runner.query(load, show)

    def _show(self, result: tuple[int, date, list[int], dict], keep_logged: bool = False) -> None:
        generation, today, first, counts = result
        if generation != self._generation:
            return  # a newer filter or sort was asked for meanwhile
        self.beginResetModel()
        if not keep_logged:
            self._logged = set()
        self._today, self._first, self.counts = today, first, counts
        self._shown = (self.filter, self.order)
        self._rows = sum(counts.values())
        self._ids = first if self._rows <= len(first) else None
        self._pages.clear()
        self.endResetModel()
        self.loaded.emit()

    def _page_ids(self, page: int) -> list[int]:
        if page == 0:
            return self._first
        if self._ids is not None:
            return self._ids[page * PAGE:(page + 1) * PAGE]
        return worklist.open_step_ids(self._ctx, *self._shown, self._today, limit=PAGE, offset=page * PAGE,
                                      matches=self._rows)

    def _all_ids(self) -> list[int]:
        if self._ids is None:
            self._ids = self._first + worklist.open_step_ids(self._ctx, *self._shown, self._today, offset=PAGE,
                                                             matches=self._rows)
        return self._ids

    def is_loaded(self, flt: Filter) -> bool:
        """True when the rows shown are the filter's (none of it is still being read)."""
        return self._shown == (flt, self.order) and self.filter == flt

    @staticmethod
    def order_of(column: int, order: Qt.SortOrder) -> SortOrder:
        """The sort order of a header's sort indicator (no column: the default, most urgent first)."""
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else Sort.URGENCY
        return SortOrder(key or Sort.URGENCY, order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.set_query(self.filter, self.order_of(column, order))

    # --- rows ---

    @property
    def today(self) -> date:
        return self._today

    def step_id(self, row: int) -> int:
        """The step of a row; beyond the first page this reads all the ids once (selections ask row by row)."""
        return self._first[row] if row < len(self._first) else self._all_ids()[row]

    def case_id(self, row: int) -> int:
        return self.row_data(row).case_id

    def row_data(self, row: int) -> WorklistRow:
        page = row // PAGE
        if page not in self._pages:
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            self._pages[page] = worklist.rows_for(self._ctx, self._page_ids(page), self._today,
                                                  worklist.shown_in(self._shown[0], page), self._logged,
                                                  self._log_later if self._runner is not None else None)
        return self._pages[page][row % PAGE]

    def _log_later(self, log) -> None:
        """A page's access-log rows are written on the worker thread: painting never waits for the write lock."""
        self._runner.query(log, lambda _none: None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        title = COLUMNS[section][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.ToolTipRole:
            return TOOLTIPS.get(title, title)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < self._rows:
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
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(title, row)
        return None


def _signals(row: WorklistRow) -> list[str]:
    """The clinic's booking after the deadline first (the one that says what to do: ask for an earlier time), then
    the clock's flags."""
    return [*([BOOKED_LATE] if row.booked_late else []), *(FLAG_LABEL[f] for f in sorted(row.flags))]


def _tooltip(title: str, row: WorklistRow) -> str | None:
    """The state's and signals' meaning (ui.states: the same words as the user guide), and the clinic's booking."""
    booked = booking(row.booked_on, row.booked_late, row.deadline)
    if title == "Status":
        return "\n".join(filter(None, (f"{LABEL[row.state]}: {EXPLAIN[row.state]}", booked)))
    if title == "Signaler" and (row.flags or booked):
        lines = [f"{BOOKED_LATE}: {BOOKED_LATE_EXPLAIN}"] if row.booked_late else []
        lines += [f"{FLAG_LABEL[f]}: {FLAG_EXPLAIN[f]}" for f in sorted(row.flags)]
        return "\n".join(filter(None, (*lines, booked)))
    return None
