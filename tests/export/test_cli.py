"""`lotsen export` from the command line, on a real database file."""

from __future__ import annotations

from app.context import sign_in
from app.database import open_database
from tests.export.conftest import XSD, configure
from tests.reports.build import open_step
from ui.cli import main


def _database(db_path) -> None:
    db = open_database(db_path)
    ctx = sign_in(db, "anna.lots", "Anna Lots")
    configure(ctx)
    open_step(ctx, "2026-09-01")
    db.close()


def test_export_writes_validated_files(db_path, case_worker_db, tmp_path, capsys):
    _database(db_path)
    code = main(["export", "--month", "2026-10", "--out", str(tmp_path / "ut"), "--db", str(case_worker_db),
                 "--xsd", str(XSD["vantande"]), "--xsd", str(XSD["genomforda"]), "--fhir"])
    out = capsys.readouterr().out
    assert code == 0
    assert "TillgangligVardSpeciVantande_2026-10.xml: 1 poster" in out and "Validerad mot" in out
    assert "Omfattning: ärendena i Lotsen, inte hela regionens vårdutbud." in out
    assert "FHIR MeasureReport" in out and list((tmp_path / "ut" / "fhir").glob("MeasureReport-2026-10-*.json"))
    assert (tmp_path / "ut" / "TillgangligVardSpeciGenomforda_2026-10.xml").exists()


def test_bad_input_gives_a_swedish_message_and_an_error_code(db_path, tmp_path, capsys):
    _database(db_path)
    assert main(["export", "--month", "oktober", "--out", str(tmp_path), "--db", str(db_path)]) == 2
    assert "--month: ange månaden som ÅÅÅÅ-MM" in capsys.readouterr().err
    assert main(["export", "--month", "2026-10", "--out", str(tmp_path), "--db", str(tmp_path / "x.sqlite")]) == 2
    assert "finns inte" in capsys.readouterr().err


def test_missing_settings_fail(tmp_path, capsys):
    db = open_database(tmp_path / "tom.sqlite")
    db.close()
    assert main(["export", "--month", "2026-10", "--out", str(tmp_path / "ut"), "--db",
                 str(tmp_path / "tom.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "länskod saknas" in err and "Administration → Inställningar" in err and "skr." not in err


def test_the_problems_to_fix_are_summed_up_problem_by_problem(db_path, case_worker_db, tmp_path, capsys):
    db = open_database(db_path)
    ctx = sign_in(db, "anna.lots", "Anna Lots")
    configure(ctx)
    for started in ("2026-09-01", "2026-09-02"):
        open_step(ctx, started, municipality=None)
    db.close()
    code = main(["export", "--month", "2026-10", "--out", str(tmp_path / "ut"), "--db", str(case_worker_db)])
    err = capsys.readouterr().err
    assert code == 0
    assert "0 ärenden kunde inte tas med och 2 har brister som bör rättas:" in err
    assert "  2 ärenden – Lkf: folkbokföringskommun saknas; rapporteras som 0000. (skickas ändå)" in err
    assert "att-atgarda_2026-10.csv" in err
