"""Uppföljning och export: the month's figures with charts drawn by QPainter (QtCharts is not part of
PySide6-Essentials), the tables as PDF/XLSX/CSV, and the national export to Väntetidsdatabasen.

The report, the data-quality check and the export take seconds on a full database: they run on a worker thread
(ui.worker: the application's runner), the window says what it is doing and its controls wait meanwhile."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.errors import InputError, StorageError
from app.export import IssueGroup, export_due, export_history, export_month, group_issues, prepare
from app.export.national import NationalReport, national_report
from app.export.records import KIND_LABEL, Kind
from app.reports import Month, Report, Scope, TrendPoint, monthly_report, scope_choices, trend_points
from app.reports.output import title, write_csv, write_pdf, write_xlsx
from app.reports.tables import (
    Table,
    breakdown_tables,
    buckets_table,
    figures_table,
    fmt,
    notes,
    trend_table,
    unit_of,
)
from ui.errors import user_message
from ui.print_preview import make_printer, show_preview
from ui.report_print import chart_image, report_document
from ui.worker import busy_indicator, lane

Index = QModelIndex | QPersistentModelIndex
log = logging.getLogger(__name__)
DARK, LIGHT, GRID = QColor("#1F4E79"), QColor("#9DC3E6"), QColor("#C8CDD3")


class TableModel(QAbstractTableModel):
    """A read-only table of report cells; numbers right-aligned, formatted the Swedish way."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = Table("", (), [])

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        cell = self.table.rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return fmt(cell, unit_of(self.table, index.row(), index.column()))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0 and not isinstance(cell, str):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.table.headers[section]
        return None


def _table_view(model: TableModel, name: str, stretch: int = 0) -> QTableView:
    """A read-only table whose column `stretch` takes the width left over."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    model.modelReset.connect(lambda: header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
                             if model.columnCount() > stretch else None)
    view.setWordWrap(False)
    return view


class BarChart(QWidget):
    """Grouped bars with their values written on them, so nothing depends on telling colours apart."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setMinimumHeight(220)
        self.labels: list[str] = []
        self.series: list[tuple[str, list[float]]] = []

    def set_data(self, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> None:
        self.labels, self.series = list(labels), [(n, list(v)) for n, v in series]
        self.setAccessibleDescription("; ".join(
            f"{label}: " + ", ".join(f"{n} {fmt(v[i])}" for n, v in self.series) for i, label in enumerate(labels)))
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        area = QRectF(self.rect()).adjusted(52, 44, -12, -28)
        top, step = _nice_top([v for _, values in self.series for v in values])
        _axis(painter, self, area, top, step)
        _legend(painter, self, QPointF(area.left(), 6), [(n, DARK if i == 0 else LIGHT) for i, (n, _) in
                                                         enumerate(self.series)])
        if not self.labels:
            return
        slot = area.width() / len(self.labels)
        width = slot * 0.8 / max(1, len(self.series))
        for i, label in enumerate(self.labels):
            x = area.left() + i * slot + slot * 0.1
            for s, (_, values) in enumerate(self.series):
                height = area.height() * values[i] / top
                bar = QRectF(x + s * width, area.bottom() - height, width - 2, height)
                painter.fillRect(bar, DARK if s == 0 else LIGHT)
                painter.setPen(self.palette().text().color())
                text = fmt(values[i])
                painter.save()
                painter.setFont(_fitted(painter.font(), text, width - 4))  # a gap between neighbours' values
                painter.drawText(QRectF(bar.left() - 8, bar.top() - 16, bar.width() + 16, 14),
                                 Qt.AlignmentFlag.AlignCenter, text)
                painter.restore()
            painter.drawText(QRectF(area.left() + i * slot, area.bottom() + 4, slot, 18),
                             Qt.AlignmentFlag.AlignCenter, label)


class LineChart(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setMinimumHeight(220)
        self.labels: list[str] = []
        self.values: list[float] = []
        self.caption = ""

    def set_data(self, labels: Sequence[str], values: Sequence[float], caption: str) -> None:
        self.labels, self.values, self.caption = list(labels), list(values), caption
        self.setAccessibleDescription("; ".join(f"{label}: {fmt(v)}" for label, v in zip(labels, values)))
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        area = QRectF(self.rect()).adjusted(60, 36, -24, -28)
        top, step = _nice_top(self.values)
        _axis(painter, self, area, top, step)
        _legend(painter, self, QPointF(area.left(), 6), [(self.caption, DARK)])
        if len(self.values) < 2:
            return
        step = area.width() / (len(self.values) - 1)
        points = [QPointF(area.left() + i * step, area.bottom() - area.height() * v / top)
                  for i, v in enumerate(self.values)]
        painter.setPen(QPen(DARK, 2))
        painter.drawPolyline(points)
        painter.setPen(self.palette().text().color())
        for i, (point, label) in enumerate(zip(points, self.labels)):
            painter.drawEllipse(point, 3, 3)
            if i % 2 == 0 or i == len(points) - 1:
                painter.drawText(QRectF(point.x() - 30, area.bottom() + 4, 60, 18), Qt.AlignmentFlag.AlignCenter,
                                 label)


def distribution_series(report: Report) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """The bar chart of waiting times at the month's end, on screen and on paper."""
    return [b.label for b in report.buckets], [("Alla väntande", [b.all for b in report.buckets]),
                                               ("Aktivt väntande", [b.active for b in report.buckets])]


def trend_series(report: Report) -> tuple[list[str], list[float], str]:
    return ([f"{p.month.year % 100:02d}-{p.month.month:02d}" for p in report.trend],
            [p.waiting for p in report.trend], "Väntande vid månadens slut")


def print_charts(report: Report) -> list[QImage]:
    """The charts as the PDF has them: the month's waiting times, and the 13 months when computed."""
    bars = BarChart("")
    bars.set_data(*distribution_series(report))
    charts = [chart_image(bars, "Väntetid för väntande vid månadens slut (dagar)")]
    if report.trend:
        line = LineChart("")
        line.set_data(*trend_series(report))
        charts.append(chart_image(line, "Väntande de senaste 13 månaderna"))
    return charts


def _fitted(font: QFont, text: str, width: float) -> QFont:
    """`font`, smaller if need be (down to 6 points) so that `text` fits in `width`."""
    fitted = QFont(font)
    while QFontMetricsF(fitted).horizontalAdvance(text) > width and fitted.pointSizeF() > 6:
        fitted.setPointSizeF(fitted.pointSizeF() - 0.5)
    return fitted


def _nice_top(values: Sequence[float]) -> tuple[float, float]:
    """An axis maximum and a whole-number tick step, so that the tick labels are round and distinct."""
    top = max([*values, 1])
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 25_000,
                 50_000, 100_000):
        if top / step <= 5:
            break
    ticks = -(-top // step)
    return ticks * step, step


def _axis(painter: QPainter, widget: QWidget, area: QRectF, top: float, step: float) -> None:
    align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    value = 0.0
    while value <= top:
        y = area.bottom() - area.height() * value / top
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.setPen(widget.palette().text().color())
        painter.drawText(QRectF(0, y - 8, area.left() - 6, 16), align, fmt(value))
        value += step


def _legend(painter: QPainter, widget: QWidget, at: QPointF, items: Sequence[tuple[str, QColor]]) -> None:
    painter.setPen(widget.palette().text().color())
    x = at.x()
    metrics = painter.fontMetrics()
    for name, colour in items:
        painter.fillRect(QRectF(x, at.y() + 3, 12, 12), colour)
        painter.drawText(QPointF(x + 16, at.y() + 13), name)
        x += 28 + metrics.horizontalAdvance(name)


def _button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.clicked.connect(slot)
    return button


class ReportsWindow(QMainWindow):
    """Open with ReportsWindow(ctx).show() from the main window's menu ("Uppföljning och export")."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.report: Report | None = None
        self.issue_groups: list[IssueGroup] = []
        self.runner = lane(ctx, self)
        self.controls: list[QWidget] = []  # what waits while the runner works
        self.setWindowTitle("Lotsen – uppföljning och nationell export")
        self.resize(1100, 760)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(self._filters())
        self.reminder = QLabel()
        self.reminder.setAccessibleName("Påminnelse om nationell export")
        self.reminder.setWordWrap(True)
        layout.addWidget(self.reminder)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Flikar")
        self.tabs.addTab(self._overview_tab(), "Översikt")
        self.tabs.addTab(self._national_tab(), "Nationella mått")
        self.tabs.addTab(self._trend_tab(), "Utveckling")
        self.tabs.addTab(self._breakdown_tab(), "Fördelning")
        self.tabs.addTab(self._export_tab(), "Nationell export")
        layout.addWidget(self.tabs)
        self.setCentralWidget(body)
        self.busy = busy_indicator(self)
        self.runner.busy_changed.connect(self._set_busy)
        self._set_busy(False)
        self.show_reminder()

    # --- building ---

    def _filters(self) -> QGridLayout:
        grid = QGridLayout()
        today = self.ctx.today()
        self.month = QComboBox()
        self.month.setAccessibleName("Månad")
        for i in range(1, 26):
            m = Month.of(today).plus(-i)
            self.month.addItem(m.label.capitalize(), str(m))
        choices = scope_choices(self.ctx)
        self.scope_boxes: dict[str, QComboBox] = {}
        widgets = [("&Månad", self.month)]
        for key, label in (("region", "&Hemregion"), ("unit", "&Vårdenhet"), ("mvo", "Verksamhets&område"),
                           ("step", "&Steg")):
            box = QComboBox()
            box.setAccessibleName(label.replace("&", ""))
            box.addItem("Alla", None)
            for code, text in choices[key]:
                box.addItem(text, code)
            self.scope_boxes[key] = box
            widgets.append((label, box))
        for column, (label, widget) in enumerate(widgets):
            caption = QLabel(label)
            caption.setBuddy(widget)
            grid.addWidget(caption, 0, column)
            grid.addWidget(widget, 1, column)
        self.show_button = _button("&Visa", "Visa uppföljningen", self.refresh)
        self.show_button.setDefault(True)
        grid.addWidget(self.show_button, 1, len(widgets))
        self.controls += [self.month, *self.scope_boxes.values(), self.show_button]
        return grid

    def _overview_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.heading = QLabel("Välj månad och urval och tryck Visa.")
        self.heading.setAccessibleName("Rubrik")
        font = QFont(self.heading.font())
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        row = QHBoxLayout()
        self.figures_model = TableModel(self)
        row.addWidget(_table_view(self.figures_model, "Nyckeltal"), 3)
        right = QVBoxLayout()
        self.distribution = BarChart("Diagram: väntetid för väntande vid månadens slut")
        right.addWidget(QLabel("Väntetid för väntande vid månadens slut (dagar)"))
        right.addWidget(self.distribution, 1)
        self.buckets_model = TableModel(self)
        right.addWidget(_table_view(self.buckets_model, "Väntetid i intervall"), 1)
        row.addLayout(right, 2)
        layout.addLayout(row, 1)
        self.overview_notes = QLabel()
        self.overview_notes.setWordWrap(True)
        self.overview_notes.setAccessibleName("Förklaringar till nyckeltalen")
        layout.addWidget(self.overview_notes)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_buttons = [_button(text, name, slot) for text, name, slot in (
            ("Förhandsgranska och skriv &ut…", "Förhandsgranska rapporten som den skrivs ut, och skriv ut den",
             self.preview_print),
            ("Spara som &PDF…", "Spara rapporten som PDF", self._ask_pdf),
            ("Spara som &Excel…", "Spara tabellerna som Excel-fil", self._ask_xlsx),
            ("Spara som &CSV…", "Spara tabellerna som CSV-fil", self._ask_csv))]
        for button in self.save_buttons:
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return tab

    def _national_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.national_status = QLabel("Nationella mått per stegtyp, för alla ärenden i Lotsen (urvalet ovan gäller "
                                      "inte här). Välj månad och tryck Visa.")
        self.national_status.setWordWrap(True)
        self.national_status.setAccessibleName("Nationella måttens status")
        layout.addWidget(self.national_status)
        self.national_model = TableModel(self)
        row = QHBoxLayout()
        row.addWidget(_table_view(self.national_model, "Nationella mått", stretch=1), 3)
        self.elsewhere_model = TableModel(self)
        side = QVBoxLayout()
        self.elsewhere_title = QLabel("Vård hos annan vårdgivare under året")
        self.elsewhere_title.setWordWrap(True)
        side.addWidget(self.elsewhere_title)
        side.addWidget(_table_view(self.elsewhere_model, "Vård hos annan vårdgivare under året", stretch=0), 1)
        row.addLayout(side, 1)
        layout.addLayout(row, 1)
        self.national_notes = QLabel()
        self.national_notes.setWordWrap(True)
        self.national_notes.setAccessibleName("Förklaringar till de nationella måtten")
        layout.addWidget(self.national_notes)
        return tab

    def _trend_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.trend_status = QLabel()
        self.trend_status.setAccessibleName("Utvecklingens status")
        layout.addWidget(self.trend_status)
        self.trend_chart = LineChart("Diagram: väntande de senaste 13 månaderna")
        layout.addWidget(self.trend_chart, 1)
        self.trend_model = TableModel(self)
        layout.addWidget(_table_view(self.trend_model, "Utveckling per månad"), 1)
        return tab

    def _breakdown_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        form = QFormLayout()
        self.dimension = QComboBox()
        self.dimension.setAccessibleName("Fördela efter")
        self.dimension.currentIndexChanged.connect(self._show_breakdown)
        form.addRow("Fördela &efter", self.dimension)
        layout.addLayout(form)
        self.breakdown_chart = BarChart("Diagram: väntande per grupp")
        layout.addWidget(self.breakdown_chart, 1)
        self.breakdown_model = TableModel(self)
        layout.addWidget(_table_view(self.breakdown_model, "Fördelning per grupp"), 1)
        return tab

    def _export_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        intro = QLabel("Filerna till SKR:s Väntetidsdatabasen: alla som väntar vid månadens slut och alla som fått "
                       "vård under månaden, utan personnummer och namn. En ny export för samma månad ersätter den "
                       "tidigare hos SKR.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.out_dir = QLineEdit(str(Path.home() / "Lotsen-export"))
        self.out_dir.setAccessibleName("Mapp för exportfilerna")
        form.addRow("&Mapp", self._with_browse(self.out_dir, self._browse_dir, "Välj mapp för exportfilerna"))
        self.xsd_paths = QLineEdit()
        self.xsd_paths.setAccessibleName("XSD-filer att validera mot (valfritt)")
        self.xsd_paths.setPlaceholderText("Valfritt: XSD-filer från SKR, åtskilda med ;")
        form.addRow("&XSD-filer", self._with_browse(self.xsd_paths, self._browse_xsd, "Välj XSD-filer"))
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.check_button = _button("&Kontrollera uppgifterna", "Kontrollera uppgifterna före export", self.check)
        self.export_button = _button("Skapa &exportfiler", "Skapa exportfilerna för månaden", self.export)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.controls += [self.check_button, self.export_button]
        self.export_status = QLabel()
        self.export_status.setAccessibleName("Resultat av kontroll eller export")
        self.export_status.setWordWrap(True)
        layout.addWidget(self.export_status)
        # Problem by problem (tens of thousands of issues are a handful of problems), then the chosen one's cases.
        problems = QLabel("Pro&blem att rätta (markera ett för att se dess ärenden):")
        layout.addWidget(problems)
        self.problems_model = TableModel(self)
        self.problems_view = _table_view(self.problems_model, "Problem att rätta", stretch=1)
        self.problems_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        problems.setBuddy(self.problems_view)
        layout.addWidget(self.problems_view, 1)
        self.problems_view.selectionModel().currentRowChanged.connect(lambda current, _: self._show_cases(
            current.row()))
        self.cases_label = QLabel("Ärenden med problemet:")
        layout.addWidget(self.cases_label)
        self.issues_model = TableModel(self)
        self.cases_view = _table_view(self.issues_model, "Ärenden med det markerade problemet")
        self.cases_label.setBuddy(self.cases_view)
        layout.addWidget(self.cases_view, 1)
        layout.addWidget(QLabel("Gjorda exporter:"))
        self.history_model = TableModel(self)
        layout.addWidget(_table_view(self.history_model, "Gjorda exporter"), 1)
        self._show_history()
        return tab

    def _with_browse(self, edit: QLineEdit, slot: Callable[[], None], name: str) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        row.addWidget(_button("Bläddra…", name, slot))
        return box

    # --- behaviour ---

    def selected_month(self) -> Month:
        return Month.parse(self.month.currentData())

    def selected_scope(self) -> Scope:
        return Scope(**{key: box.currentData() for key, box in self.scope_boxes.items()})

    def _set_busy(self, busy: bool) -> None:
        for widget in self.controls:
            widget.setEnabled(not busy)
        for button in self.save_buttons:
            button.setEnabled(not busy and self.report is not None)
        self.busy.setVisible(busy)
        if not busy:
            self.statusBar().clearMessage()

    def _start(self, doing: str, fn: Callable[[], object], done: Callable[[object], None],
               failed: Callable[[BaseException], None]) -> None:
        """Run `fn` on the worker thread; `doing` says what the window waits for meanwhile."""
        self.statusBar().showMessage(doing)
        self.runner.query(fn, done, failed)

    def refresh(self) -> None:
        """Compute the chosen month and scope in the background; the tables are emptied meanwhile, so that no
        figure of another month stands under the new heading."""
        month, scope = self.selected_month(), self.selected_scope()
        self.report = None
        for model in (self.figures_model, self.buckets_model, self.trend_model, self.breakdown_model,
                      self.national_model):
            model.set_table(Table("", (), []))
        self.distribution.set_data([], [])
        self.trend_chart.set_data([], [], "")
        self.breakdown_chart.set_data([], [])
        self.heading.setText(f"Beräknar uppföljningen för {month.label} …")
        self.trend_status.setText("")
        # The month first; the 13-month trend (several times longer) follows, so that the figures show sooner.
        self._start(f"Beräknar uppföljningen för {month.label} …", lambda: monthly_report(self.ctx, month, scope),
                    self._show_report, self._report_failed)

    def _report_failed(self, exc: BaseException) -> None:
        self.heading.setText("Uppföljningen kunde inte beräknas. Försök igen.")
        self._error(exc)

    def _show_report(self, report: Report) -> None:
        self.report = report
        self.trend_status.setText(f"Beräknar utvecklingen de senaste 13 månaderna fram till {report.month.label} …")
        self._start("Beräknar utvecklingen …", lambda: trend_points(self.ctx, report.month, report.scope),
                    self._show_trend, self._trend_failed)
        self.national_status.setText(f"Beräknar de nationella måtten för {report.month.label} …")
        self._start("Beräknar nationella mått …", lambda: national_report(self.ctx, report.month),
                    self._show_national, self._national_failed)
        self.heading.setText(f"{report.month.label.capitalize()} jämfört med {report.month.a_year_earlier.label}")
        self.figures_model.set_table(figures_table(report))
        self.overview_notes.setText("\n".join(notes(report)[:3]))  # scope, the two families, small numbers
        self.buckets_model.set_table(buckets_table(report))
        self.distribution.set_data(*distribution_series(report))
        self.tables = breakdown_tables(report)
        current = self.dimension.currentIndex()
        self.dimension.blockSignals(True)
        self.dimension.clear()
        self.dimension.addItems([t.title.removeprefix("Per ").capitalize() for t in self.tables])
        self.dimension.setCurrentIndex(max(current, 0))
        self.dimension.blockSignals(False)
        self._show_breakdown()

    def _show_trend(self, points: list[TrendPoint]) -> None:
        if self.report is None:
            return
        self.report = report = replace(self.report, trend=points)
        self.trend_status.setText("")
        self.trend_model.set_table(trend_table(report))
        self.trend_chart.set_data(*trend_series(report))

    def _show_national(self, national: NationalReport) -> None:
        month = national.current.month
        self.national_status.setText(f"Nationella mått för {month.label}, per stegtyp, jämfört med "
                                     f"{month.a_year_earlier.label}: det SKR räknar fram ur Lotsens exportfil.")
        self.national_model.set_table(national.table)
        self.elsewhere_model.set_table(national.care_elsewhere)
        self.elsewhere_title.setText(national.care_elsewhere.title)
        self.national_notes.setText("\n".join(national.notes))

    def _national_failed(self, exc: BaseException) -> None:
        self.national_status.setText("De nationella måtten kunde inte beräknas. Försök igen.")
        self._error(exc)

    def _trend_failed(self, exc: BaseException) -> None:
        self.trend_status.setText("Utvecklingen kunde inte beräknas. Försök igen.")
        self._error(exc)

    def _show_breakdown(self) -> None:
        if not self.report or self.dimension.currentIndex() < 0:
            return
        table = self.tables[self.dimension.currentIndex()]
        self.breakdown_model.set_table(table)
        shown = [row for row in table.rows if isinstance(row[1], int)]
        self.breakdown_chart.set_data([str(row[0])[:18] for row in shown], [("Väntande", [row[1] for row in shown])])

    def show_reminder(self) -> None:
        due = export_due(self.ctx)
        self.reminder.setText(f"⚠ {due.message} Gör den under fliken Nationell export." if due else "")
        self.reminder.setVisible(due is not None)

    def save(self, kind: str, path: Path) -> Path:
        """Write the shown report as `kind` (pdf, xlsx, csv) to `path`."""
        if self.report is None:  # the buttons wait for a report; a direct call computes one
            self.report = monthly_report(self.ctx, self.selected_month(), self.selected_scope(), trend=True)
        writer = {"pdf": lambda r, p: write_pdf(r, p, self.ctx.today()), "xlsx": write_xlsx, "csv": write_csv}[kind]
        return writer(self.report, path)

    def preview_print(self) -> None:
        """The shown report page by page as it will be printed; Skriv ut in the preview prints those pages."""
        if self.report is None:
            return
        document = report_document(self.report, self.ctx.today(), print_charts(self.report))
        printer = make_printer()  # kept alive here: the preview dialog does not own it
        if show_preview(self, printer, f"Förhandsgranskning: {title(self.report)}", document.print_,
                        name="reportPreview"):
            self.statusBar().showMessage("Rapporten är skickad till skrivaren.", 10_000)

    def _ask(self, kind: str, pattern: str) -> None:
        default = str(Path.home() / f"uppfoljning-{self.month.currentData()}.{kind}")
        name, _ = QFileDialog.getSaveFileName(self, "Spara rapporten", default, pattern)
        if name:
            try:
                self.statusBar().showMessage(f"Sparad: {self.save(kind, Path(name))}", 10_000)
            except OSError as exc:
                self._error(exc)

    def _ask_pdf(self) -> None:
        self._ask("pdf", "PDF (*.pdf)")

    def _ask_xlsx(self) -> None:
        self._ask("xlsx", "Excel (*.xlsx)")

    def _ask_csv(self) -> None:
        self._ask("csv", "CSV för Excel (*.csv)")

    def _browse_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Välj mapp för exportfilerna", self.out_dir.text())
        if folder:
            self.out_dir.setText(folder)

    def _browse_xsd(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Välj XSD-filer från SKR", "", "XML-schema (*.xsd)")
        if names:
            self.xsd_paths.setText(";".join(names))

    def _show_issues(self, issues) -> None:
        """The problems with their number of cases; the first one's cases below."""
        self.issue_groups = group_issues(issues)
        self.problems_model.set_table(Table("Problem att rätta", ("Uppgift", "Problem", "Följd", "Ärenden"), [
            (g.field, g.message, g.consequence, len(g.case_ids)) for g in self.issue_groups]))
        if self.issue_groups:
            self.problems_view.selectRow(0)
        self._show_cases(0)

    def _show_cases(self, row: int) -> None:
        group = self.issue_groups[row] if 0 <= row < len(self.issue_groups) else None
        self.cases_label.setText(f"Ärenden med problemet ({len(group.case_ids)}): {group.field} – "
                                 f"{group.message}" if group else "Ärenden med problemet:")
        self.issues_model.set_table(Table("Ärenden att rätta", ("Ärende",), [
            (str(case_id),) for case_id in (group.case_ids if group else ())]))

    def check(self) -> None:
        month = self.selected_month()
        self.export_status.setText(f"Kontrollerar uppgifterna för {month.label} …")
        self._start("Kontrollerar uppgifterna …", lambda: prepare(self.ctx, month), self._checked, self._error)

    def _checked(self, prepared) -> None:
        self._show_issues(prepared.issues)
        blocking = len({c for g in self.issue_groups if g.blocking for c in g.case_ids})
        flawed = len({c for g in self.issue_groups if not g.blocking for c in g.case_ids})
        counts = ", ".join(f"{len(r)} {KIND_LABEL[k]}" for k, r in prepared.records.items())
        self.export_status.setText(f"Kontroll klar: {counts} kan skickas. {blocking} ärenden kan inte skickas "
                                   f"förrän de är rättade; {flawed} har mindre brister.")

    def export(self) -> None:
        xsds = [Path(p.strip()) for p in self.xsd_paths.text().split(";") if p.strip()]
        missing = [str(p) for p in xsds if not p.is_file()]
        if missing:
            self._error(InputError("XSD-filer", "filen finns inte: " + ", ".join(missing)))
            return
        month, folder = self.selected_month(), Path(self.out_dir.text())
        self.export_status.setText(f"Skapar exportfilerna för {month.label} …")
        self._start("Skapar exportfilerna …", lambda: export_month(self.ctx, month, folder, xsds), self._exported,
                    self._error)

    def _exported(self, result) -> None:
        self._show_issues(result.issues)
        lines = [f"{f.path.name}: {f.rows} poster" for f in result.files]
        if result.validated_against:
            lines.append("Filerna följer " + ", ".join(p.name for p in result.validated_against) + ".")
        if result.issues_file:
            lines.append(f"Ärenden att rätta finns också i {result.issues_file}.")
        self.export_status.setText("Export klar. " + " ".join(lines) + " " + result.coverage)
        self._show_history()
        self.show_reminder()

    def _show_history(self) -> None:
        rows = [(h.period, KIND_LABEL[Kind(h.kind)], str(h.rows), h.user, h.at.strftime("%Y-%m-%d %H:%M UTC"),
                 h.sha256[:16] + "…", h.file) for h in export_history(self.ctx)]
        self.history_model.set_table(Table("Gjorda exporter", ("Månad", "Innehåll", "Poster", "Gjord av", "När",
                                                               "SHA-256", "Fil"), rows))

    def _error(self, exc: BaseException) -> None:
        """A Swedish message, in the window and in a box; ui.errors logs an unexpected error in full."""
        if isinstance(exc, OSError) and not isinstance(exc, (InputError, StorageError)):
            title, text = "Det gick inte att spara", f"Filen kunde inte skrivas: {exc.strerror or exc}."
        else:
            title, text = user_message(exc)  # logs an unexpected error with its traceback
        if isinstance(exc, (OSError, InputError, StorageError)):
            log.warning("Reports window: %s", text)
        self.export_status.setText("Fel: " + text)
        QMessageBox.warning(self, title, text)
