"""The worklist's search: every word in any order, case and accents aside, on the stored and the typed text alike;
the stored form kept right when only other details change, and refolded by migration 0016."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import select, text, update

from app import cases, patients, worklist
from app.guarantee import State
from app.identity import make_personnummer
from app.patients import ContactDetails
from app.worklist import Filter
from db import migrate
from db.models import Patient, search_form, search_words
from db.worklist import WorklistEntry
from tests.conftest import TODAY

NAMES = ("Eva Andersson", "Karin Söderberg", "José Lindqvist", "Åke Öberg")


@pytest.fixture
def people(ctx):
    return {name: cases.open_case(
        ctx, cases.NewPatient(make_personnummer(date(1960, 1, 1) + timedelta(days=n * 50), n + 1), name, "12"),
        cases.NewCase("SV_FORSTA_BESOK", TODAY - timedelta(days=10 + n), "311", waiting_unit="Ortopeden Lund"))
        for n, name in enumerate(NAMES)}


def found(ctx, typed: str, **narrowed) -> set[str]:
    ids = worklist.open_step_ids(ctx, Filter(text=typed, **narrowed))
    return {r.patient_name for r in worklist.rows_for(ctx, ids)}


def test_typed_and_stored_forms_drop_case_and_accents_and_keep_the_sort_order():
    assert {tuple(search_words(s)) for s in ("SÖDERBERG", "söderberg", "Soderberg", "  Söderberg ")} == {
        ("soderberg",)}
    assert search_words("José  ÅKE") == ["jose", "ake"]
    assert search_form("José  ÅKE") == "josé åke jose ake"
    assert search_form("Eva Andersson") == "eva andersson"
    assert sorted(["Åsa", "Bo", "Östen", "Ärla"], key=search_form)[:1] == ["Bo"]


@pytest.mark.parametrize(("typed", "expected"), [
    ("Andersson Eva", {"Eva Andersson"}),
    ("eva andersson", {"Eva Andersson"}),
    ("Soderberg", {"Karin Söderberg"}),
    ("söderberg", {"Karin Söderberg"}),
    ("SÖDERBERG", {"Karin Söderberg"}),
    ("Jose", {"José Lindqvist"}),
    ("oberg ake", {"Åke Öberg"}),
    ("Eva Söderberg", set()),  # every word must match
    ("ers", {"Eva Andersson"}),
])
def test_words_in_any_order_with_or_without_accents(ctx, people, typed, expected):
    assert found(ctx, typed) == expected


def test_personnummer_search_is_unchanged(ctx, people):
    pnr = make_personnummer(date(1960, 1, 1) + timedelta(days=50), 2)
    assert found(ctx, f"{pnr[2:8]}-{pnr[8:]}") == {"Karin Söderberg"}


def test_the_search_alone_counts_what_the_filters_hide(ctx, people):
    flt = Filter(text="soderberg", states=frozenset({State.OVERDUE}))
    assert found(ctx, flt.text, states=flt.states) == set()
    alone = worklist.search_alone(flt)
    assert alone == Filter(text="soderberg")
    assert sum(worklist.count_by_state(ctx, alone).values()) == 1
    assert worklist.search_alone(Filter(text="soderberg")) is None
    assert worklist.search_alone(Filter(states=flt.states)) is None


def test_changing_only_the_address_keeps_the_search_form(ctx, people):
    """An UPDATE that sets no name once raised KeyError in search_name's onupdate."""
    patient_id = people["Karin Söderberg"].patient_id
    with ctx.db.transaction() as session:
        session.get(Patient, patient_id).street = "Storgatan 1"
    with ctx.db.transaction() as session:
        session.execute(update(Patient).where(Patient.id == patient_id).values(city="Lund"))
    patients.update_contact_details(ctx, patient_id, ContactDetails(
        street="Lilla gatan 2", postal_code="22100", city="Lund"))
    with ctx.db.reading() as session:
        assert session.get(Patient, patient_id).search_name == "karin söderberg soderberg"
    assert found(ctx, "söderberg karin") == {"Karin Söderberg"}


def test_a_new_name_is_searched_by_its_new_form(ctx, people):
    patient_id = people["Eva Andersson"].patient_id
    with ctx.db.transaction() as session:
        session.get(Patient, patient_id).name = "Eva Ångström"
    with ctx.db.reading() as session:
        assert session.get(Patient, patient_id).search_name == "eva ångström angstrom"
    assert found(ctx, "angstrom") == {"Eva Ångström"}
    assert found(ctx, "andersson") == set()


def test_migration_0016_refolds_the_stored_names_and_the_worklist_copy(ctx, people):
    engine = ctx.db.engine
    config = migrate._config()
    with engine.begin() as connection:  # as 0014 stored them: case-folded only
        config.attributes["connection"] = connection
        command.downgrade(config, "0014")
    with ctx.db.reading() as session:
        assert session.scalar(select(Patient.search_name).where(Patient.name == "Karin Söderberg")) == \
            "karin söderberg"
        assert "karin söderberg" in session.scalars(select(WorklistEntry.search_name)).all()
    assert found(ctx, "soderberg") == set()
    migrate.upgrade_to(engine, "heads")
    with ctx.db.reading() as session:
        assert set(session.scalars(select(Patient.search_name))) == {search_form(n) for n in NAMES}
        assert set(session.execute(text("SELECT search_name FROM worklist_entry")).scalars()) == \
            {search_form(n) for n in NAMES}
    assert found(ctx, "soderberg") == {"Karin Söderberg"}
