"""PvV as its own command: the answer and the PvV it allows in one transaction, and PvV registered later when the
three legal conditions come on record; which actions a step allows, and why not, decided in app/."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app import cases
from app.case_actions import CaseAction
from app.errors import ConflictError
from app.guarantee import Answer, State
from app.identity import make_personnummer
from db.models import AccessLog, CaseEvent

D = date.fromisoformat


def first_visit(ctx) -> cases.Opened:
    ctx.today = lambda: D("2026-03-10")
    patient = cases.NewPatient(make_personnummer(date(1958, 3, 14), 421), "Karin Berg", "12")
    return cases.open_case(ctx, patient, cases.NewCase("SV_FORSTA_BESOK", D("2026-01-10"), "311"))


def events(ctx, case_id: int) -> list[str]:
    with ctx.db.transaction() as session:
        return list(session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id)
                                    .order_by(CaseEvent.id)))


def step_view(ctx, opened: cases.Opened) -> tuple[cases.CaseView, cases.StepView]:
    view = cases.view_case(ctx, opened.case_id)
    return view, view.steps[0]


def test_decline_with_pvv_is_one_command(ctx):
    opened = first_visit(ctx)
    cases.record_informed(ctx, opened.step_id, D("2026-02-20"))
    offer = cases.make_offer(ctx, opened.step_id, D("2026-02-25"), D("2026-03-20"), None, "Ortopeden Ystad")
    version = cases.view_case(ctx, opened.case_id).version
    done = cases.answer_offer(ctx, offer, D("2026-03-03"), Answer.DECLINED, with_pvv=True, expected_version=version)
    assert done.pvv_id is not None and done.pvv_refused is None
    assert events(ctx, opened.case_id)[-2:] == ["answer", "pvv"]
    view, step = step_view(ctx, opened)
    assert step.clock.state is State.PVV and step.clock.pvv_since == D("2026-03-03")
    assert view.why_not(CaseAction.PVV, step) == "Patientvald väntan: steget är redan patientvald."
    assert view.why_not(CaseAction.RESTART, step) is None


def test_a_stale_version_saves_neither_answer_nor_pvv(ctx, second):
    opened = first_visit(ctx)
    cases.record_informed(ctx, opened.step_id, D("2026-02-20"))
    offer = cases.make_offer(ctx, opened.step_id, D("2026-02-25"), D("2026-03-20"), None, "Ortopeden Ystad")
    shown = cases.view_case(ctx, opened.case_id).version
    second.today = ctx.today
    cases.add_note(second, opened.case_id, "Bo ringde")
    before = events(ctx, opened.case_id)
    with pytest.raises(ConflictError):
        cases.answer_offer(ctx, offer, D("2026-03-03"), Answer.DECLINED, with_pvv=True, expected_version=shown)
    assert events(ctx, opened.case_id) == before


def test_refused_pvv_keeps_the_answer_and_can_be_registered_later(ctx):
    opened = first_visit(ctx)
    offer = cases.make_offer(ctx, opened.step_id, D("2026-02-25"), D("2026-03-20"), None, "Ortopeden Ystad")
    done = cases.answer_offer(ctx, offer, D("2026-03-03"), Answer.DECLINED, with_pvv=True)
    assert done.pvv_id is None and "informerats om vårdgarantin" in done.pvv_refused
    assert events(ctx, opened.case_id)[-1] == "answer"
    view, step = step_view(ctx, opened)
    assert step.clock.state is not State.PVV
    why = view.why_not(CaseAction.PVV, step)
    assert why.startswith("Patientvald väntan kan inte registreras") and "informerats om vårdgarantin" in why
    assert "erbjudits" not in why  # only the missing condition is named
    assert step.pvv_from == D("2026-03-03")  # from the decline, not from the day it is registered

    # The information was given by phone before the offer and is recorded now, afterwards.
    cases.record_informed(ctx, opened.step_id, D("2026-02-20"), "Telefon")
    view, step = step_view(ctx, opened)
    assert view.why_not(CaseAction.PVV, step) is None
    cases.register_pvv(ctx, opened.step_id, step.pvv_from, expected_version=view.version)
    view, step = step_view(ctx, opened)
    assert (step.clock.state, step.clock.pvv_since) == (State.PVV, D("2026-03-03"))
    with ctx.db.transaction() as session:
        logged = session.scalars(select(AccessLog.detail).where(AccessLog.patient_id == opened.patient_id)).all()
    assert "pvv" in logged


def test_why_not_names_each_blocked_action(ctx):
    opened = first_visit(ctx)
    view, step = step_view(ctx, opened)
    assert view.why_not(CaseAction.ANSWER, step) == "Det finns inget obesvarat erbjudande på steget."
    assert view.why_not(CaseAction.RESTART, step) == "Patienten har ingen pågående patientvald väntan."
    assert "ingen pågående väntan utan klocka" in view.why_not(CaseAction.PAUSE_END, step)
    assert view.why_not(CaseAction.OFFER, step) is None and view.why_not(CaseAction.NOTE, step) is None
    missing = view.why_not(CaseAction.PVV, step)
    assert all(word in missing for word in ("informerats", "erbjudits", "tackat nej"))
    cases.close_case(ctx, opened.case_id, D("2026-03-10"), "behov_upphort")
    view, step = step_view(ctx, opened)
    assert view.why_not(CaseAction.OFFER, step) == "Ärendet avslutades 2026-03-10."
    assert view.why_not(CaseAction.NOTE, step) is None


def test_no_answer_is_never_pvv(ctx):
    opened = first_visit(ctx)
    cases.record_informed(ctx, opened.step_id, D("2026-02-20"))
    offer = cases.make_offer(ctx, opened.step_id, D("2026-02-25"), D("2026-03-20"), None, "Ortopeden Ystad")
    done = cases.answer_offer(ctx, offer, D("2026-03-03"), Answer.NO_ANSWER, with_pvv=True)
    assert (done.pvv_id, done.pvv_refused) == (None, None)
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(CaseEvent)
                              .where(CaseEvent.kind == "pvv")) == 0
