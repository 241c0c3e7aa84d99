"""The forecast (app.forecast): per unit × step kind, the queue for 12 weeks with its interval, and the patients
likely to pass their deadline; "Visa i arbetslistan" opens the worklist filtered to the unit and step kind."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.forecast.service import GroupForecast, RegionForecast, forecast
from app.worklist import Filter
from ui.forms import read_only_table
from ui.worker import lane

GROUP_HEADINGS = ["Enhet", "Steg", "Väntar", "Om 12 v (10–90 %)", "> 90 dagar om 8 v", "Passerar gränsen"]
BREACH_HEADINGS = ["Patient", "Tidsgräns", "Sannolikhet", "Passerar 60 dagar", "Passerar 90 dagar"]


class QueueChart(QWidget):
    """The queue week by week: the median as a line, the 10–90 % interval as a band (and said in words)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(420, 220)
        self.setAccessibleName("Diagram över kön")
        self.title = ""
        self.points: list[tuple[float, float, float]] = []

    def show_queue(self, title: str, points: list[tuple[float, float, float]]) -> None:
        self.title, self.points = title, points
        if points:
            low, mid, high = points[-1]
            self.setAccessibleDescription(f"{title}: i dag {points[0][1]:.0f}, om 12 veckor {mid:.0f} "
                                          f"(troligen mellan {low:.0f} och {high:.0f})")
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.drawText(QRectF(8, 4, self.width() - 16, 20), Qt.AlignmentFlag.AlignLeft, self.title)
        if not self.points:
            return
        left, top, right, bottom = 48.0, 30.0, self.width() - 16.0, self.height() - 30.0
        top_value = max(1.0, max(p[2] for p in self.points)) * 1.1
        weeks = len(self.points) - 1

        def at(week: int, value: float) -> QPointF:
            return QPointF(left + (right - left) * week / weeks, bottom - (bottom - top) * value / top_value)

        painter.setPen(QPen(QColor("#888")))
        painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
        painter.drawLine(QPointF(left, top), QPointF(left, bottom))
        for fraction in (0, 0.5, 1):
            value = top_value * fraction
            y = bottom - (bottom - top) * fraction
            painter.drawText(QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, f"{value:.0f}")
        for week in range(0, weeks + 1, 2):
            x = at(week, 0).x()
            painter.drawText(QRectF(x - 20, bottom + 4, 40, 16), Qt.AlignmentFlag.AlignCenter,
                             "i dag" if week == 0 else f"v+{week}")
        band = QPolygonF([at(w, p[2]) for w, p in enumerate(self.points)]
                         + [at(w, p[0]) for w, p in reversed(list(enumerate(self.points)))])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(37, 99, 235, 60))
        painter.drawPolygon(band)
        line = QPainterPath(at(0, self.points[0][1]))
        for w, p in enumerate(self.points[1:], 1):
            line.lineTo(at(w, p[1]))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor("#1d4ed8"), 2))
        painter.drawPath(line)
        painter.setPen(QPen(QColor("#333")))
        painter.drawText(QRectF(left + 8, top, right - left - 16, 18), Qt.AlignmentFlag.AlignRight,
                         "Linje: troligast antal väntande. Fält: 80 % av utfallen.")


class ForecastWindow(QDialog):
    open_filter = Signal(object)  # a worklist Filter

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: RegionForecast | None = None
        self.groups: list[GroupForecast] = []
        self.runner = lane(ctx, self)
        self.setWindowTitle("Lotsen – prognos för väntelistorna")
        self.setMinimumSize(1180, 700)
        layout = QVBoxLayout(self)
        self.summary = QLabel("Beräknar prognosen …")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Sammanfattning")
        layout.addWidget(self.summary)

        split = QSplitter(Qt.Orientation.Vertical)
        self.table = read_only_table(GROUP_HEADINGS, "Enheter och steg", stretch_last=False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_group(row))
        split.addWidget(self.table)
        bottom = QWidget()
        row = QHBoxLayout(bottom)
        row.setContentsMargins(0, 0, 0, 0)
        self.chart = QueueChart()
        row.addWidget(self.chart, 1)
        column = QVBoxLayout()
        self.breach_label = QLabel("Patienter som troligen passerar tidsgränsen:")
        column.addWidget(self.breach_label)
        self.breaches = read_only_table(BREACH_HEADINGS, "Patienter som troligen passerar tidsgränsen",
                                        stretch_last=False)
        self.breaches.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.breaches, 1)
        row.addLayout(column, 1)
        split.addWidget(bottom)
        split.setSizes([330, 330])
        layout.addWidget(split, 1)
        buttons = QHBoxLayout()
        self.worklist_button = QPushButton("&Visa i arbetslistan")
        self.worklist_button.setToolTip("Arbetslistan filtreras på enheten och steget")
        self.worklist_button.clicked.connect(self._open_worklist)
        self.worklist_button.setEnabled(False)
        buttons.addWidget(self.worklist_button)
        buttons.addStretch()
        close = QPushButton("&Stäng")
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.runner.query(lambda: forecast(self.ctx), self._loaded)

    def _loaded(self, result: RegionForecast) -> None:
        self.result = result
        # the units with the most patients likely to breach first
        self.groups = sorted(result.groups, key=lambda g: (-len(g.breaches), -g.over_90_in_8_weeks[1], g.unit))
        breaches = sum(len(g.breaches) for g in self.groups)
        now = result.region_queue[0][1] if result.region_queue else 0
        low, mid, high = result.region_queue[-1] if result.region_queue else (0, 0, 0)
        self.summary.setText(
            f"Hela regionen: {now:.0f} väntar i dag; om 12 veckor troligen {mid:.0f} (mellan {low:.0f} och "
            f"{high:.0f}). {breaches} patienter passerar troligen sin tidsgräns inom 12 veckor om inget ändras. "
            "Prognosen bygger på varje enhets egna senaste 26 veckor: nya remisser, genomförda besök och "
            "patienter som lämnat kön. Markera en enhet för dess diagram och patienter.")
        self.table.setRowCount(len(self.groups))
        for r, g in enumerate(self.groups):
            low, mid, high = g.queue[-1]
            o_low, o_mid, o_high = g.over_90_in_8_weeks
            for c, text in enumerate((g.unit, g.step_name, str(g.waiting_now),
                                      f"{mid:.0f} ({low:.0f}–{high:.0f})", f"{o_mid:.0f} ({o_low:.0f}–{o_high:.0f})",
                                      str(len(g.breaches)))):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.chart.show_queue("Hela regionen", result.region_queue)
        if self.groups:
            self.table.setCurrentCell(0, 0)

    def _show_group(self, row: int) -> None:
        if not 0 <= row < len(self.groups):
            return
        g = self.groups[row]
        self.chart.show_queue(f"{g.unit} – {g.step_name}", g.queue)
        self.breach_label.setText(f"Patienter som troligen passerar tidsgränsen ({len(g.breaches)}):")
        self.breaches.setRowCount(len(g.breaches))
        for r, b in enumerate(g.breaches):
            for c, text in enumerate((b.patient_name, b.deadline.isoformat(), f"{b.probability:.0%}",
                                      b.passes_60.isoformat(), b.passes_90.isoformat())):
                self.breaches.setItem(r, c, QTableWidgetItem(text))
        self.worklist_button.setEnabled(True)

    def current_filter(self) -> Filter | None:
        row = self.table.currentRow()
        return self.groups[row].worklist_filter() if 0 <= row < len(self.groups) else None

    def _open_worklist(self) -> None:
        flt = self.current_filter()
        if flt is not None:
            self.open_filter.emit(flt)

