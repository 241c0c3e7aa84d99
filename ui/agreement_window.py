"""Uppföljning → Överenskommelsen: the agreement's performance criteria for a chosen year, month by month, with
what each pays, the year's total, a chart, and the "what if" for the month shown. Computed on the worker thread
(ui.worker: the application's runner): a year is 22 months of national measures."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.criteria.definitions import available_years
from app.criteria.service import YearResult, criteria_year, region_share, set_region_share
from app.criteria.tables import month_table, year_notes, year_table
from app.errors import InputError, StorageError
from app.reports.months import Month
from app.reports.service import report_settings
from ui.errors import user_message
from ui.register_window import table_view
from ui.reports_window import BarChart, TableModel
from ui.worker import busy_indicator, lane


def _view(model: TableModel, name: str, stretch: int) -> QTableView:
    """The register's read-only table view, its columns as wide as their contents but `stretch`."""
    view = table_view(model, name)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    model.modelReset.connect(lambda: header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
                             if model.columnCount() > stretch else None)
    return view


class AgreementWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: YearResult | None = None
        self.min_count = report_settings(ctx).min_count
        self.runner = lane(ctx, self)
        self.setWindowTitle("Lotsen – överenskommelsens prestationskrav")
        self.resize(1280, 760)
        body = QWidget()
        layout = QVBoxLayout(body)
        grid = QGridLayout()
        self.year = QComboBox()
        self.year.setAccessibleName("År")
        for y in reversed(available_years()):
            self.year.addItem(str(y), y)
        self.share = QLineEdit()
        self.share.setAccessibleName("Regionens andel av potten i procent")
        self.share.setPlaceholderText("t.ex. 13,4")
        current = region_share(ctx)
        self.share.setText("" if current is None else str(current).replace(".", ","))
        self.save_share = QPushButton("Spara &andel")
        self.save_share.setAccessibleName("Spara regionens andel av potten")
        self.save_share.clicked.connect(self.store_share)
        self.show_button = QPushButton("&Visa")
        self.show_button.setAccessibleName("Visa prestationskraven för året")
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        self.month = QComboBox()
        self.month.setAccessibleName("Månad i tabellen")
        self.month.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.month.setMinimumContentsLength(14)
        self.month.currentIndexChanged.connect(self._show_month)
        for column, (text, widget) in enumerate((("&År", self.year), ("Regionens andel av &potten (%)", self.share),
                                                 ("", self.save_share), ("", self.show_button),
                                                 ("&Månad", self.month))):
            caption = QLabel(text)
            caption.setBuddy(widget)
            grid.addWidget(caption, 0, column)
            grid.addWidget(widget, 1, column)
        grid.setColumnStretch(5, 1)
        layout.addLayout(grid)
        self.heading = QLabel("Välj år och tryck Visa.")
        self.heading.setAccessibleName("Rubrik")
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        split = QSplitter(Qt.Orientation.Vertical)
        self.month_model = TableModel(self)
        self.month_view = _view(self.month_model, "Prestationskraven för månaden", 0)
        self.month_view.selectionModel().currentRowChanged.connect(lambda current, _: self._show_candidates(
            current.row()))
        split.addWidget(self.month_view)
        lower = QWidget()
        lower_layout = QGridLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.candidates = QLabel()
        self.candidates.setWordWrap(True)
        self.candidates.setAccessibleName("Tänk om: väntande nära gränsen")
        lower_layout.addWidget(self.candidates, 0, 0, 1, 2)
        self.chart = BarChart("Diagram: andel av månadens pott som regionen får")
        lower_layout.addWidget(self.chart, 1, 0)
        self.year_model = TableModel(self)
        lower_layout.addWidget(_view(self.year_model, "Betalt per månad och kriterium", 0), 1, 1)
        lower_layout.setColumnStretch(0, 1)
        lower_layout.setColumnStretch(1, 1)
        split.addWidget(lower)
        split.setSizes([330, 330])
        layout.addWidget(split, 1)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("Förklaringar")
        layout.addWidget(self.notes)
        self.setCentralWidget(body)
        self.busy = busy_indicator(self)
        self.runner.busy_changed.connect(self._set_busy)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.year, self.show_button, self.save_share, self.share):
            widget.setEnabled(not busy)
        self.busy.setVisible(busy)
        if not busy:
            self.statusBar().clearMessage()

    def store_share(self) -> None:
        try:
            value = set_region_share(self.ctx, self.share.text())
        except (InputError, StorageError) as exc:
            self._error(exc)
            return
        self.statusBar().showMessage("Andelen är sparad." if value is not None else "Andelen är borttagen.", 4000)
        if self.result is not None:
            self.refresh()

    def refresh(self) -> None:
        year = self.year.currentData()
        self.result = None
        self.heading.setText(f"Beräknar prestationskraven för {year} …")
        self.statusBar().showMessage(f"Beräknar prestationskraven för {year} …")
        self.runner.query(lambda: criteria_year(self.ctx, year), self._show, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.heading.setText("Prestationskraven kunde inte beräknas.")
        self._error(exc)

    def _show(self, result: YearResult) -> None:
        self.result = result
        total = result.year_total
        money = "" if total is None else f"; hittills {int(total):,} kr".replace(",", " ")
        self.heading.setText(f"{result.agreement.name}: {len(result.months)} månader{money}")
        self.month.blockSignals(True)
        self.month.clear()
        for m in result.months:
            self.month.addItem(m.label.capitalize(), str(m))
        self.month.setCurrentIndex(len(result.months) - 1)
        self.month.blockSignals(False)
        self.year_model.set_table(year_table(result))
        self.chart.set_data([m.label[:3] for m in result.months],
                            [("Andel av månadens pott som regionen får (%)",
                              [float(result.earned_share(m)) for m in result.months])])
        self.notes.setText("\n".join(year_notes(result, self.min_count)))
        self._show_month()

    def selected_month(self) -> Month | None:
        data = self.month.currentData()
        return Month.parse(data) if data else None

    def _show_month(self) -> None:
        month = self.selected_month()
        if self.result is None or month is None:
            return
        self.month_model.set_table(month_table(self.result, month, self.min_count))
        self.candidates.setText("Markera ett kriterium för att se vilka väntande som kunde ha fått vård i tid.")

    def _show_candidates(self, row: int) -> None:
        month = self.selected_month()
        if self.result is None or month is None or row < 0:
            return
        r = self.result.results[month][row]
        if r.what_if is None:
            self.candidates.setText(f"{r.criterion.number}. {r.criterion.name}: ingen högre nivå att nå, eller "
                                    "inget att mäta.")
            return
        who = ", ".join(f"ärende {case_id} ({days} dagar)" for case_id, days in r.what_if.candidates)
        self.candidates.setText(
            f"{r.criterion.number}. {r.criterion.name}: med {r.what_if.more} "
            f"{'patient' if r.what_if.more == 1 else 'patienter'} till i tid hade kriteriet "
            f"gett {r.what_if.pays} %." + (f" Väntar nu och närmast gränsen: {who}." if who else ""))

    def _error(self, exc: BaseException) -> None:
        title, text = user_message(exc)
        QMessageBox.warning(self, title, text)
