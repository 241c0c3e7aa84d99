"""The demo region's register: own clinics where the demo patients wait, contractors, other regions with their
terms, weekly capacity (some stale, some missing), contracts near their ceiling; and the municipality points
that travel distances come from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import demo, reference
from app.register import find_candidates
from app.register.candidates import Fit, Route
from app.travel import distance_km
from db.models import Case, Step
from db.register import CapacityReport, CareUnit, Contract, Provider
from tests.conftest import TODAY


@pytest.fixture
def demo_ctx(ctx):
    stats = demo.generate(ctx.db, 80, 40, today=TODAY, workers=1)
    assert stats.units > 300 and stats.capacity_reports > 1000
    return ctx


def test_every_clinic_a_demo_patient_waits_at_is_an_own_unit(demo_ctx):
    with demo_ctx.db.transaction() as session:
        waiting = set(session.scalars(select(Case.waiting_unit).where(Case.closed_on.is_(None))))
        own = dict(session.execute(select(CareUnit.name, CareUnit.region_code).join(Provider)
                                   .where(Provider.public, Provider.region_code == "12")).all())
    clinics = {w for w in waiting if not w.startswith("Vårdcentralen ")}
    assert clinics and clinics <= set(own) and set(own.values()) == {"12"}


def test_contractors_other_regions_and_their_terms(demo_ctx):
    with demo_ctx.db.transaction() as session:
        units = session.execute(select(CareUnit, Provider).join(Provider)).all()
        contracts = list(session.scalars(select(Contract)))
    private_own = [u for u, p in units if not p.public and p.region_code == "12"]
    public_other = [u for u, p in units if p.public and p.region_code != "12"]
    assert len(private_own) >= 3 and len({u.region_code for u in public_other}) == 20
    assert any(u.accepts_other_regions for u in public_other) and not all(u.accepts_other_regions
                                                                          for u in public_other)
    own_contracts = [c for c in contracts if c.region_code == "12"]
    open_elsewhere = [c for c in contracts if c.region_code != "12" and c.open_to_other_regions]
    assert own_contracts and open_elsewhere and all(c.other_region_terms for c in open_elsewhere)
    assert any(c.volume_ceiling - c.volume_used <= 5 for c in contracts)
    assert all(c.volume_used < c.volume_ceiling or c.volume_used == c.volume_ceiling for c in contracts)
    # every unit lies somewhere a distance can be computed from
    assert all(distance_km("1280", u.municipality_code) is not None for u, _ in units)


def test_capacity_comes_in_weeks_some_stale(demo_ctx):
    with demo_ctx.db.transaction() as session:
        reports = list(session.scalars(select(CapacityReport)))
        units = session.scalars(select(CareUnit.id)).all()
    assert all(r.period_from.weekday() == 0 and r.period_to - r.period_from == timedelta(days=6) for r in reports)
    assert all(r.free_slots is not None and r.period_from >= r.as_of - timedelta(days=6) for r in reports)
    stale = {r.unit_id for r in reports if r.as_of < TODAY - timedelta(days=42)}
    fresh = {r.unit_id for r in reports if r.as_of >= TODAY - timedelta(days=42)}
    assert stale and len(fresh) > len(stale)
    assert len({r.unit_id for r in reports}) < len(units)  # some never reported


def test_care_elsewhere_finds_places_in_time_on_the_demo(demo_ctx):
    with demo_ctx.db.transaction() as session:
        step_ids = session.scalars(select(Step.id).join(Case).where(
            Step.is_open, Step.code == "SV_FORSTA_BESOK", Case.specialty_code == "311").limit(5)).all()
    assert step_ids
    routes = set()
    for step_id in step_ids:
        search = find_candidates(demo_ctx, step_id)
        fits = [c for c in search.candidates if c.eligible and c.fit is Fit.FITS]
        routes |= {c.route for c in search.candidates if c.eligible}
        assert any(c.fit is Fit.UNKNOWN for c in search.candidates if c.eligible)  # stale or missing
        assert fits or search.need.remaining < 5
    assert {Route.OWN_UNIT, Route.OTHER_REGION} <= routes


def test_all_municipalities_have_a_point_inside_sweden():
    points = reference.municipality_points()
    assert set(points) == {m.code for m in reference.municipalities()}
    assert all(55.3 <= lat <= 69.1 and 10.9 <= lon <= 24.2 for lat, lon in points.values())
    # Malmö–Lund is short, Malmö–Kiruna is the length of the country
    assert distance_km("1280", "1281") < 60 and 1500 < distance_km("1280", "2584") < 2200
