"""Register services on a real SQLite file: create, edit, validation and the change history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import register
from app.errors import InputError
from app.register.history import shown
from db.models import Setting
from db.register import UnitService
from tests.conftest import TODAY
from tests.register.conftest import capacity, contract, org_number, provider, unit


def test_create_and_edit_provider_records_who_when_old_and_new(ctx):
    pid = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    data = register.get_provider(ctx, pid)
    register.save_provider(ctx, register.ProviderData("Ortopedi Syd AB (Lund)", "12", False, data.org_number), pid)
    changes = register.history(ctx, "provider", pid)
    assert changes[0].field == "Namn"
    assert (changes[0].old, changes[0].new, changes[0].user) == ("Ortopedi Syd AB", "Ortopedi Syd AB (Lund)",
                                                                 "Anna Lots")
    assert changes[0].at.tzinfo is not None  # audit times are UTC
    created = {c.field: c.new for c in changes[1:]}
    assert created["Organisationsnummer"] == org_number("556677889") and created["Offentlig"] == "nej"
    assert all(c.old == "" for c in changes[1:])


def test_saving_unchanged_values_writes_no_history(ctx):
    pid = provider(ctx, "Region Skåne", "12", True)
    before = len(register.history(ctx, "provider", pid))
    register.save_provider(ctx, register.get_provider(ctx, pid), pid)
    assert len(register.history(ctx, "provider", pid)) == before


def test_unit_services_are_stored_searchable_and_their_changes_recorded(ctx):
    pid = provider(ctx, "Region Skåne", "12", True)
    uid = unit(ctx, pid, "1", "Ortopedkliniken Ystad", "12", mvo=("311",), activities=("P010",),
               municipality="1286", accepts_other_regions=True, phone="0411-99 50 00", email="orto@skane.se")
    data = register.get_unit(ctx, uid)
    register.save_unit(ctx, register.UnitData(**{**data.__dict__, "specialties": ["311", "321"],
                                                 "activities": ["P010", "P017"]}), uid)
    with ctx.db.transaction() as session:
        codes = set(session.scalars(select(UnitService.code).where(UnitService.unit_id == uid)))
    assert codes == {"311", "321", "P010", "P017"}
    change = next(c for c in register.history(ctx, "unit", uid) if c.field == "Verksamhetsområden (MVO)")
    assert (change.old, change.new) == ("311", "311, 321")
    [row] = register.list_units(ctx, "YSTAD ortoped")
    assert (row.municipality, row.specialties, row.provider) == ("Ystad", "311, 321", "Region Skåne")
    assert register.list_units(ctx, "göteborg") == []


@pytest.mark.parametrize(("change", "field"), [
    ({"hsa_id": "12345"}, "HSA-id"),
    ({"name": " "}, "Namn"),
    ({"region": "99"}, "Region"),
    ({"municipality": "9999"}, "Kommun"),
    ({"specialties": ["999"]}, "Verksamhetsområden (MVO)"),
    ({"specialties": []}, "Verksamhetsområden (MVO)"),
    ({"activities": ["X1"]}, "Åtgärder"),
    ({"kva": ["ABCDEF"]}, "KVÅ-koder"),
    ({"email": "inte en adress"}, "E-post"),
])
def test_unit_input_errors_name_the_field(ctx, change, field):
    pid = provider(ctx, "Region Skåne", "12", True)
    data = {"hsa_id": "SE2321000016-1ABC", "name": "Enhet", "provider_id": pid, "region": "12",
            "specialties": ["311"]}
    with pytest.raises(InputError) as error:
        register.save_unit(ctx, register.UnitData(**{**data, **change}))
    assert error.value.field == field
    assert register.list_units(ctx) == []


def test_duplicate_hsa_id_and_org_number_are_refused(ctx):
    pid = provider(ctx, "Vården AB", "12", False, "556677889")
    with pytest.raises(InputError, match="finns redan"):
        provider(ctx, "Vården AB igen", "12", False, "556677889")
    unit(ctx, pid, "7", "Enhet A", "12")
    with pytest.raises(InputError, match="finns redan") as error:
        unit(ctx, pid, "7", "Enhet A", "12")
    assert error.value.field == "HSA-id"


def test_org_number_check_digit(ctx):
    with pytest.raises(InputError, match="kontrollsiffran"):
        register.save_provider(ctx, register.ProviderData("X", "12", False, "556677-8890"
                                                          if org_number("556677889")[-1] != "0" else "556677-8891"))


def test_contract_history_and_expiry_status(ctx):
    pid = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    soon = contract(ctx, pid, "Höftleder 2026", "12", services=("311", "P010"), valid_to=TODAY + timedelta(days=30),
                    prices={"P010": 65000}, volume_ceiling=200)
    contract(ctx, pid, "Knän 2025", "12", valid_from=date(2025, 1, 1), valid_to=TODAY - timedelta(days=1))
    contract(ctx, pid, "Långt avtal", "12", valid_to=TODAY + timedelta(days=91))
    data = register.get_contract(ctx, soon)
    register.save_contract(ctx, register.ContractData(**{**data.__dict__, "volume_used": 150,
                                                         "valid_to": TODAY + timedelta(days=60)}), soon)
    fields = {c.field: (c.old, c.new) for c in register.history(ctx, "contract", soon)[:2]}
    assert fields["Utnyttjad volym"] == ("0", "150")
    assert fields["Gäller till"] == ((TODAY + timedelta(days=30)).isoformat(), (TODAY + timedelta(days=60)).isoformat())
    rows = {r.title: r for r in register.list_contracts(ctx)}
    assert rows["Höftleder 2026"].warn and rows["Höftleder 2026"].status.startswith("Går ut inom 90 dagar")
    assert rows["Knän 2025"].warn and rows["Knän 2025"].status.startswith("Har gått ut")
    assert not rows["Långt avtal"].warn and rows["Långt avtal"].status == "Gäller"
    assert {r.title for r in register.list_contracts(ctx, expiring_only=True)} == {"Höftleder 2026", "Knän 2025"}


def test_expiry_warning_is_a_setting(ctx):
    pid = provider(ctx, "Vården AB", "12", False)
    contract(ctx, pid, "Avtal", "12", valid_to=TODAY + timedelta(days=100))
    assert not register.list_contracts(ctx)[0].warn
    with ctx.db.transaction() as session:
        session.add(Setting(key="register.avtal_varning_dagar", value=120))
    assert register.list_contracts(ctx)[0].warn


@pytest.mark.parametrize(("change", "field"), [
    ({"form": "okänd"}, "Avtalsform"),
    ({"valid_to": date(2025, 1, 1)}, "Gäller till"),
    ({"services": []}, "Tjänster"),
    ({"prices": {"999": 100}}, "Pris per tjänst"),
    ({"open_to_other_regions": True, "open_regions": ["77"]}, "Regioner som får använda"),
    ({"volume_ceiling": -1}, "Volymtak"),
])
def test_contract_input_errors(ctx, change, field):
    pid = provider(ctx, "Vården AB", "12", False)
    data = {"title": "Avtal", "provider_id": pid, "region": "12", "form": "LOV", "services": ["311"],
            "valid_from": date(2026, 1, 1)}
    with pytest.raises(InputError) as error:
        register.save_contract(ctx, register.ContractData(**{**data, **change}))
    assert error.value.field == field


def test_contract_unit_must_belong_to_the_provider(ctx):
    first, second = provider(ctx, "A AB", "12", False), provider(ctx, "B AB", "12", False)
    other_unit = unit(ctx, second, "3", "B-enheten", "12")
    with pytest.raises(InputError, match="annan vårdgivare"):
        contract(ctx, first, "Avtal", "12", unit_id=other_unit)


def test_capacity_older_than_six_weeks_is_marked_stale(ctx):
    pid = provider(ctx, "Region Skåne", "12", True)
    uid = unit(ctx, pid, "1", "Ortopeden Lund", "12")
    capacity(ctx, uid, 20, TODAY - timedelta(days=42))
    capacity(ctx, uid, 25, TODAY - timedelta(days=43))
    rows = sorted(register.list_capacity(ctx), key=lambda r: r.wait_days)
    assert [r.stale for r in rows] == [False, True]
    assert rows[1].status == "Inaktuell: äldre än 6 veckor"
    with pytest.raises(InputError, match="framtiden"):
        capacity(ctx, uid, 10, TODAY + timedelta(days=1))


def test_history_values_are_shown_as_typed():
    assert shown({"P010": 65000, "311": 1200}) == "311: 1200, P010: 65000"
    assert shown(date(2026, 1, 2)) == "2026-01-02"
    assert shown(True) == "ja" and shown(None) == ""



def test_history_shows_other_records_by_their_current_name(ctx):
    syd = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    vast = provider(ctx, "Ortopedi Väst AB", "13", False, "556011223")
    lund = unit(ctx, syd, "1", "Ortopedkliniken Lund", "12")
    halmstad = unit(ctx, vast, "2", "Ortopedkliniken Halmstad", "13")
    cid = contract(ctx, syd, "Höftleder", "12", unit_id=lund)
    data = register.get_contract(ctx, cid)
    register.save_contract(ctx, register.ContractData(**{**data.__dict__, "provider_id": vast,
                                                         "unit_id": halmstad}), cid)
    register.save_provider(ctx, register.ProviderData("Ortopedi Väst AB (Halmstad)", "13", False,
                                                      org_number("556011223")), vast)
    changed = {c.field: (c.old, c.new) for c in register.history(ctx, "contract", cid) if c.old}
    assert changed == {"Vårdgivare": ("Ortopedi Syd AB", "Ortopedi Väst AB (Halmstad)"),
                       "Enhet": ("Ortopedkliniken Lund", "Ortopedkliniken Halmstad")}
    report = capacity(ctx, halmstad, 12)
    assert next(c.new for c in register.history(ctx, "capacity", report) if c.field == "Enhet") \
        == "Ortopedkliniken Halmstad"


def test_history_names_a_record_that_is_gone_by_its_number(ctx):
    from db.register import Provider

    old = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    new = provider(ctx, "Ortopedi Väst AB", "13", False, "556011223")
    uid = unit(ctx, old, "1", "Ortopedkliniken Lund", "12")
    register.save_unit(ctx, register.UnitData(**{**register.get_unit(ctx, uid).__dict__, "provider_id": new}), uid)
    with ctx.db.transaction() as session:  # the register cannot delete yet, but a record may still disappear
        session.delete(session.get(Provider, old))
    [change] = [c for c in register.history(ctx, "unit", uid) if c.field == "Vårdgivare" and c.old]
    assert (change.old, change.new) == (f"nr {old} (borttagen)", "Ortopedi Väst AB")


def test_every_field_holding_another_records_id_is_shown_by_name():
    from app.register import services
    from app.register.history import REFERENCES
    from db.register import CapacityReport, CareUnit, Contract, Provider

    records = {"provider", "care_unit", "contract"}  # region and municipality codes are not records of the register
    for entity, model, labels in [("provider", Provider, services.PROVIDER_LABELS),
                                  ("unit", CareUnit, services.UNIT_LABELS),
                                  ("contract", Contract, services.CONTRACT_LABELS),
                                  ("capacity", CapacityReport, services.CAPACITY_LABELS)]:
        for column, label in labels.items():
            targets = {key.column.table.name for key in model.__table__.c[column].foreign_keys}
            assert bool(targets & records) == ((entity, label) in REFERENCES), (entity, column)
