"""Users and roles: the first user administers, later users are case workers; each role may do its own things."""

from __future__ import annotations

import pytest

from app import cases
from app.audit import review
from app.context import sign_in
from app.errors import InputError, PermissionDenied
from app.roles import Permission, Role, may
from app.rule_settings import change_rules
from app.settings import setting_history
from app.users import all_users, set_role
from tests.protection.helpers import D, open_case


def test_first_user_is_administrator_and_later_users_case_workers(ctx):
    assert ctx.role == Role.ADMINISTRATOR
    other = sign_in(ctx.db, "bo.lots", "Bo Lots", hsa_id="SE2321000016-ABCD")
    assert other.role == Role.VARDLOTS and other.user_id != ctx.user_id
    details = {u.login: u for u in all_users(ctx)}
    assert details["bo.lots"].hsa_id == "SE2321000016-ABCD"
    assert sign_in(ctx.db, "anna.lots").user_id == ctx.user_id  # the same login is the same user


def test_each_role_may_do_its_own_things():
    assert may(Role.VARDLOTS, Permission.CASE_WORK) and not may(Role.VARDLOTS, Permission.CHANGE_SETTINGS)
    assert may(Role.ADMINISTRATOR, Permission.CHANGE_SETTINGS) and not may(Role.ADMINISTRATOR, Permission.REVIEW_LOG)
    assert may(Role.GRANSKARE, Permission.REVIEW_LOG) and not may(Role.GRANSKARE, Permission.CASE_WORK)
    assert not may("okänd", Permission.CASE_WORK)


def test_a_case_worker_may_not_change_settings_nor_review_the_log(ctx):
    worker = sign_in(ctx.db, "bo.lots", "Bo Lots")
    with pytest.raises(PermissionDenied, match="vårdlots och får inte ändra inställningar"):
        change_rules(worker, {"active_waiting_days": 30})
    with pytest.raises(PermissionDenied, match="granska loggen"):
        review.search(worker, review.LogFilter())
    change_rules(ctx, {"active_waiting_days": 30})  # the administratör may


def test_a_reviewer_reviews_but_does_not_work_with_cases(ctx):
    opened = open_case(ctx)
    reviewer = sign_in(ctx.db, "greta.granskare", "Greta Granskare")
    set_role(ctx, reviewer.user_id, Role.GRANSKARE)
    reviewer = sign_in(ctx.db, "greta.granskare")
    assert review.search(reviewer, review.LogFilter())[0] == 1
    with pytest.raises(PermissionDenied, match="granskare och får inte arbeta med ärenden"):
        cases.record_contact(reviewer, opened.step_id, D("2026-10-05"), "telefon")
    assert [c.new_value for c in setting_history(ctx.db, f"user.{reviewer.user_id}.role")] == ["granskare"]


def test_the_last_administrator_keeps_the_role(ctx):
    with pytest.raises(InputError, match="minst en administratör"):
        set_role(ctx, ctx.user_id, Role.VARDLOTS)
    worker = sign_in(ctx.db, "bo.lots")
    with pytest.raises(PermissionDenied):
        set_role(worker, worker.user_id, Role.ADMINISTRATOR)
