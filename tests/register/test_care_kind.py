"""Each offer from the register records where the care is; the yearly count of patients helped elsewhere leaves
the patient's own clinic out and splits the rest by kind."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import cases, register
from app.care_kind import CareKind, care_kind
from app.guarantee import Answer
from app.identity import make_personnummer
from app.reports.care_elsewhere import care_elsewhere_table, care_elsewhere_year
from db.models import CaseEvent
from tests.conftest import TODAY
from tests.register.test_candidates import by_name, region  # noqa: F401 - the fixture

KINDS = {
    "Egen sen": CareKind.HOME_UNIT,                     # the patient already waits here
    "Avtal snabb": CareKind.OWN_CONTRACTOR,             # Ortopedi Syd AB, private, Skåne's contract
    "Halland öppen": CareKind.OTHER_REGION_PUBLIC,
    "Väst öppet avtal": CareKind.OTHER_REGION_PRIVATE,
}


def treated_at(ctx, unit_name: str, serial: int) -> int:
    opened = cases.open_case(
        ctx, cases.NewPatient(make_personnummer(date(1960, 5, 2), serial), "Karin Berg", "12"),
        cases.NewCase("SV_FORSTA_BESOK", TODAY - timedelta(days=40), "311", waiting_unit="Egen sen"))
    chosen = by_name(register.find_candidates(ctx, opened.step_id))[unit_name]
    offer_id = register.offer_from_candidate(ctx, opened.step_id, chosen, TODAY + timedelta(days=7), None)
    ctx.today = lambda: TODAY + timedelta(days=7)
    cases.record_answer(ctx, offer_id, TODAY + timedelta(days=1), Answer.ACCEPTED)
    cases.complete_step(ctx, opened.step_id, TODAY + timedelta(days=7))
    ctx.today = lambda: TODAY
    return offer_id


def test_offers_record_the_kind_and_the_year_counts_by_kind(ctx, region):  # noqa: F811
    offers = {name: treated_at(ctx, name, 500 + i) for i, name in enumerate(KINDS)}
    with ctx.db.transaction() as session:
        stored = dict(session.execute(select(CaseEvent.id, CaseEvent.care_kind)
                                      .where(CaseEvent.id.in_(offers.values()))).all())
    assert {name: stored[offer_id] for name, offer_id in offers.items()} == {k: v.value for k, v in KINDS.items()}
    counted = care_elsewhere_year(ctx, 2026)
    assert counted.patients == {kind: 1 for kind in KINDS.values()}
    assert counted.elsewhere == 3  # not the one treated at her own clinic
    rows = dict(care_elsewhere_table(counted, 1).rows)
    assert rows["Summa, vård hos annan vårdgivare"] == "3"
    assert rows["Ej medräknat: den egna mottagningen"] == "1"
    assert rows["Okänt (erbjudet utan registret)"] == "0"
    assert care_elsewhere_year(ctx, 2025).patients == {}


@pytest.mark.parametrize(("unit", "region_code", "public", "expected"), [
    ("Ortopeden Lund", "12", True, CareKind.HOME_UNIT),
    ("Ortopeden Ystad", "12", True, CareKind.OWN_REGION_UNIT),
    ("Capio Lund", "12", False, CareKind.OWN_CONTRACTOR),
    ("Ortopeden Halmstad", "13", True, CareKind.OTHER_REGION_PUBLIC),
    ("Aleris Halmstad", "13", False, CareKind.OTHER_REGION_PRIVATE),
])
def test_care_kind(unit, region_code, public, expected):
    assert care_kind(unit, region_code, public, "ortopeden lund ", "12") is expected
