"""A region's own thresholds: stored with history, validated, and applied to every open step in short batches
(each its own transaction), resumable, and by colleagues' saves too."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from app import cases, rule_settings, worklist
from app.context import sign_in
from app.errors import InputError
from app.guarantee import ClockEvent, EventKind, State, evaluate
from app.rule_settings import change_rules
from app.rulebook import shipped_rule_book
from app.settings import RULES, setting_history, store_setting
from app.steps import cache_columns
from tests.conftest import TODAY
from tests.db.test_worklist import add


def test_shorter_risk_threshold_applies_to_open_steps_and_is_remembered(ctx):
    opened = add(ctx, 1, "Olle Ok", 45)
    assert worklist.count_by_state(ctx) == {State.OK: 1}
    updated = change_rules(ctx, {"steps": {"SV_FORSTA_BESOK": {"risk_waited_days": 40, "regional_target_days": 60}}})
    assert updated == 1
    assert worklist.count_by_state(ctx) == {State.RISK: 1}
    clock = cases.step_clock(ctx, opened.step_id)
    assert clock.state is State.RISK and clock.target_date == TODAY - timedelta(days=45) + timedelta(days=60)
    again = sign_in(ctx.db, "anna.lots")
    again.today = ctx.today
    assert cases.step_clock(again, opened.step_id).state is State.RISK  # a new session uses the stored settings
    (change,) = setting_history(ctx.db, RULES)
    assert change.changed_by == ctx.user_id and change.old_value is None


def test_active_waiting_interval_changes_the_no_contact_flag(ctx):
    add(ctx, 1, "Olle Ok", 45)
    change_rules(ctx, {"active_waiting_days": 30})
    (row,) = worklist.rows_for(ctx, worklist.open_step_ids(ctx))
    assert row.flags and "ingen kontakt" in {f.value for f in row.flags}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"active_waiting_days": 0}, "Kontakt med långväntande var (dagar)"),
        ({"steps": {"SV_BEHANDLING": {"akut_remaining_days": -1}}}, "Akut vid dagar kvar (SV_BEHANDLING)"),
        ({"steps": {"BUP_FORSTA": {"notice_days": "fjorton"}}}, "Besked inom dagar (BUP_FORSTA)"),
    ],
)
def test_bad_thresholds_are_refused_and_nothing_changes(ctx, overrides, field):
    add(ctx, 1, "Olle Ok", 45)
    with pytest.raises(InputError) as error:
        change_rules(ctx, overrides)
    assert error.value.field == field
    assert setting_history(ctx.db, RULES) == []


RISK_40 = {"steps": {"SV_FORSTA_BESOK": {"risk_waited_days": 40}}}


@pytest.fixture
def one_step_batches(monkeypatch):
    monkeypatch.setattr(rule_settings, "BATCH_SECONDS", 0.0)
    monkeypatch.setattr(rule_settings, "SLICE", 1)
    monkeypatch.setattr(rule_settings, "PAUSE_SECONDS", 0.0)


def test_a_colleague_signed_in_before_the_change_saves_by_the_new_thresholds(ctx, second):
    opened = add(ctx, 1, "Olle Ok", 45)
    assert cases.step_clock(second, opened.step_id).state is State.OK  # Bo's instance: the old rules in memory
    change_rules(ctx, RISK_40)
    cases.record_contact(second, opened.step_id, TODAY, "telefon")  # a save re-reads the stored thresholds
    assert second.rule_overrides == RISK_40
    assert worklist.count_by_state(ctx) == {State.RISK: 1}


def test_a_stopped_refresh_is_left_pending_and_finished_later(ctx, one_step_batches):
    for n in range(4):
        add(ctx, n + 1, f"Patient {n}", 45)
    stop = threading.Event()
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        stop.set()

    assert change_rules(ctx, RISK_40, progress, stop) == 1
    assert seen == [(1, 4)] and rule_settings.refresh_pending(ctx)
    assert worklist.count_by_state(ctx) == {State.RISK: 1, State.OK: 3}  # the batch done is committed
    assert rule_settings.finish_refresh(ctx) == 3
    assert not rule_settings.refresh_pending(ctx)
    assert worklist.count_by_state(ctx) == {State.RISK: 4}
    assert len(setting_history(ctx.db, RULES)) == 1  # the marker is working state, not a setting's history


def test_two_instances_finishing_a_refresh_share_the_work(ctx, second, one_step_batches):
    for n in range(6):
        add(ctx, n + 1, f"Patient {n}", 45)
    with ctx.db.transaction() as session:
        store_setting(session, RULES, RISK_40, ctx.user_id)
        rule_settings._mark(session, 0)
    counts = []
    threads = [threading.Thread(target=lambda c=c: counts.append(rule_settings.finish_refresh(c))) for c in (ctx, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 6 and not rule_settings.refresh_pending(ctx)
    assert worklist.count_by_state(ctx) == {State.RISK: 6}


def test_the_cached_columns_are_named_in_order():
    assert rule_settings.steps.CACHE_COLUMNS == tuple(cache_columns(evaluate(
        "SV_FORSTA_BESOK", [ClockEvent(EventKind.START, TODAY)], TODAY, shipped_rule_book())))
