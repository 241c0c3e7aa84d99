"""The region's own thresholds: warning days, notice days, active-waiting interval and shorter regional targets.
Saving re-evaluates every open step, off the UI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QProgressDialog,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.rule_settings import change_rules, current_overrides
from app.settings import ACTIVE_WAITING, RULES, STEP_THRESHOLDS, setting_history
from app.users import active_users
from ui.forms import save_cancel_buttons
from ui.worker import BackgroundRunner

NOT_SET = "Ej satt"


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Inställningar för tidsgränser")
        self.setObjectName("settingsDialog")
        self.runner = BackgroundRunner(self)
        overrides = current_overrides(ctx)
        rules = ctx.rules.for_date(ctx.today())
        layout = QVBoxLayout(self)
        intro = QLabel("Regionens egna gränser för varningar och påminnelser. Lagens tidsgränser ändras inte här. "
                       "När du sparar räknas alla öppna steg om.")
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
        layout.addLayout(row)

        self.history = QLabel(self._history_text())
        self.history.setWordWrap(True)
        self.history.setStyleSheet("color: #444;")
        layout.addWidget(self.history)
        layout.addWidget(save_cancel_buttons(self, self.save))

    def overrides(self) -> dict[str, Any]:
        """Every threshold as shown: the stored settings are then exactly what the dialog said."""
        steps: dict[str, dict[str, int | None]] = {}
        lows = {field: low for field, _label, low, _high, _optional in STEP_THRESHOLDS}
        for (code, field), spin in self.spins.items():
            steps.setdefault(code, {})[field] = None if spin.value() < lows[field] else spin.value()
        return {ACTIVE_WAITING[0]: self.active.value(), "steps": steps}

    def save(self) -> None:
        progress = QProgressDialog("Räknar om alla öppna steg …", "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setWindowTitle("Sparar inställningar")
        progress.show()
        overrides = self.overrides()

        def done(_count: int) -> None:
            progress.close()
            self.accept()

        def failed(exc: BaseException) -> None:
            from ui.errors import show_error

            progress.close()
            show_error(self, exc)

        self.runner.run(lambda: change_rules(self.ctx, overrides), done, failed)

    def _history_text(self) -> str:
        changes = setting_history(self.ctx.db, RULES)
        if not changes:
            return "Inga ändringar har gjorts; regelverkets standardvärden gäller."
        names = {u.id: u.display_name for u in active_users(self.ctx)}
        last = changes[-1]
        return (f"Senast ändrat {last.changed_at:%Y-%m-%d %H:%M} (UTC) av {names.get(last.changed_by, 'okänd')}. "
                f"{len(changes)} ändringar totalt.")

