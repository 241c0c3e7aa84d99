"""The national export: valid against SKR's XSDs, pseudonymised, stable, logged, checked before it is sent."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import InputError
from app.export import Kind, export_due, export_history, export_month, prepare
from app.export.codes import SKR_REGION
from app.reference import regions
from app.reports.months import Month
from app.settings import set_setting
from db.models import Patient
from tests.export.conftest import XSD
from tests.reports.build import at, complete, mov, open_step, pvv

OCT, NOV = Month(2026, 10), Month(2026, 11)


def besok(path: Path) -> list[dict[str, str]]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', line)) for line in path.read_text("utf-8").splitlines()
            if "<Besok " in line]


@pytest.fixture
def month(configured):
    """Waiting: plain, MoV holding, PvV holding, a return visit. Completed: in time, after PvV, after MoV."""
    ctx = configured
    steps = {
        "plain": open_step(ctx, "2026-09-01", "SV_BEHANDLING", activity="P010"),
        "mov": open_step(ctx, "2026-06-01", female=True, municipality=None),
        "pvv": open_step(ctx, "2026-08-15", unit="Ögonmottagningen Malmö", specialty="511"),
        "return": open_step(ctx, "2026-10-01", "ATERBESOK", target="2026-12-01"),
        "done": open_step(ctx, "2026-09-01"),
        "done_pvv": open_step(ctx, "2026-03-01"),
        "done_mov": open_step(ctx, "2026-06-01", "SV_BEHANDLING", activity="P011"),
    }
    mov(ctx, steps["mov"], "2026-07-01")
    pvv(ctx, steps["pvv"], "2026-08-20", "2026-08-20", "2026-09-10", "2026-08-25")
    complete(ctx, steps["done"], "2026-10-10")
    pvv(ctx, steps["done_pvv"], "2026-03-05", "2026-03-05", "2026-03-20", "2026-03-10", restart="2026-08-01")
    complete(ctx, steps["done_pvv"], "2026-10-15")
    mov(ctx, steps["done_mov"], "2026-06-10", "2026-07-10")
    complete(ctx, steps["done_mov"], "2026-10-01")
    at(ctx, "2026-11-05")
    return steps


def by_kind(result):
    return {f.kind: f for f in result.files}


def test_both_files_follow_the_xsds(configured, month, schemas, tmp_path):
    result = export_month(configured, OCT, tmp_path)
    files = by_kind(result)
    for kind, f in files.items():
        schemas[kind.value].validate(str(f.path))
    assert (files[Kind.WAITING].rows, files[Kind.COMPLETED].rows) == (4, 3)
    waiting = besok(files[Kind.WAITING].path)
    assert {b["Fas"] for b in waiting} == {"1", "2", "4"}
    assert sorted(b.get("Avvikelse", "") for b in waiting) == ["", "", "1", "2"]
    assert [b["MedicinsktMaldatum"] for b in waiting if b["Fas"] == "4"] == ["2026-12-01T00:00:00"]
    assert {b["Regionkod"] for b in waiting} == {"41"}  # SKR's code for Region Skåne, not SCB's 12
    completed = besok(files[Kind.COMPLETED].path)
    assert sorted(b.get("Avvikelse", "") for b in completed) == ["", "1", "2"]
    restarted = next(b for b in completed if b.get("Avvikelse") == "1")
    assert (restarted["BeslutAktivitet"], restarted["StartAktivitet"]) == ("2026-08-01T00:00:00",
                                                                          "2026-10-15T00:00:00")
    assert all(b["TypAkutverksamhet"] == "0" for b in completed)


def test_codes_and_unit_settings_reach_the_records(configured, month, tmp_path):
    files = by_kind(export_month(configured, OCT, tmp_path))
    waiting = besok(files[Kind.WAITING].path)
    operation = next(b for b in waiting if b["Fas"] == "2")
    assert operation["Aktivitet"] == "HO100" and operation["Vardgaranti"] == "1"
    eye = next(b for b in waiting if b["Mvo"] == "511")
    assert (eye["HSAIdVardenhet"], eye["Sjukhus"], eye["SjukhusNamn"]) == (
        "SE2321000255-E777", "41011", "Skånes universitetssjukhus")
    assert next(b for b in waiting if b["Fas"] == "4")["Vardgaranti"] == "2"
    mov_row = next(b for b in waiting if b.get("Avvikelse") == "2")
    assert (mov_row["Kon"], mov_row["Lkf"]) == ("2", "0000")
    assert {b["Kon"] for b in waiting} == {"1", "2"}


def test_no_personnummer_or_name_and_a_stable_untraceable_id(configured, month, tmp_path):
    result = export_month(configured, OCT, tmp_path)
    text = "".join(f.path.read_text("utf-8") for f in result.files)
    with configured.db.transaction() as session:
        patients = session.execute(select(Patient.id_number, Patient.name)).all()
    for id_number, name in patients:
        assert id_number not in text and id_number[2:] not in text and name not in text
    ids = [b["VardkontaktId"] for f in result.files for b in besok(f.path)]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    # The step waiting in October and completed in November keeps its id.
    complete(configured, month["plain"], "2026-11-20")
    at(configured, "2026-12-02")
    november = by_kind(export_month(configured, NOV, tmp_path / "nov"))
    october_plain = next(b for b in besok(by_kind(result)[Kind.WAITING].path) if b["Fas"] == "2")
    assert october_plain["VardkontaktId"] in {b["VardkontaktId"] for b in besok(november[Kind.COMPLETED].path)}


def test_re_export_is_identical_except_the_timestamp_and_replaces_by_ersattningsid(configured, month, tmp_path):
    first = by_kind(export_month(configured, OCT, tmp_path / "a"))
    again = by_kind(export_month(configured, OCT, tmp_path / "b"))
    for kind in Kind:
        a, b = first[kind].path.read_text("utf-8"), again[kind].path.read_text("utf-8")
        assert a != b or first[kind].sha256 == again[kind].sha256
        strip = re.compile(r'LeveransReferens="[^"]*"')
        assert strip.sub("", a) == strip.sub("", b)
        assert first[kind].replacement_id == again[kind].replacement_id == f"LOTSEN-41-{kind.value.upper()}-2026-10"
        assert f'ErsattningsId="{first[kind].replacement_id}"' in a


def test_every_export_is_logged_and_the_reminder_follows(configured, month, tmp_path):
    due = export_due(configured, date(2026, 11, 5))
    assert due.month == OCT and due.due_on == date(2026, 11, 20) and not due.overdue
    assert "oktober 2026" in due.message and "2026-11-20" in due.message
    assert export_due(configured, date(2026, 11, 21)).overdue
    export_month(configured, OCT, tmp_path)
    assert export_due(configured, date(2026, 11, 21)) is None
    history = export_history(configured, OCT)
    assert {(h.kind, h.user) for h in history} == {("vantande", "Anna Lots"), ("genomforda", "Anna Lots")}
    import hashlib
    for h in history:
        assert hashlib.sha256(Path(h.file).read_bytes()).hexdigest() == h.sha256
    set_setting(configured.db, "export.due_day", 25)
    assert export_due(configured, date(2026, 12, 21)).due_on == date(2026, 12, 25)


def test_data_quality_lists_the_cases_to_fix_and_keeps_the_file_valid(configured, month, schemas, tmp_path):
    set_setting(configured.db, "skr.default_unit", None)  # only the eye clinic has an HSA-id now
    prepared = prepare(configured, OCT)
    blocking = {i.case_id for i in prepared.issues if i.blocking}
    assert month["plain"].case_id in blocking and month["pvv"].case_id not in blocking
    warnings = {(i.case_id, i.field) for i in prepared.issues if not i.blocking}
    assert (month["done_mov"].case_id, "Aktivitet") in warnings  # P011 has no SKR code
    assert (month["mov"].case_id, "Lkf") in warnings
    result = export_month(configured, OCT, tmp_path)
    assert by_kind(result)[Kind.WAITING].rows == 1
    schemas["vantande"].validate(str(by_kind(result)[Kind.WAITING].path))
    listing = result.issues_file.read_text("utf-8-sig")
    assert listing.startswith("Ärende;Steg;Uppgift;Problem;Följd") and str(month["plain"].case_id) in listing


def test_missing_settings_stop_the_export(ctx, tmp_path):
    with pytest.raises(InputError) as error:
        export_month(ctx, OCT, tmp_path / "out")
    assert error.value.field == "Länskod" and "HSA-id" in error.value.message
    assert "Administration → Inställningar, fliken Nationell export" in error.value.message
    assert "skr." not in error.value.message  # never a setting's key
    assert not (tmp_path / "out").exists()


def test_an_empty_month_withdraws_earlier_data_and_is_valid(configured, schemas, tmp_path):
    result = export_month(configured, OCT, tmp_path)
    for f in result.files:
        schemas[f.kind.value].validate(str(f.path))
        assert f.rows == 0 and "<Kontakt" not in f.path.read_text("utf-8")


def test_user_chosen_xsd(configured, month, tmp_path):
    result = export_month(configured, OCT, tmp_path / "ok", xsds=list(XSD.values()))
    assert len(result.validated_against) == 2
    stricter = tmp_path / "stricter.xsd"
    stricter.write_text(XSD["vantande"].read_text("utf-8").replace(
        'value="2|kvinna|Kvinna|KVINNA|k|K|1|man|Man|MAN|m|M|3|okänt|Okänt|OKÄNT|o|O"', 'value="kvinna"'), "utf-8")
    with pytest.raises(InputError, match="följer inte stricter.xsd"):
        export_month(configured, OCT, tmp_path / "bad", xsds=[stricter])
    assert not (tmp_path / "bad" / "TillgangligVardSpeciVantande_2026-10.xml").exists()
    assert len(export_history(configured, OCT)) == 2  # only the valid export was logged
    other = tmp_path / "other.xsd"
    other.write_text('<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x"/>', "utf-8")
    with pytest.raises(InputError, match="fel targetNamespace"):
        export_month(configured, OCT, tmp_path / "other", xsds=[other])


def test_region_codes_follow_the_xsd_documentation():
    text = XSD["vantande"].read_text("utf-8")
    documented = dict(re.findall(r"<xsd:documentation>(\d\d) ((?:Region|Västra)[^<]*)</xsd:documentation>", text))
    ours = {r.code: r.name for r in regions()}
    assert len(documented) == 21 == len(SKR_REGION)
    for scb, skr in SKR_REGION.items():
        assert documented[skr] == ours[scb]
