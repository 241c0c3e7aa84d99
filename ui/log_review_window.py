"""The granskare's window: search the access log by user, patient and period; draw a stickprov and record a
review note on each row; list unusual access; make a patient's log extract (PDF).
Open it with LogReviewWindow(ctx, parent).show() (menu: Granskning → Granska loggen…)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.audit import extract, review
from app.context import AppContext
from app.identity import display_id
from app.users import active_users
from ui.dates import DateField
from ui.errors import show_error

Column = tuple[str, Callable[[Any], str]]
LOG_COLUMNS: list[Column] = [
    ("Tid (UTC)", lambda r: r.at.strftime("%Y-%m-%d %H:%M:%S")),
    ("Användare", lambda r: r.user),
    ("Patient", lambda r: f"{r.patient_name} ({display_id(r.id_number)})" if r.id_number else "– (lista)"),
    ("Åtgärd", lambda r: r.action),
    ("Ärende", lambda r: str(r.case_id or "")),
    ("Vad", lambda r: r.detail or ""),
    ("Granskad", lambda r: review.OUTCOME_LABEL.get(r.review, "Nej") if r.review else "Nej"),
]
UNUSUAL_COLUMNS: list[Column] = [
    ("Användare", lambda u: u.user),
    ("Patient", lambda u: f"{u.patient_name} ({display_id(u.id_number)})"),
    ("Varför", lambda u: "; ".join(u.reasons)),
    ("Antal", lambda u: str(u.count)),
    ("Senast (UTC)", lambda u: u.last_at.strftime("%Y-%m-%d %H:%M")),
]


class RowsModel(QAbstractTableModel):
    """A read-only table of plain rows (dataclasses) with the given columns."""

    def __init__(self, columns: list[Column], parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return self.columns[index.column()][1](self.rows[index.row()])

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None


def _view(model: RowsModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class LogReviewWindow(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.sample_name: str | None = None
        self.setWindowTitle("Granska loggen – åtkomst till patientuppgifter")
        self.setMinimumSize(1100, 680)
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        self.user = QComboBox()
        self.user.setAccessibleName("Användare")
        self.user.addItem("Alla användare", None)
        for user in active_users(ctx):
            self.user.addItem(user.display_name, user.id)
        self.patient = QLineEdit()
        self.patient.setAccessibleName("Patientens personnummer")
        self.patient.setPlaceholderText("ÅÅÅÅMMDD-NNNN")
        self.since, self.until = DateField(today=ctx.today()), DateField(today=ctx.today())
        self.since.setAccessibleName("Från och med")
        self.until.setAccessibleName("Till och med")
        for label, widget in (("&Användare:", self.user), ("&Patient:", self.patient), ("&Från:", self.since),
                              ("&Till:", self.until)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget, 1 if widget is self.patient else 0)
        self.search_button = QPushButton("&Sök")
        self.search_button.clicked.connect(self.search)
        filters.addWidget(self.search_button)
        layout.addLayout(filters)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Granskning")
        layout.addWidget(self.tabs, 1)

        log_page = QWidget()
        log_layout = QVBoxLayout(log_page)
        sample_row = QHBoxLayout()
        self.sample_size = QSpinBox()
        self.sample_size.setRange(1, 1000)
        self.sample_size.setValue(20)
        self.sample_size.setAccessibleName("Antal rader i stickprovet")
        self.sample_button = QPushButton("Dra s&tickprov")
        self.sample_button.clicked.connect(self.draw_sample)
        self.extract_button = QPushButton("&Loggutdrag (PDF)…")
        self.extract_button.setToolTip("Ett utdrag för patienten i sökfältet, för den valda perioden")
        self.extract_button.clicked.connect(self.make_extract)
        self.summary = QLabel("")
        self.summary.setAccessibleName("Antal träffar")
        sample_label = QLabel("Stickprov, &antal:")
        sample_label.setBuddy(self.sample_size)
        for widget in (self.summary, sample_label, self.sample_size, self.sample_button, self.extract_button):
            sample_row.addWidget(widget)
        sample_row.insertStretch(1)
        log_layout.addLayout(sample_row)
        self.log_model = RowsModel(LOG_COLUMNS, self)
        self.log_view = _view(self.log_model, "Loggrader")
        log_layout.addWidget(self.log_view, 1)
        note_row = QFormLayout()
        self.outcome = QComboBox()
        self.outcome.setAccessibleName("Bedömning")
        for outcome, label in review.OUTCOME_LABEL.items():
            self.outcome.addItem(label, outcome)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Anteckning om granskningen")
        self.note.setMaximumHeight(60)
        self.note.setTabChangesFocus(True)
        self.save_review = QPushButton("Spara &granskning av vald rad")
        self.save_review.clicked.connect(self.record_review)
        note_row.addRow("&Bedömning:", self.outcome)
        note_row.addRow("Anteckning:", self.note)
        note_row.addRow("", self.save_review)
        log_layout.addLayout(note_row)
        self.tabs.addTab(log_page, "Loggrader")

        unusual_page = QWidget()
        unusual_layout = QVBoxLayout(unusual_page)
        explain = QLabel("Åtkomst till patienter som inte har något ärende tilldelat användaren, som har samma "
                         "efternamn som användaren eller bor på samma adress. Perioden ovan gäller.")
        explain.setWordWrap(True)
        unusual_layout.addWidget(explain)
        self.unusual_model = RowsModel(UNUSUAL_COLUMNS, self)
        self.unusual_view = _view(self.unusual_model, "Ovanliga åtkomster")
        unusual_layout.addWidget(self.unusual_view, 1)
        self.tabs.addTab(unusual_page, "Ovanliga åtkomster")
        self.tabs.currentChanged.connect(lambda _: self.search())
        self.search()

    def _filter(self) -> review.LogFilter:
        return review.LogFilter(user_id=self.user.currentData(), patient=self.patient.text().strip() or None,
                                since=self.since.value(), until=self.until.value())

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - shown in plain Swedish, logged when unexpected
            show_error(self, exc)

    def search(self) -> None:
        def work() -> None:
            f = self._filter()
            if self.tabs.currentIndex() == 1:
                found = review.unusual_access(self.ctx, f.since, f.until)
                self.unusual_model.set_rows(found)
                return
            total, rows = review.search(self.ctx, f)
            self.sample_name = None
            self.log_model.set_rows(rows)
            shown = f" (de {len(rows)} senaste visas)" if total > len(rows) else ""
            self.summary.setText(f"{total} loggrader{shown}")
        self._run(work)

    def draw_sample(self) -> None:
        def work() -> None:
            self.sample_name, rows = review.draw_sample(self.ctx, self._filter(), self.sample_size.value())
            self.log_model.set_rows(rows)
            self.summary.setText(f"{self.sample_name.capitalize()}: {len(rows)} rader att granska")
        self._run(work)

    def record_review(self) -> None:
        selected = self.log_view.selectionModel().selectedRows()
        if not selected:
            QMessageBox.information(self, "Granskning", "Välj först den loggrad som du har granskat.")
            return
        row = self.log_model.rows[selected[0].row()]

        def work() -> None:
            review.record_review(self.ctx, row.id, self.outcome.currentData(), self.note.toPlainText(),
                                 self.sample_name)
            self.note.clear()
            rows = list(self.log_model.rows)
            rows[selected[0].row()] = type(row)(**{**row.__dict__, "review": self.outcome.currentData()})
            self.log_model.set_rows(rows)
        self._run(work)

    def make_extract(self, target: Path | None = None) -> Path | None:
        f = self._filter()
        if not f.patient:
            QMessageBox.information(self, "Loggutdrag", "Skriv patientens personnummer i fältet Patient först.")
            return None
        result: list[Path] = []

        def work() -> None:
            made = extract.patient_extract(self.ctx, f.patient, f.since, f.until)
            path = target or Path(QFileDialog.getSaveFileName(
                self, "Spara loggutdrag", f"loggutdrag-{made.id_number}.pdf", "PDF (*.pdf)")[0] or "")
            if str(path) in ("", "."):
                return
            result.append(extract.write_pdf(made, path, date.today()))
        self._run(work)
        return result[0] if result else None
