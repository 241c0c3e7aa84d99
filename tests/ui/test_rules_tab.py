"""The thresholds tab of Administration → Inställningar: a shorter risk limit is saved with its history and applied
to open steps, with the refresh's progress shown; read-only for a vårdlots; a refresh left half-done is finished at
the next start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

from app import rule_settings, worklist
from app.context import sign_in
from app.guarantee import State
from app.settings import RULES, TAB_RULES, setting_history, store_setting
from db.models import Setting
from tests.db.test_worklist import add
from ui.main_window import MainWindow
from ui.region_settings_window import RegionSettingsWindow
from ui.rules_tab import finish_in_background


def rules_window(qtbot, ctx) -> RegionSettingsWindow:
    """Administration → Inställningar opened at the thresholds' tab, as the first-start guide and messages do."""
    window = RegionSettingsWindow(ctx, tab=TAB_RULES)
    qtbot.addWidget(window)
    window.show()
    assert window.tabs.currentWidget() is window.rules
    return window


def save(qtbot, window: RegionSettingsWindow) -> None:
    qtbot.mouseClick(window.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result() == QDialog.DialogCode.Accepted, timeout=10_000)


def test_change_the_risk_threshold(qtbot, ctx):
    add(ctx, 1, "Olle Ok", 45)
    assert worklist.count_by_state(ctx) == {State.OK: 1}
    window = rules_window(qtbot, ctx)
    spin = window.rules.spins[("SV_FORSTA_BESOK", "risk_waited_days")]
    assert spin.value() == 60
    spin.setValue(40)
    save(qtbot, window)
    assert worklist.count_by_state(ctx) == {State.RISK: 1}
    assert setting_history(ctx.db, RULES)[-1].changed_by == ctx.user_id
    again = rules_window(qtbot, ctx)
    assert again.rules.spins[("SV_FORSTA_BESOK", "risk_waited_days")].value() == 40
    assert "Senast ändrat" in again.rules.history.text()


def test_saving_other_settings_leaves_the_thresholds_and_the_steps_alone(qtbot, ctx):
    add(ctx, 1, "Olle Ok", 45)
    window = rules_window(qtbot, ctx)
    window.widgets["Region"].setText("Region Halland")
    save(qtbot, window)
    assert setting_history(ctx.db, RULES) == [] and not rule_settings.refresh_pending(ctx)


def test_a_threshold_can_be_unset(qtbot, ctx):
    window = rules_window(qtbot, ctx)
    spin = window.rules.spins[("SV_FORSTA_BESOK", "regional_target_days")]
    assert spin.text() == "Ej satt"
    spin.setValue(60)
    assert window.rules.overrides()["steps"]["SV_FORSTA_BESOK"]["regional_target_days"] == 60


def test_a_case_worker_sees_the_thresholds_read_only_with_the_reason(qtbot, ctx):
    worker = sign_in(ctx.db, "bo.lots", "Bo Lots")
    worker.today = ctx.today
    window = rules_window(qtbot, worker)
    assert "bara en administratör" in window.findChild(QLabel, "readOnlyReason").text()
    assert window.buttons.button(QDialogButtonBox.StandardButton.Save) is None
    spins = [*window.rules.spins.values(), window.rules.active, window.rules.validation]
    assert spins and not any(spin.isEnabled() for spin in spins)


def test_the_old_menu_entry_is_gone_and_administration_opens_the_one_window(qtbot, ctx, monkeypatch):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.runner.wait()
    assert "settings" not in window.menu_actions
    opened: list[RegionSettingsWindow] = []

    def look(dialog: RegionSettingsWindow) -> int:
        opened.append(dialog)
        return QDialog.DialogCode.Rejected.value
    monkeypatch.setattr(RegionSettingsWindow, "exec", look)
    window.menu_actions["region_settings"].trigger()
    (dialog,) = opened
    assert TAB_RULES in [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    window.runner.wait()


@pytest.fixture
def small_batches(monkeypatch):
    """A refresh of a few steps in several batches, as of 100 000 steps in the region."""
    monkeypatch.setattr(rule_settings, "BATCH_SECONDS", 0.0)
    monkeypatch.setattr(rule_settings, "SLICE", 2)


def test_saving_shows_the_refresh_progress_and_the_window_stays_responsive(qtbot, ctx, small_batches):
    for n in range(7):
        add(ctx, n + 1, f"Patient {n}", 45)
    window = rules_window(qtbot, ctx)
    tab = window.rules
    tab.spins[("SV_FORSTA_BESOK", "risk_waited_days")].setValue(40)
    shown = []
    moved = tab._moved
    tab._moved = lambda done, total: (moved(done, total), shown.append(
        (tab.progress.value(), tab.progress.maximum(), tab.progress.labelText())))
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    save(qtbot, window)
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
