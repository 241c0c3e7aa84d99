"""`lotsen self-test` in-process: the same checks the built bundle runs after every build."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.export import Kind
from tests.export.conftest import XSD
from ui.cli import main
from ui.commands.self_test import code_list_problems


def test_self_test_passes_and_leaves_no_data_behind(qapp, tmp_path, capsys):
    db = tmp_path / "lotsen.sqlite"
    assert main(["--db", str(db), "self-test"]) == 0
    out = capsys.readouterr().out
    assert "Självtestet lyckades" in out
    for check in ("Databas och migreringar", "Ärende", "Brev som PDF", "Export till Väntetidsdatabasen", "Qt"):
        assert f"OK   {check}:" in out
    assert "SKR:s kodlistor" in out
    assert not db.exists()  # the test ran on a temporary database, never on the user's


def test_self_test_validates_against_given_xsds(tmp_path, capsys):
    args = ["--db", str(tmp_path / "x.sqlite"), "self-test", "--utan-qt"]
    for xsd in XSD.values():
        args += ["--xsd", str(xsd)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "följer TillgangligVardSpeciVantandeResponder_1_0.xsd, TillgangligVardSpeciGenomfordaResponder_1_0.xsd" \
        in out
    assert "OK   Qt" not in out


def test_a_failing_check_fails_the_self_test(tmp_path, capsys, monkeypatch):
    import app.letters

    def broken(*args, **kwargs):
        raise OSError("disken är full")

    monkeypatch.setattr(app.letters, "generate", broken)
    assert main(["--db", str(tmp_path / "x.sqlite"), "self-test", "--utan-qt"]) == 1
    out = capsys.readouterr().out
    assert "FEL  Brev som PDF: OSError: disken är full" in out
    assert "OK   Export till Väntetidsdatabasen" in out  # the export does not need the letter
    assert "Självtestet misslyckades (1 fel)" in out


def test_a_missing_xsd_is_refused(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "x.sqlite"), "self-test", "--xsd", str(tmp_path / "nej.xsd")]) == 2
    assert "nej.xsd finns inte" in capsys.readouterr().err


EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<TillgangligVardSpeciVantande xmlns="urn:riv:skl:tillgangligVardSpeci:TillgangligVardSpeciVantandeResponder:1">
  <Kontakt DatatGallerFor="2026-10-01">
    <Besok Regionkod="41" HSAIdRegion="R" HSAIdVardenhet="E" VardkontaktId="x" Fas="1" Mvo="311" FodelseAr="1958"
           Kon="1" Lkf="1280" BeslutAktivitet="2026-09-01T00:00:00" Yrkeskategori="XS915"/>
    <Besok Regionkod="99" HSAIdRegion="R" HSAIdVardenhet="E" VardkontaktId="y" Fas="9" Mvo="311" FodelseAr="1850"
           Kon="1" Lkf="1280" Yrkeskategori="XS915"/>
  </Kontakt>
</TillgangligVardSpeciVantande>
"""


@pytest.mark.parametrize("kind, expected", [
    (Kind.WAITING, ["post 2 saknar BeslutAktivitet", "post 2: Regionkod='99' finns inte i kodlistan",
                    "post 2: Fas='9' finns inte i kodlistan", "post 2: födelseåret '1850' är inte giltigt"]),
    (Kind.COMPLETED, [("rotelementet är {urn:riv:skl:tillgangligVardSpeci:TillgangligVardSpeciVantandeResponder:1}"
                       "TillgangligVardSpeciVantande, inte TillgangligVardSpeciGenomforda i "
                       "urn:riv:skl:tillgangligVardSpeci:TillgangligVardSpeciGenomfordaResponder:1")]),
])
def test_code_list_check_names_each_problem(tmp_path: Path, kind, expected):
    xml = tmp_path / "export.xml"
    xml.write_text(EXPORT, "utf-8")
    assert code_list_problems(xml, kind) == expected


def test_without_a_database_the_later_checks_are_skipped(tmp_path, capsys, monkeypatch):
    import app.database
    from app.errors import StorageError

    def refused(path):
        raise StorageError("Databasen kunde inte skapas: disken är skrivskyddad.")

    monkeypatch.setattr(app.database, "open_database", refused)
    assert main(["--db", str(tmp_path / "x.sqlite"), "self-test", "--utan-qt"]) == 1
    out = capsys.readouterr().out
    assert "FEL  Databas och migreringar: Databasen kunde inte skapas: disken är skrivskyddad." in out
    assert out.count("hoppades över eftersom ett tidigare steg misslyckades") == 3
