"""Hitta vård with an empty or incomplete register: why nothing matches and what to do; a phoned provider
recorded on the case and added to the register in one go."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import register
from app.errors import ConflictError, InputError, PermissionDenied
from app.register import PhonedUnit, add_phoned_unit, explain
from db.models import AccessLog, CaseEvent
from db.register import CareUnit, Provider
from tests.conftest import TODAY
from tests.register.conftest import capacity, contract, open_step, provider, unit

HSA = "SE2321000016-9ABC"


def whys(ctx, step_id: int) -> list[str]:
    return [h.why for h in explain(register.find_candidates(ctx, step_id))]


def test_an_empty_register_says_so_and_what_to_do(ctx):
    opened = open_step(ctx)
    hints = explain(register.find_candidates(ctx, opened.step_id))
    assert len(hints) == 1
    assert "Registret har ingen enhet med verksamhetsområdet" in hints[0].why
    assert "Ring vårdgivare" in hints[0].what_to_do


def test_only_stale_or_missing_capacity(ctx):
    skane = provider(ctx, "Region Skåne", "12", True)
    stale = unit(ctx, skane, "1", "Gammal uppgift", "12")
    capacity(ctx, stale, 5, TODAY - timedelta(days=60))
    assert whys(ctx, open_step(ctx).step_id) == [("En enhet kan ta emot patienten, men väntetiden är äldre än 6 "
                                                 "veckor.")]
    unit(ctx, skane, "2", "Ingen uppgift", "12")
    assert whys(ctx, open_step(ctx, serial=12).step_id) == [
        "2 enheter kan ta emot patienten, men väntetiden saknas eller är äldre än 6 veckor."]


def test_nothing_to_explain_when_a_unit_fits(ctx):
    skane = provider(ctx, "Region Skåne", "12", True)
    capacity(ctx, unit(ctx, skane, "1", "Snabb", "12"), 5)
    assert explain(register.find_candidates(ctx, open_step(ctx).step_id)) == []


def test_expired_contracts_closed_regions_and_too_long_waits(ctx):
    syd = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    halland = provider(ctx, "Region Halland", "13", True)
    old = unit(ctx, syd, "1", "Avtal utgånget", "12")
    contract(ctx, syd, "Syd gammalt", "12", unit_id=old, valid_to=TODAY - timedelta(days=1))
    unit(ctx, halland, "2", "Halland stängd", "13")
    slow = unit(ctx, halland, "3", "Halland långsam", "13", accepts_other_regions=True)
    capacity(ctx, slow, 200)
    found = whys(ctx, open_step(ctx).step_id)
    assert found == [
        "En enhet kan ta emot patienten, men har längre väntetid än de 50 dagar som är kvar.",
        ("En enhet saknar ett avtal som gäller i dag (avtalet har gått ut, har inte börjat gälla eller har nått "
        "sitt volymtak)."),
        "En enhet tar inte emot patienter från Region Skåne.",
    ]


def test_a_passed_deadline_comes_first(ctx):
    hints = explain(register.find_candidates(ctx, open_step(ctx, days_ago=95).step_id))
    assert hints[0].why.startswith(f"Tidsgränsen passerade {(TODAY - timedelta(days=5)).isoformat()}")
    assert "inte blir patientvald väntan" in hints[0].what_to_do
    assert "Registret har ingen enhet" in hints[1].why


def test_a_phoned_provider_is_added_to_the_register_and_recorded_on_the_case(ctx):
    opened = open_step(ctx)
    added = add_phoned_unit(ctx, opened.step_id, PhonedUnit(
        "Ortopedkliniken Norr AB", "Ortopedmottagningen Norr", HSA, "12", phone="040-12 34 56",
        specialties=["311"]), "kan_ta_emot", "Tid om tre veckor.")
    assert added.new_provider
    approaches = register.approaches(ctx, opened.step_id)
    assert [(a.provider, a.unit, a.answer) for a in approaches] == [
        ("Ortopedkliniken Norr AB", "Ortopedmottagningen Norr", "Kan ta emot patienten")]
    assert approaches[0].note == "Tid om tre veckor. Tillagd i registret."
    # The next search finds it, with its phone, to be phoned again.
    found = {c.unit.name: c for c in register.find_candidates(ctx, opened.step_id).candidates}
    assert found["Ortopedmottagningen Norr"].unit.phone == "040-12 34 56"
    assert [p.name for p in register.list_providers(ctx)] == ["Ortopedkliniken Norr AB"]
    with ctx.db.transaction() as session:
        assert "tillfrågad vårdgivare" in session.scalars(
            select(AccessLog.detail).where(AccessLog.patient_id == opened.patient_id)).all()


def test_a_known_provider_is_not_doubled(ctx):
    known = provider(ctx, "Region Skåne", "12", True)
    added = add_phoned_unit(ctx, open_step(ctx).step_id, PhonedUnit(
        "region skåne", "Ortopeden Ystad", HSA, "12", public=True, specialties=["311"]), "aterkommer")
    assert (added.provider_id, added.new_provider) == (known, False)


def test_all_or_nothing(ctx):
    opened = open_step(ctx)
    with ctx.db.transaction() as session:
        before = session.scalar(select(func.count()).select_from(CaseEvent))

    def counts():
        with ctx.db.transaction() as session:
            return (session.scalar(select(func.count()).select_from(Provider)),
                    session.scalar(select(func.count()).select_from(CareUnit)),
                    session.scalar(select(func.count()).select_from(CaseEvent)))

    with pytest.raises(InputError) as bad:
        add_phoned_unit(ctx, opened.step_id, PhonedUnit("Ny AB", "Ny mottagning", "fel", "12",
                                                        specialties=["311"]), "kan_inte")
    assert bad.value.field == "HSA-id"
    assert counts() == (0, 0, before)
    with pytest.raises(ConflictError):
        add_phoned_unit(ctx, opened.step_id, PhonedUnit("Ny AB", "Ny mottagning", HSA, "12", specialties=["311"]),
                        "kan_inte", expected_version=-1)
    assert counts() == (0, 0, before)


def test_adding_to_the_register_needs_the_right(ctx):
    reviewer = replace(ctx, role="granskare")
    with pytest.raises(PermissionDenied) as refused:
        add_phoned_unit(reviewer, open_step(ctx).step_id, PhonedUnit("Ny AB", "Ny mottagning", HSA, "12",
                                                                     specialties=["311"]), "kan_inte")
    assert "ändra registret" in refused.value.message


def test_units_without_the_activity(ctx):
    capacity(ctx, unit(ctx, provider(ctx, "Region Skåne", "12", True), "1", "Bara besök", "12"), 5)
    found = whys(ctx, open_step(ctx, activity="P010", step="SV_BEHANDLING").step_id)
    assert found[0].startswith("En enhet har verksamhetsområdet men inte åtgärden ")
    assert found[-1] == "Ingen enhet i registret kan ta emot patienten i dag."
