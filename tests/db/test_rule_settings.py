"""A region's own thresholds: stored with history, validated, and applied to every open step at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import cases, worklist
from app.context import sign_in
from app.errors import InputError
from app.guarantee import State
from app.rule_settings import change_rules
from app.settings import RULES, setting_history
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
