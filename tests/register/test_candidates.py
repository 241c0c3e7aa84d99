"""Find care elsewhere: candidate ranking with its reasons, offers and approaches recorded on the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import register
from app.errors import InputError
from app.guarantee import EventKind
from db.models import AccessLog, CaseEvent
from tests.conftest import TODAY
from tests.register.conftest import capacity, contract, open_step, provider, unit

EXPIRED = TODAY - timedelta(days=1)


@pytest.fixture
def region(ctx):
    """Units named for what the ranking must say about them."""
    skane = provider(ctx, "Region Skåne", "12", True)
    halland = provider(ctx, "Region Halland", "13", True)
    syd = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    vast = provider(ctx, "Ortopedi Väst AB", "13", False, "556011223")
    ids = {
        "egen sen": unit(ctx, skane, "1", "Egen sen", "12"),
        "avtal snabb": unit(ctx, syd, "2", "Avtal snabb", "12"),
        "avtal utgånget": unit(ctx, syd, "3", "Avtal utgånget", "12"),
        "avtal inaktuell": unit(ctx, syd, "4", "Avtal inaktuell", "12"),
        "halland öppen": unit(ctx, halland, "5", "Halland öppen", "13", accepts_other_regions=True),
        "halland stängd": unit(ctx, halland, "6", "Halland stängd", "13"),
        "väst stängt avtal": unit(ctx, vast, "7", "Väst stängt avtal", "13"),
        "väst öppet avtal": unit(ctx, vast, "8", "Väst öppet avtal", "13"),
        "fel tjänst i avtal": unit(ctx, syd, "9", "Fel tjänst i avtal", "12", mvo=("311", "321")),
        "annan specialitet": unit(ctx, syd, "10", "Annan specialitet", "12", mvo=("321",)),
    }
    contract(ctx, syd, "Syd snabb", "12", unit_id=ids["avtal snabb"])
    contract(ctx, syd, "Syd gammalt", "12", unit_id=ids["avtal utgånget"], valid_to=EXPIRED)
    contract(ctx, syd, "Syd inaktuell", "12", unit_id=ids["avtal inaktuell"])
    contract(ctx, syd, "Syd hand", "12", services=("321",), unit_id=ids["fel tjänst i avtal"])
    contract(ctx, vast, "Halland stängt", "13", unit_id=ids["väst stängt avtal"])
    contract(ctx, vast, "Halland öppet", "13", unit_id=ids["väst öppet avtal"], open_to_other_regions=True,
             open_regions=["12", "07"])
    capacity(ctx, ids["egen sen"], 70)
    capacity(ctx, ids["avtal snabb"], 20)
    capacity(ctx, ids["avtal inaktuell"], 5, TODAY - timedelta(days=43))
    capacity(ctx, ids["halland öppen"], 10)
    return ids


def by_name(search: register.Search) -> dict[str, register.Candidate]:
    return {c.unit.name: c for c in search.candidates}


def test_ranking_own_units_then_own_contracts_then_other_regions(ctx, region):
    opened = open_step(ctx)  # 40 days waited: 50 days remain
    search = register.find_candidates(ctx, opened.step_id)
    assert search.need.remaining == 50
    names = [c.unit.name for c in search.candidates]
    assert names[:5] == ["Egen sen", "Avtal snabb", "Avtal inaktuell", "Halland öppen", "Väst öppet avtal"]
    assert "Annan specialitet" not in names
    found = by_name(search)
    assert [found[n].route for n in names[:5]] == [register.Route.OWN_UNIT, register.Route.OWN_CONTRACT,
                                                   register.Route.OWN_CONTRACT, register.Route.OTHER_REGION,
                                                   register.Route.OTHER_REGION]
    assert [found[n].fit for n in names[:5]] == [register.Fit.TOO_LATE, register.Fit.FITS, register.Fit.UNKNOWN,
                                                 register.Fit.FITS, register.Fit.UNKNOWN]
    assert "men bara 50 dagar kvar" in found["Egen sen"].reasons[1]
    assert "äldre än 6 veckor" in found["Avtal inaktuell"].reasons[1]
    assert found["Väst öppet avtal"].contract.title == "Halland öppet"


def test_every_excluded_unit_says_why(ctx, region):
    found = by_name(register.find_candidates(ctx, open_step(ctx).step_id))
    out = {name: " ".join(c.reasons) for name, c in found.items() if not c.eligible}
    assert set(out) == {"Avtal utgånget", "Halland stängd", "Väst stängt avtal", "Fel tjänst i avtal"}
    assert f"gick ut {EXPIRED.isoformat()}" in out["Avtal utgånget"]
    assert "tar inte emot patienter från andra regioner" in out["Halland stängd"]
    assert "gäller bara patienter från Region Halland" in out["Väst stängt avtal"]
    assert "inget avtal som omfattar 311" in out["Fel tjänst i avtal"]
    assert all(c.verdict == "Ej möjlig" for c in found.values() if not c.eligible)
    assert [c.eligible for c in register.find_candidates(ctx, open_step(ctx, serial=12).step_id).candidates][-4:] \
        == [False] * 4


def test_contract_open_only_to_listed_regions(ctx, region):
    # A patient from Kalmar (08) in our list: Halland's open contract names 12 and 07 only.
    found = by_name(register.find_candidates(ctx, open_step(ctx, home_region="08").step_id))
    assert not found["Väst öppet avtal"].eligible
    assert "gäller bara patienter från Region Halland" in found["Väst öppet avtal"].reasons[0]
    assert not found["Avtal snabb"].eligible  # Skåne's contract covers Skåne's patients
    assert found["Egen sen"].eligible is False  # own unit, closed to other regions' patients
    assert found["Halland öppen"].route is register.Route.OTHER_REGION


def test_service_mismatch_on_the_activity(ctx, region):
    opened = open_step(ctx, activity="P010", step="SV_BEHANDLING")
    found = by_name(register.find_candidates(ctx, opened.step_id))
    assert all(not c.eligible for c in found.values())
    assert "erbjuder inte åtgärden P010" in found["Avtal snabb"].reasons[0]


def test_the_own_region_is_a_setting(ctx, region):
    from db.models import Setting
    with ctx.db.transaction() as session:
        session.add(Setting(key="region.code", value="13"))
    found = by_name(register.find_candidates(ctx, open_step(ctx, home_region="13").step_id))
    assert found["Halland stängd"].route is register.Route.OWN_UNIT
    assert found["Väst stängt avtal"].route is register.Route.OWN_CONTRACT


def test_search_is_logged_as_a_read_of_the_patient(ctx, region):
    opened = open_step(ctx)
    register.find_candidates(ctx, opened.step_id)
    with ctx.db.transaction() as session:
        details = session.scalars(select(AccessLog.detail).where(AccessLog.patient_id == opened.patient_id)).all()
    assert "vård hos annan vårdgivare" in details


def test_offer_from_a_candidate_and_every_approach_is_on_the_case(ctx, region):
    opened = open_step(ctx)
    search = register.find_candidates(ctx, opened.step_id)
    register.record_approach(ctx, opened.step_id, "Region Skåne", "Egen sen", "kan_inte", "Fullt till mars.")
    chosen = by_name(search)["Avtal snabb"]
    offer_id = register.offer_from_candidate(ctx, opened.step_id, chosen, TODAY + timedelta(days=14),
                                             TODAY + timedelta(days=5))
    with ctx.db.transaction() as session:
        offer = session.get(CaseEvent, offer_id)
        assert offer.kind == EventKind.OFFER and offer.details["provider"] == "Ortopedi Syd AB"
        assert offer.details["unit"] == "Avtal snabb"
    approached = register.approaches(ctx, opened.step_id)
    assert [(a.provider, a.answer) for a in approached] == [
        ("Ortopedi Syd AB", "Tid erbjuden till patienten"), ("Region Skåne", "Kan inte ta emot patienten")]
    assert approached[1].note == "Fullt till mars."
    with pytest.raises(InputError):
        register.record_approach(ctx, opened.step_id, "Region Skåne", "", "kanske")


def test_a_refused_offer_leaves_no_approach_behind(ctx, region):
    opened = open_step(ctx)
    chosen = register.find_candidates(ctx, opened.step_id).candidates[0]
    with pytest.raises(InputError):
        register.offer_from_candidate(ctx, opened.step_id, chosen, TODAY - timedelta(days=3), None)
    assert register.approaches(ctx, opened.step_id) == []


def test_approaches_and_offers_change_the_case_and_are_refused_on_a_stale_version(ctx, second, region):
    from app import cases
    from app.errors import ConflictError

    opened = open_step(ctx)
    chosen = by_name(register.find_candidates(ctx, opened.step_id))["Avtal snabb"]
    shown = register.case_approaches(ctx, opened.step_id).case_version
    assert shown == cases.view_case(ctx, opened.case_id).version
    register.record_approach(ctx, opened.step_id, "Region Skåne", "Egen sen", "kan_inte", expected_version=shown)
    after_approach = register.case_approaches(ctx, opened.step_id).case_version
    assert after_approach > shown  # an approach changes the case like any other event
    cases.add_note(second, opened.case_id, "Bo ringde patienten", expected_version=after_approach)
    with ctx.db.transaction() as session:
        events = session.scalar(select(func.count()).select_from(CaseEvent))
    with pytest.raises(ConflictError, match="ändrats av någon annan"):
        register.record_approach(ctx, opened.step_id, "Ortopedi Syd AB", "Avtal snabb", "aterkommer",
                                 expected_version=after_approach)
    with pytest.raises(ConflictError, match="ändrats av någon annan"):
        register.offer_from_candidate(ctx, opened.step_id, chosen, TODAY + timedelta(days=14), None,
                                      expected_version=after_approach)
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == events  # nothing written
    current = register.case_approaches(ctx, opened.step_id)
    assert [a.provider for a in current.approaches] == ["Region Skåne"]
    register.offer_from_candidate(ctx, opened.step_id, chosen, TODAY + timedelta(days=14), None,
                                  expected_version=current.case_version)
    assert [a.provider for a in register.approaches(ctx, opened.step_id)] == ["Ortopedi Syd AB", "Region Skåne"]
