"""Undo as a correction: the author's latest entry within the setting's minutes, and a MoV started by mistake,
are taken back on the timeline (kept, marked, with the reason); the clock is re-evaluated. A completion date is
corrected like any other date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from app import cases
from app.case_actions import CaseAction
from app.corrections import correct_event_date
from app.errors import InputError
from app.guarantee import Answer, PauseKind, State
from app.identity import make_personnummer
from app.settings import UNDO_MINUTES, set_setting
from app.withdraw import WITHDRAWN, withdraw
from db.models import CaseEvent

D = date.fromisoformat


def first_visit(ctx) -> cases.Opened:
    ctx.today = lambda: D("2026-03-03")
    patient = cases.NewPatient(make_personnummer(date(1958, 3, 14), 421), "Karin Berg", "12")
    return cases.open_case(ctx, patient, cases.NewCase("SV_FORSTA_BESOK", D("2026-01-10"), "311"))


def age(ctx, event_id: int, minutes: int) -> None:
    with ctx.db.transaction() as session:
        session.execute(update(CaseEvent).where(CaseEvent.id == event_id)
                        .values(created_at=datetime.now(UTC) - timedelta(minutes=minutes)))


def test_the_authors_latest_entry_can_be_taken_back_within_the_minutes(ctx, second):
    opened = first_visit(ctx)
    cases.record_informed(ctx, opened.step_id, D("2026-02-20"))
    offer = cases.make_offer(ctx, opened.step_id, D("2026-02-25"), D("2026-03-20"), None, "Capio")
    done = cases.answer_offer(ctx, offer, D("2026-03-03"), Answer.DECLINED, with_pvv=True)
    view = cases.view_case(ctx, opened.case_id)
    assert [w.event_id for w in view.withdrawable] == [done.pvv_id]
    second.today = ctx.today
    assert cases.view_case(second, opened.case_id).withdrawable == []  # not Bo's entry
    with pytest.raises(InputError, match="bara din senaste registrering inom 15 minuter"):
        withdraw(second, done.pvv_id, "fel")

    withdraw(ctx, done.pvv_id, "Patienten ångrade sig i samma samtal", expected_version=view.version)
    view = cases.view_case(ctx, opened.case_id)
    assert view.steps[0].clock.state is not State.PVV
    taken = next(e for e in view.timeline if e.id == done.pvv_id)
    assert taken.kind == WITHDRAWN and taken.details["withdrawn"]["kind"] == "pvv"
    assert taken.details["withdrawn"]["reason"] == "Patienten ångrade sig i samma samtal"
    # Next the answer itself; the offer is then unanswered again.
    withdraw(ctx, done.answer_id, "Svaret gällde en annan tid")
    view = cases.view_case(ctx, opened.case_id)
    assert view.why_not(CaseAction.ANSWER, view.steps[0]) is None

    note = cases.add_note(ctx, opened.case_id, "Ringde")
    age(ctx, note, 16)
    view = cases.view_case(ctx, opened.case_id)
    assert view.withdrawable == [] and "15 minuter" in view.why_not(CaseAction.WITHDRAW, None)
    set_setting(ctx.db, UNDO_MINUTES[0], 30)
    assert [w.event_id for w in cases.view_case(ctx, opened.case_id).withdrawable] == [note]


def test_a_mov_started_by_mistake_is_withdrawn_and_the_deadline_moves_back(ctx):
    opened = first_visit(ctx)
    pause = cases.start_pause(ctx, opened.step_id, D("2026-02-01"), PauseKind.MOV, "Infektion")
    cases.add_note(ctx, opened.case_id, "Fel patient – MoV gällde någon annan")
    age(ctx, pause, 60 * 24)  # a day ago: no longer the latest entry, but a running MoV can still be withdrawn
    view = cases.view_case(ctx, opened.case_id)
    assert view.steps[0].clock.state is State.PAUSED
    assert pause in [w.event_id for w in view.withdrawable]
    with pytest.raises(InputError, match="skriv varför"):
        withdraw(ctx, pause, " ")
    withdraw(ctx, pause, "Registrerad på fel patient")
    clock = cases.view_case(ctx, opened.case_id).steps[0].clock
    assert (clock.state, clock.deadline, clock.paused_since) == (State.OK, D("2026-04-10"), None)


def test_a_completion_date_is_corrected_like_other_dates(ctx):
    opened = first_visit(ctx)
    done = cases.complete_step(ctx, opened.step_id, D("2026-03-02"))
    view = cases.view_case(ctx, opened.case_id)
    assert view.why_not(CaseAction.CORRECT_DATE, view.steps[0]) is None
    assert view.why_not(CaseAction.OFFER, view.steps[0]) == "Steget avslutades 2026-03-02."
    correct_event_date(ctx, done, D("2026-02-27"), "Besöket var på fredagen enligt journalen",
                       expected_version=view.version)
    clock = cases.view_case(ctx, opened.case_id).steps[0].clock
    assert clock.stopped_on == D("2026-02-27") and clock.met is True
