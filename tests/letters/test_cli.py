"""`lotsen letters` on a real database file."""

from __future__ import annotations

from app.context import sign_in
from app.database import open_database
from tests.letters import pdftext
from tests.letters.scenario import build
from ui.cli import main


def test_letters_for_a_case_and_for_all_due(ctx, db_path, tmp_path, capsys):
    s = build(ctx)
    out = tmp_path / "ut"
    assert main(["letters", "--type", "erbjudande", "--case", str(s.offer.case_id), "--out", str(out),
                 "--db", str(db_path)]) == 0
    printed = list(out.glob("*.pdf"))
    assert len(printed) == 1
    assert "Mottagning 2" in pdftext.text(printed[0])
    assert "1 brev" in capsys.readouterr().out
    assert main(["letters", "--type", "omstart", "--due", "--out", str(out), "--db", str(db_path)]) == 0
    assert len(list(out.glob("*.pdf"))) == 2
    # Nothing left to send: a clear message and a non-zero exit code.
    assert main(["letters", "--type", "omstart", "--due", "--out", str(out), "--db", str(db_path)]) == 1
    assert "Inga steg" in capsys.readouterr().err


def test_letters_command_explains_errors(ctx, db_path, tmp_path, capsys):
    build(ctx)
    assert main(["letters", "--type", "erbjudande", "--case", "999", "--out", str(tmp_path),
                 "--db", str(db_path)]) == 2
    assert "ärende 999 finns inte" in capsys.readouterr().err
    assert main(["letters", "--type", "erbjudande", "--case", "1", "--out", str(tmp_path),
                 "--db", str(db_path)]) == 1
    assert "inget obesvarat erbjudande" in capsys.readouterr().err
    assert main(["letters", "--type", "erbjudande", "--case", "1", "--out", str(tmp_path),
                 "--db", str(tmp_path / "saknas.sqlite")]) == 2
    assert "finns inte" in capsys.readouterr().err
    db = open_database(db_path)
    assert sign_in(db) is not None
    db.close()
