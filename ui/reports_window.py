"""Uppföljning och export: the month's figures with charts drawn by QPainter (QtCharts is not part of
PySide6-Essentials), the tables as PDF/XLSX/CSV, and the national export to Väntetidsdatabasen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
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
from app.export import export_due, export_history, export_month, prepare
from app.export.records import KIND_LABEL, Kind
from app.reports import Month, Report, Scope, monthly_report, scope_choices
from app.reports.output import write_csv, write_pdf, write_xlsx
from app.reports.tables import (
    Table,
    breakdown_tables,
    buckets_table,
    figures_table,
    fmt,
    trend_table,
    unit_of,
)

Index = QModelIndex | QPersistentModelIndex
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


def _table_view(model: TableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    model.modelReset.connect(lambda: header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
                             if model.columnCount() else None)
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
                painter.drawText(QRectF(bar.left() - 8, bar.top() - 16, bar.width() + 16, 14),
                                 Qt.AlignmentFlag.AlignCenter, fmt(values[i]))
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
        self.tabs.addTab(self._trend_tab(), "Utveckling")
        self.tabs.addTab(self._breakdown_tab(), "Fördelning")
        self.tabs.addTab(self._export_tab(), "Nationell export")
        layout.addWidget(self.tabs)
        self.setCentralWidget(body)
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
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for text, name, slot in (("Spara som &PDF…", "Spara rapporten som PDF", self._ask_pdf),
                                 ("Spara som &Excel…", "Spara tabellerna som Excel-fil", self._ask_xlsx),
                                 ("Spara som &CSV…", "Spara tabellerna som CSV-fil", self._ask_csv)):
            buttons.addWidget(_button(text, name, slot))
        layout.addLayout(buttons)
        return tab

    def _trend_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
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
        buttons.addWidget(_button("&Kontrollera uppgifterna", "Kontrollera uppgifterna före export", self.check))
        buttons.addWidget(_button("Skapa &exportfiler", "Skapa exportfilerna för månaden", self.export))
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.export_status = QLabel()
        self.export_status.setAccessibleName("Resultat av kontroll eller export")
        self.export_status.setWordWrap(True)
        layout.addWidget(self.export_status)
        layout.addWidget(QLabel("Ärenden att rätta:"))
        self.issues_model = TableModel(self)
        layout.addWidget(_table_view(self.issues_model, "Ärenden att rätta"), 1)
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

    def refresh(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.report = monthly_report(self.ctx, self.selected_month(), self.selected_scope(), trend=True)
        except (InputError, StorageError) as exc:
            self._error(exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        report = self.report
        self.heading.setText(f"{report.month.label.capitalize()} jämfört med {report.month.a_year_earlier.label}")
        self.figures_model.set_table(figures_table(report))
        self.buckets_model.set_table(buckets_table(report))
        self.distribution.set_data([b.label for b in report.buckets],
                                   [("Alla väntande", [b.all for b in report.buckets]),
                                    ("Aktivt väntande", [b.active for b in report.buckets])])
        trend = trend_table(report)
        self.trend_model.set_table(trend)
        self.trend_chart.set_data([f"{p.month.year % 100:02d}-{p.month.month:02d}" for p in report.trend],
                                  [p.waiting for p in report.trend], "Väntande vid månadens slut")
        self.tables = breakdown_tables(report)
        current = self.dimension.currentIndex()
        self.dimension.blockSignals(True)
        self.dimension.clear()
        self.dimension.addItems([t.title.removeprefix("Per ").capitalize() for t in self.tables])
        self.dimension.setCurrentIndex(max(current, 0))
        self.dimension.blockSignals(False)
        self._show_breakdown()

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
        if self.report is None:
            self.refresh()
        writer = {"pdf": lambda r, p: write_pdf(r, p, self.ctx.today()), "xlsx": write_xlsx, "csv": write_csv}[kind]
        return writer(self.report, path)

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

    def _issues_table(self, issues) -> Table:
        return Table("Ärenden att rätta", ("Ärende", "Uppgift", "Problem", "Följd"),
                     [(str(i.case_id), i.field, i.message, "Skickas inte" if i.blocking else "Skickas ändå")
                      for i in sorted(issues, key=lambda i: (not i.blocking, i.case_id))])

    def check(self) -> None:
        try:
            prepared = prepare(self.ctx, self.selected_month())
        except (InputError, StorageError) as exc:
            self._error(exc)
            return
        self.issues_model.set_table(self._issues_table(prepared.issues))
        blocking = sum(1 for i in prepared.issues if i.blocking)
        counts = ", ".join(f"{len(r)} {KIND_LABEL[k]}" for k, r in prepared.records.items())
        self.export_status.setText(f"Kontroll klar: {counts} kan skickas. {blocking} ärenden kan inte skickas "
                                   f"förrän de är rättade; {len(prepared.issues) - blocking} har mindre brister.")

    def export(self) -> None:
        xsds = [Path(p.strip()) for p in self.xsd_paths.text().split(";") if p.strip()]
        missing = [str(p) for p in xsds if not p.is_file()]
        if missing:
            self._error(InputError("XSD-filer", "filen finns inte: " + ", ".join(missing)))
            return
        try:
            result = export_month(self.ctx, self.selected_month(), Path(self.out_dir.text()), xsds)
        except (InputError, StorageError, OSError) as exc:
            self._error(exc)
            return
        self.issues_model.set_table(self._issues_table(result.issues))
        lines = [f"{f.path.name}: {f.rows} poster" for f in result.files]
        if result.validated_against:
            lines.append("Filerna följer " + ", ".join(p.name for p in result.validated_against) + ".")
        if result.issues_file:
            lines.append(f"Ärenden att rätta finns också i {result.issues_file}.")
        self.export_status.setText("Export klar. " + " ".join(lines))
        self._show_history()
        self.show_reminder()

    def _show_history(self) -> None:
        rows = [(h.period, KIND_LABEL[Kind(h.kind)], str(h.rows), h.user, h.at.strftime("%Y-%m-%d %H:%M UTC"),
                 h.sha256[:16] + "…", h.file) for h in export_history(self.ctx)]
        self.history_model.set_table(Table("Gjorda exporter", ("Månad", "Innehåll", "Poster", "Gjord av", "När",
                                                               "SHA-256", "Fil"), rows))

    def _error(self, exc: Exception) -> None:
        text = (f"{exc.field}: {exc.message}" if isinstance(exc, InputError)
                else exc.message if isinstance(exc, StorageError) else str(exc))
        self.export_status.setText("Fel: " + text)
        QMessageBox.warning(self, "Lotsen", text)
