"""The thresholds dialog: a shorter risk limit is saved with its history and applied to open steps, with the
refresh's progress shown; a refresh left half-done is finished at the next start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

from app import rule_settings, worklist
from app.guarantee import State
from app.settings import RULES, setting_history, store_setting
from db.models import Setting
from tests.db.test_worklist import add
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog, finish_in_background


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


@pytest.fixture
def small_batches(monkeypatch):
    """A refresh of a few steps in several batches, as of 100 000 steps in the region."""
    monkeypatch.setattr(rule_settings, "BATCH_SECONDS", 0.0)
    monkeypatch.setattr(rule_settings, "SLICE", 2)


def test_saving_shows_the_refresh_progress_and_the_window_stays_responsive(qtbot, ctx, small_batches):
    for n in range(7):
        add(ctx, n + 1, f"Patient {n}", 45)
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.spins[("SV_FORSTA_BESOK", "risk_waited_days")].setValue(40)
    shown = []
    moved = dialog._moved
    dialog._moved = lambda done, total: (moved(done, total), shown.append(
        (dialog.progress.value(), dialog.progress.maximum(), dialog.progress.labelText())))
    ticks = []
    timer = QTimer(dialog)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert [(value, maximum) for value, maximum, _text in shown] == [(2, 7), (4, 7), (6, 7), (7, 7)]
    assert "7 av 7 klara" in shown[-1][2] and "Kollegorna kan arbeta" in shown[-1][2]
    assert len(ticks) >= 4  # the UI thread ran on while the batches and their pauses went by
    assert worklist.count_by_state(ctx) == {State.RISK: 7}


def test_a_refresh_left_pending_is_finished_at_start(qtbot, ctx, small_batches):
    for n in range(5):
        add(ctx, n + 1, f"Patient {n}", 45)
    with ctx.db.transaction() as session:  # what a rule change killed after its first transaction leaves
        store_setting(session, RULES, {"steps": {"SV_FORSTA_BESOK": {"risk_waited_days": 40}}}, ctx.user_id)
        session.add(Setting(key=rule_settings.PENDING, value={"after": 0}))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    finish_in_background(window)
    qtbot.waitUntil(lambda: not rule_settings.refresh_pending(ctx), timeout=10_000)
    window.rule_refresh_runner.wait()
    qtbot.waitUntil(lambda: "omräknade" in window.statusBar().currentMessage())
    window.runner.wait()
    assert worklist.count_by_state(ctx) == {State.RISK: 5}
