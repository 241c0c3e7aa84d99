"""Proposals for the whole at-risk list from the register's weekly capacity, and accepting them: offers with
their letters due, places taken from the reports, nothing proposed twice, stale reports never used."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import cases, register
from app.identity import make_personnummer
from app.letters.kinds import LetterType
from app.letters.service import due_step_ids
from app.matching.service import accept, effect, propose
from app.preferences import Preferences, save_preferences
from db.models import AccessLog, CaseEvent
from db.register import CapacityReport, RegisterChange
from tests.conftest import TODAY
from tests.register.conftest import contract, provider, unit

NEXT_MONDAY = TODAY + timedelta(days=7 - TODAY.weekday()) + timedelta(weeks=1)


def week_report(ctx, unit_id: int, free: int, weeks_ahead: int = 0, as_of: date = TODAY, service: str = "311"):
    starts = NEXT_MONDAY + timedelta(weeks=weeks_ahead)
    return register.save_capacity(ctx, register.CapacityData(unit_id, service, as_of, 10, free, starts,
                                                             starts + timedelta(days=6), "veckorapport"))


def waiting(ctx, serial: int, days_ago: int, priority: str = "3", municipality: str = "1280") -> cases.Opened:
    return cases.open_case(
        ctx, cases.NewPatient(make_personnummer(date(1950, 1, 1) + timedelta(days=serial), serial, False),
                              f"Patient {serial}", "12", municipality=municipality),
        cases.NewCase("SV_FORSTA_BESOK", TODAY - timedelta(days=days_ago), "311", medical_priority=priority,
                      waiting_unit="Ortopedmottagningen, Skånes universitetssjukhus"))


@pytest.fixture
def world(ctx):
    own = provider(ctx, "Region Skåne", "12", True)
    home = unit(ctx, own, "1001", "Ortopedmottagningen, Skånes universitetssjukhus", "12", municipality="1281",
                accepts_other_regions=True)
    private = provider(ctx, "Kliniken Lund AB", "12", False, "556000001")
    lund = unit(ctx, private, "1002", "Kliniken Lund", "12", municipality="1281")
    contract(ctx, private, "Ortopedi Lund", "12", volume_ceiling=100, volume_used=10)
    halland = provider(ctx, "Region Halland", "13", True)
    halmstad = unit(ctx, halland, "1003", "Ortopeden Halmstad", "13", municipality="1380", accepts_other_regions=True)
    stale = unit(ctx, provider(ctx, "Region Kalmar län", "08", True), "1004", "Ortopeden Kalmar", "08",
                 municipality="0880", accepts_other_regions=True)
    week_report(ctx, home, 5)            # the home unit: not care elsewhere
    lund_week = week_report(ctx, lund, 1)
    halmstad_week = week_report(ctx, halmstad, 2, weeks_ahead=1)
    week_report(ctx, stale, 9, as_of=TODAY - timedelta(days=60))  # older than six weeks: never proposed
    return {"lund": lund_week, "halmstad": halmstad_week}


def test_the_most_urgent_get_the_nearest_places_with_reasons(ctx, world):
    ok = waiting(ctx, 11, 10)             # not at risk: not in the list
    risk = waiting(ctx, 12, 70)
    overdue = waiting(ctx, 13, 95, priority="2")
    akut = waiting(ctx, 14, 80, priority="1")
    result = propose(ctx)
    assert result.considered == 3
    by_step = {p.step_id: p for p in result.proposals}
    assert ok.step_id not in by_step and set(by_step) == {risk.step_id, overdue.step_id, akut.step_id}
    assert [p.step_id for p in result.proposals] == [overdue.step_id, akut.step_id, risk.step_id]
    # One place in Lund (near Malmö), the only one before the acute patient's deadline: theirs, so that all
    # three are served; the overdue and the at-risk patient go to Halmstad a week later.
    assert by_step[akut.step_id].unit_name == "Kliniken Lund" and by_step[akut.step_id].route == "Eget avtal"
    assert {by_step[s].unit_name for s in (overdue.step_id, risk.step_id)} == {"Ortopeden Halmstad"}
    assert by_step[risk.step_id].appointment <= by_step[risk.step_id].deadline
    reasons = by_step[risk.step_id].reasons
    assert reasons[0].startswith("Ledig tid vecka ") and "dagar före tidsgränsen" in reasons[0]
    assert any("Region Halland tar emot patienter från andra regioner" in r for r in reasons)
    assert any(r.startswith("Cirka ") and "km resväg" in r for r in reasons)
    with ctx.db.transaction() as session:
        assert session.scalar(select(AccessLog.detail).where(AccessLog.detail.like("matchning%"))) == (
            "matchning mot ledig kapacitet (3 steg)")


def test_preferences_are_respected_and_shown(ctx, world):
    near_only = waiting(ctx, 21, 75)
    version = cases.view_case(ctx, near_only.case_id).version
    save_preferences(ctx, near_only.case_id, Preferences(max_travel_km=50, interpreter=True,
                                                         interpreter_language="tigrinja", contact_by="telefon"),
                     expected_version=version)
    urgent = waiting(ctx, 22, 96, priority="1")  # more urgent, but may travel: leaves Lund to the other
    proposals = {p.step_id: p for p in propose(ctx).proposals}
    p = proposals[near_only.step_id]
    assert p.unit_name == "Kliniken Lund" and p.travel_km <= 50
    assert proposals[urgent.step_id].unit_name == "Ortopeden Halmstad"
    assert "Boka tolk (tigrinja)." in p.reasons and "Patienten vill helst kontaktas per telefon." in p.reasons
    assert any("inom patientens gräns 50 km" in r for r in p.reasons)
    # Away the week of the Lund place: nothing within 50 km, so no proposal rather than a wrong one
    away = Preferences(unavailable=((NEXT_MONDAY, NEXT_MONDAY + timedelta(days=6)),), max_travel_km=50)
    save_preferences(ctx, near_only.case_id, away, expected_version=cases.view_case(ctx, near_only.case_id).version)
    proposals = {p.step_id: p for p in propose(ctx).proposals}
    assert near_only.step_id not in proposals and urgent.step_id in proposals


def test_accepted_proposals_become_offers_and_use_up_the_place(ctx, world):
    first = waiting(ctx, 31, 95)
    second = waiting(ctx, 32, 70)
    proposals = propose(ctx).proposals
    assert len(proposals) == 2
    result = accept(ctx, proposals)  # the first has waited past its deadline: its offer needs a confirmation
    assert result.step_ids == [second.step_id] and not result.refused
    assert [p.step_id for p, _ in result.to_confirm] == [first.step_id]
    assert "inte patientvald väntan" in result.to_confirm[0][1]
    confirmed = accept(ctx, [p for p, _ in result.to_confirm], frozenset({first.step_id}))
    assert confirmed.step_ids == [first.step_id] and not confirmed.to_confirm
    with ctx.db.transaction() as session:
        offers = session.scalars(select(CaseEvent).where(CaseEvent.kind == "offer")).all()
        free = dict(session.execute(select(CapacityReport.id, CapacityReport.free_slots)).all())
        changes = session.scalars(select(RegisterChange.new_value).where(RegisterChange.field == "Lediga tider",
                                                                         RegisterChange.entity == "capacity")).all()
    assert {o.step_id for o in offers} == {first.step_id, second.step_id}
    assert {o.details["unit"] for o in offers} == {"Kliniken Lund", "Ortopeden Halmstad"}
    assert free[world["lund"]] == 0 and free[world["halmstad"]] == 1 and len(changes) >= 2
    assert {first.step_id, second.step_id} <= set(due_step_ids(ctx, LetterType.OFFER))
    # the next run proposes neither the same patients (their offers wait for an answer) nor the used place
    third = waiting(ctx, 33, 96)
    again = propose(ctx).proposals
    assert [p.step_id for p in again] == [third.step_id] and again[0].unit_name == "Ortopeden Halmstad"


def test_a_case_changed_since_the_proposal_is_refused_and_the_place_given_back(ctx, world):
    step = waiting(ctx, 41, 95)
    proposal = propose(ctx).proposals[0]
    cases.add_note(ctx, step.case_id, "Ringde patienten", expected_version=proposal.case_version)
    result = accept(ctx, [proposal], frozenset({step.step_id}))  # past its deadline: confirmed
    assert not result.offers and "ändrats av någon annan" in result.refused[0][1]
    with ctx.db.transaction() as session:
        assert session.get(CapacityReport, proposal.report_id).free_slots == 1
    # and a place someone else took in between
    proposal = propose(ctx).proposals[0]
    with ctx.db.transaction() as session:
        session.get(CapacityReport, proposal.report_id).free_slots = 0
    result = accept(ctx, [proposal], frozenset({step.step_id}))
    assert result.refused[0][1] == "Den lediga tiden är redan tagen. Kör matchningen igen."


def test_the_effect_against_one_patient_at_a_time(ctx, world):
    overdue = waiting(ctx, 61, 95)  # first in line: takes the near place when searched for alone
    akut = waiting(ctx, 62, 80, priority="1")
    risk = waiting(ctx, 63, 70)
    result = effect(ctx, [overdue.step_id, akut.step_id, risk.step_id])
    assert result.patients == 3
    assert (result.list_wide, result.one_at_a_time) == (2, 1)  # in time: the acute patient only list-wide
