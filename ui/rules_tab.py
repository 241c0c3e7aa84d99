"""Administration → Inställningar, the tab "Tidsgränser och varningar": the region's own warning days, notice days,
active-waiting interval, shorter regional targets and validation days. Saving re-evaluates every open step, off
the UI thread, in short batches that leave colleagues free to save (app.rule_settings), with its progress shown."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QLabel,
    QMainWindow,
    QProgressDialog,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import validation
from app.context import AppContext
from app.rule_settings import change_rules, current_overrides, finish_refresh
from app.settings import ACTIVE_WAITING, RULES, STEP_THRESHOLDS, setting_history
from app.users import active_users
from ui.worker import MANY, lane

log = logging.getLogger(__name__)
NOT_SET = "Ej satt"
WORKING = "Räknar om de öppna stegen med de nya gränserna …"
COLLEAGUES = "Kollegorna kan arbeta som vanligt under tiden."


class Progress(QObject):
    """Progress of a refresh, from the worker thread to the UI thread (a queued signal)."""

    moved = Signal(int, int)  # steps done, steps in all


def progress_text(done: int, total: int) -> str:
    return f"Räknar om de öppna stegen: {done:,} av {total:,} klara.".replace(",", "\u00a0")  # 5 025 av 6 000


class RulesTab(QWidget):
    """The settings window's tab; `read_only` (not an administratör) shows the values without letting them change.
    The window saves it with save() when changed()."""

    def __init__(self, ctx: AppContext, read_only: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("rulesTab")
        self.runner = lane(ctx, self)
        overrides = current_overrides(ctx)
        rules = ctx.rules.for_date(ctx.today())
        layout = QVBoxLayout(self)
        intro = QLabel("Regionens egna gränser för varningar och påminnelser. Lagens tidsgränser ändras inte här. "
                       "När du sparar ändrade gränser räknas alla öppna steg om.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        group = QGroupBox("Per steg")
        grid = QGridLayout(group)
        for column, (_field, label, *_bounds) in enumerate(STEP_THRESHOLDS, start=1):
            header = QLabel(f"<b>{label}</b>")
            header.setWordWrap(True)
            grid.addWidget(header, 0, column)
        self.spins: dict[tuple[str, str], QSpinBox] = {}
        for row, (code, step) in enumerate(rules.steps.items(), start=1):
            grid.addWidget(QLabel(step.name), row, 0)
            for column, (field, label, low, high, optional) in enumerate(STEP_THRESHOLDS, start=1):
                spin = QSpinBox()
                if optional:
                    spin.setRange(low - 1, high)  # one below the lowest value means "not set"
                    spin.setSpecialValueText(NOT_SET)
                else:
                    spin.setRange(low, high)
                spin.setAccessibleName(f"{label}, {step.name}")
                value = getattr(step, field)
                spin.setValue(value if value is not None else low - 1)
                grid.addWidget(spin, row, column)
                self.spins[(code, field)] = spin
        layout.addWidget(group)

        field, label, low, high = ACTIVE_WAITING
        self.active = QSpinBox()
        self.active.setRange(low, high)
        self.active.setValue(overrides.get(field, rules.active_waiting_days))
        self.active.setAccessibleName(label)
        row = QGridLayout()
        row.addWidget(QLabel(label + ":"), 0, 0)
        row.addWidget(self.active, 0, 1)
        self.validation = QSpinBox()
        self.validation.setRange(*validation.VALIDATION_DAYS_RANGE)
        self.validation.setValue(validation.validation_days(ctx))
        self.validation.setAccessibleName(validation.VALIDATION_DAYS_LABEL)
        row.addWidget(QLabel(validation.VALIDATION_DAYS_LABEL + ":"), 1, 0)
        row.addWidget(self.validation, 1, 1)
        row.setColumnStretch(2, 1)
        layout.addLayout(row)

        self.history = QLabel(self._history_text())
        self.history.setWordWrap(True)
        self.history.setStyleSheet("color: #444;")
        layout.addWidget(self.history)
        layout.addStretch(1)
        self.shown = (self.overrides(), self.validation.value())  # what save() compares with
        if read_only:
            for spin in (*self.spins.values(), self.active, self.validation):
                spin.setEnabled(False)

    def changed(self) -> bool:
        return (self.overrides(), self.validation.value()) != self.shown

    def overrides(self) -> dict[str, Any]:
        """Every threshold as shown: the stored settings are then exactly what the tab said."""
        steps: dict[str, dict[str, int | None]] = {}
        lows = {field: low for field, _label, low, _high, _optional in STEP_THRESHOLDS}
        for (code, field), spin in self.spins.items():
            steps.setdefault(code, {})[field] = None if spin.value() < lows[field] else spin.value()
        return {ACTIVE_WAITING[0]: self.active.value(), "steps": steps}

    def save(self, done: Callable[[], None], failed: Callable[[BaseException], None]) -> None:
        """Store what changed and re-evaluate every open step in the background, with the progress shown;
        `done` or `failed` follows on the UI thread."""
        self.progress = progress = QProgressDialog(f"{WORKING}\n{COLLEAGUES}", "", 0, 0, self.window())
        progress.setCancelButton(None)
        progress.setWindowTitle("Sparar inställningar")
        progress.setAutoReset(False)
        progress.setAutoClose(False)
        progress.setMinimumDuration(0)
        progress.show()
        overrides = self.overrides()
        overrides = None if overrides == self.shown[0] else overrides  # only the validation days changed
        days = self.validation.value()
        signals = Progress(self)
        signals.moved.connect(self._moved, Qt.ConnectionType.QueuedConnection)

        def work() -> int:
            if days != validation.validation_days(self.ctx):
                validation.set_validation_days(self.ctx, days)
            return 0 if overrides is None else change_rules(self.ctx, overrides, signals.moved.emit)

        def finished(_count: int) -> None:
            progress.close()
            done()

        def refused(exc: BaseException) -> None:
            progress.close()
            failed(exc)

        self.runner.op(work, finished, refused, cases=MANY)  # every open step's clock

    def _moved(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setLabelText(f"{progress_text(done, total)}\n{COLLEAGUES}")

    def _history_text(self) -> str:
        changes = setting_history(self.ctx.db, RULES)
        if not changes:
            return "Inga ändringar har gjorts; regelverkets standardvärden gäller."
        names = {u.id: u.display_name for u in active_users(self.ctx)}
        last = changes[-1]
        return (f"Senast ändrat {last.changed_at:%Y-%m-%d %H:%M} (UTC) av {names.get(last.changed_by, 'okänd')}. "
                f"{len(changes)} ändringar totalt.")


def finish_in_background(window: QMainWindow) -> None:
    """At start: finish a rule change's refresh that was left half-done (Lotsen closed or stopped while it ran),
    beside the user's work, with its progress in the status bar. Left pending again if Lotsen quits first."""
    stop = threading.Event()
    QApplication.instance().aboutToQuit.connect(stop.set)
    # On the reads' side of the runner, not as an op: it commits in batches, and a save must not wait minutes
    # for it; the list is read again when it is done.
    runner = lane(window.ctx, window)
    signals = Progress(window)
    bar = window.statusBar()
    signals.moved.connect(lambda done, total: bar.showMessage(progress_text(done, total) + " (ändrade tidsgränser)"),
                          Qt.ConnectionType.QueuedConnection)

    def done(count: int) -> None:
        if count and not stop.is_set():
            bar.showMessage("Alla öppna steg är omräknade med de ändrade tidsgränserna.", 8000)
            window.refresh()

    def failed(exc: BaseException) -> None:  # still pending: the next start tries again
        log.warning("Finishing the rule change's refresh failed: %s", exc)
        bar.showMessage("Omräkningen efter ändrade tidsgränser blev inte klar; Lotsen fortsätter nästa gång "
                        "programmet startar.", 8000)

    window.rule_refresh_runner = runner
    runner.query(lambda: finish_refresh(window.ctx, signals.moved.emit, stop), done, failed)
