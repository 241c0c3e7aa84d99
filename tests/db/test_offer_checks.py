"""Offers that would mislead: refused, or saved only once confirmed with the consequence spelled out."""

from __future__ import annotations

from datetime import date

import pytest

from app import cases
from app.errors import InputError
from app.guarantee import Answer, State
from app.identity import make_personnummer
from app.offer_checks import ConfirmationNeeded

D = date.fromisoformat


def first_visit(ctx) -> cases.Opened:  # deadline 2026-04-10
    ctx.today = lambda: D("2026-03-03")
    patient = cases.NewPatient(make_personnummer(date(1958, 3, 14), 421), "Karin Berg", "12")
    return cases.open_case(ctx, patient, cases.NewCase("SV_FORSTA_BESOK", D("2026-01-10"), "311"))


def offers(ctx, opened) -> list[cases.TimelineEntry]:
    return [e for e in cases.view_case(ctx, opened.case_id).timeline if e.kind == "offer"]


def test_reply_date_after_the_appointment_or_before_the_offer_is_refused(ctx):
    opened = first_visit(ctx)
    with pytest.raises(InputError, match="svaret måste komma före den erbjudna tiden 2026-03-20") as refused:
        cases.make_offer(ctx, opened.step_id, D("2026-03-03"), D("2026-03-20"), D("2026-03-25"), "Capio",
                         confirmed=True)
    assert refused.value.field == "Svara senast"
    with pytest.raises(InputError, match="före dagen för erbjudandet"):
        cases.make_offer(ctx, opened.step_id, D("2026-03-03"), D("2026-03-20"), D("2026-03-01"), "Capio")
    assert offers(ctx, opened) == []


def test_an_offer_after_the_deadline_needs_confirmation_and_a_no_is_not_pvv(ctx):
    opened = first_visit(ctx)
    cases.record_informed(ctx, opened.step_id, D("2026-02-20"))
    with pytest.raises(ConfirmationNeeded) as asked:
        cases.make_offer(ctx, opened.step_id, D("2026-03-03"), D("2026-04-20"), D("2026-03-13"), "Capio")
    assert asked.value.reasons == (("Tiden 2026-04-20 ligger efter vårdgarantins tidsgräns 2026-04-10. Om "
                                    "patienten tackar nej blir det inte patientvald väntan: klockan går vidare och "
                                    "vårdgarantin gäller fortfarande."),)
    assert offers(ctx, opened) == []
    offer = cases.make_offer(ctx, opened.step_id, D("2026-03-03"), D("2026-04-20"), D("2026-03-13"), "Capio",
                             confirmed=True)
    assert offers(ctx, opened)[0].details["confirmed"] is True
    done = cases.answer_offer(ctx, offer, D("2026-03-03"), Answer.DECLINED, with_pvv=True)
    assert done.pvv_id is None and "inom vårdgarantins tidsgräns" in done.pvv_refused
    assert cases.step_clock(ctx, opened.step_id).state is not State.PVV


def test_a_past_appointment_or_reply_date_needs_confirmation(ctx):
    opened = first_visit(ctx)
    with pytest.raises(ConfirmationNeeded, match="Tiden 2026-02-20 har redan varit"):
        cases.make_offer(ctx, opened.step_id, D("2026-02-10"), D("2026-02-20"), D("2026-02-15"), "Capio")
    with pytest.raises(ConfirmationNeeded, match="Svarsdatumet 2026-03-01 har redan passerat"):
        cases.make_offer(ctx, opened.step_id, D("2026-02-25"), D("2026-03-20"), D("2026-03-01"), "Capio")
    cases.make_offer(ctx, opened.step_id, D("2026-03-03"), D("2026-03-20"), D("2026-03-10"), "Capio")
    assert "confirmed" not in offers(ctx, opened)[0].details  # an ordinary offer asks nothing
