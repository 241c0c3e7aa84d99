"""Capacity and contract lists into the register, and the `lotsen import` command."""

from __future__ import annotations

from datetime import date

from app import importer, register
from app.context import sign_in
from app.database import open_database
from tests.importer.lists import waiting_rows, write_csv
from tests.register.conftest import org_number, provider, unit
from ui.cli import main

CAPACITY = ["HSA-id", "Tjänst", "Uppgift per", "Väntetid", "Lediga tider"]
CONTRACTS = ["Benämning", "Organisationsnummer", "Vårdgivare", "Avtalsregion", "Avtalsform", "Tjänster",
             "Gäller från", "Gäller till", "Öppet för regioner"]


def load(ctx, kind, path, source="Kollega"):
    table = importer.read_table(path)
    return importer.import_file(ctx, kind, path, importer.guess_columns(kind, table.headings), source)


def test_capacity_list_creates_then_updates_with_history(ctx, tmp_path):
    uid = unit(ctx, provider(ctx, "Region Skåne", "12", True), "1", "Ortopeden", "12")
    hsa = register.get_unit(ctx, uid).hsa_id
    rows = [[hsa, "311", "2026-11-20", "30", "12"], ["SE0000009999-X", "311", "2026-11-20", "5", "1"],
            [hsa, "311", "2026-11-21", "trettio", ""]]
    result = load(ctx, "capacity", write_csv(tmp_path / "kap.csv", rows, CAPACITY))
    assert result.created == 1
    assert [(p.row, p.column) for p in result.problems] == [(3, "HSA-id"), (4, "Väntetid")]
    assert "finns inte i registret" in result.problems[0].message
    rows[0][3] = "35"
    again = load(ctx, "capacity", write_csv(tmp_path / "kap.csv", rows[:1], CAPACITY))
    assert (again.created, again.updated) == (0, 1)
    [row] = register.list_capacity(ctx)
    assert row.wait_days == 35
    assert register.history(ctx, "capacity", row.id)[0].field == "Beräknad väntetid (dagar)"


def test_contract_list_creates_providers_and_contracts(ctx, tmp_path):
    rows = [["Höftleder", org_number("556677889"), "Ortopedi Syd AB", "12", "LOU", "311, P010", "2026-01-01",
             "2027-12-31", ""],
            ["Knän", org_number("556677889"), "Ortopedi Syd AB", "12", "LOV", "311", "1/1/2026", "", "13;07"],
            ["Fel", "556677-0000", "X AB", "12", "LOU", "311", "2026-01-01", "", ""],
            ["Fel form", org_number("556011223"), "Y AB", "12", "handslag", "311", "2026-01-01", "", ""]]
    result = load(ctx, "contracts", write_csv(tmp_path / "avtal.csv", rows, CONTRACTS))
    assert result.created == 2
    assert [(p.row, p.column) for p in result.problems] == [(4, "Organisationsnummer"), (5, "Avtalsform")]
    contracts = {c.title: c for c in register.list_contracts(ctx)}
    assert set(contracts) == {"Höftleder", "Knän"} and contracts["Knän"].valid_to is None
    knee = register.get_contract(ctx, contracts["Knän"].id)
    assert knee.open_to_other_regions and knee.open_regions == ["07", "13"]
    assert [p.name for p in register.list_providers(ctx)] == ["Ortopedi Syd AB"]
    preview = importer.preview(ctx, "contracts", importer.read_table(tmp_path / "avtal.csv"),
                               importer.guess_columns("contracts", CONTRACTS))
    assert [bool(r.problems) for r in preview] == [False, False, True, True]
    assert len(register.list_contracts(ctx)) == 2  # the preview wrote nothing


def test_cli_import_and_exit_codes(tmp_path, capsys):
    db_path = tmp_path / "lotsen.sqlite"
    rows = waiting_rows(20, date.today())
    rows[5][0] = "19580314-4212"
    path = write_csv(tmp_path / "lista.csv", rows)
    code = main(["import", "--db", str(db_path), "--kind", "waiting-list", "--mapping", "Ortopeden", str(path)])
    out, err = capsys.readouterr()
    assert code == 3
    assert "19 nya" in out and "Rad 7, kolumn ”Personnummer”: kontrollsiffran stämmer inte." in err
    assert (tmp_path / "lista-avvisade.xlsx").exists()
    db = open_database(db_path)
    ctx = sign_in(db, "kontroll")
    assert importer.load_mapping(ctx, "waiting-list", "Ortopeden")["id_number"] == "Personnummer"
    db.close()
    code = main(["import", "--db", str(db_path), "--kind", "waiting-list", "--mapping", "Ortopeden",
                 str(write_csv(tmp_path / "lista.csv", rows[:5]))])
    assert code == 0 and "5 oförändrade" in capsys.readouterr().out
    (tmp_path / "tom.csv").write_text("")
    assert main(["import", "--db", str(db_path), "--kind", "capacity", "--mapping", "X",
                 str(tmp_path / "tom.csv")]) == 2
    assert "filen är tom" in capsys.readouterr().err
