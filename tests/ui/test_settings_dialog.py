"""The thresholds dialog: a shorter risk limit is saved with its history and applied to open steps."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from app import worklist
from app.guarantee import State
from app.settings import RULES, setting_history
from tests.db.test_worklist import add
from ui.settings_dialog import SettingsDialog


def test_change_the_risk_threshold(qtbot, ctx):
    add(ctx, 1, "Olle Ok", 45)
    assert worklist.count_by_state(ctx) == {State.OK: 1}
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    spin = dialog.spins[("SV_FORSTA_BESOK", "risk_waited_days")]
    assert spin.value() == 60
    spin.setValue(40)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert worklist.count_by_state(ctx) == {State.RISK: 1}
    assert setting_history(ctx.db, RULES)[-1].changed_by == ctx.user_id
    again = SettingsDialog(ctx)
    qtbot.addWidget(again)
    assert again.spins[("SV_FORSTA_BESOK", "risk_waited_days")].value() == 40
    assert "Senast ändrat" in again.history.text()


def test_a_threshold_can_be_unset(qtbot, ctx):
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    spin = dialog.spins[("SV_FORSTA_BESOK", "regional_target_days")]
    assert spin.text() == "Ej satt"
    spin.setValue(60)
    assert dialog.overrides()["steps"]["SV_FORSTA_BESOK"]["regional_target_days"] == 60
