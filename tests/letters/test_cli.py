"""`lotsen letters` on a real database file."""

from __future__ import annotations

import pytest

from app.context import sign_in
from app.database import open_database
from tests.conftest import TODAY
from tests.letters import pdftext
from tests.letters.scenario import build, offer, open_case
from ui.cli import main
from ui.commands import letters as letters_command


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The command signs in with the scenario's today, so that its dates stay in the future."""
    def sign_in_on_today(db):
        ctx = sign_in(db)
        ctx.today = lambda: TODAY
        return ctx
    monkeypatch.setattr(letters_command, "sign_in", sign_in_on_today)


def test_letters_for_a_case_and_for_all_due(ctx, case_worker_db, tmp_path, capsys):
    s = build(ctx)
    out = tmp_path / "ut"
    assert main(["letters", "--type", "erbjudande", "--case", str(s.offer.case_id), "--out", str(out),
                 "--db", str(case_worker_db)]) == 0
    printed = list(out.glob("*.pdf"))
    assert len(printed) == 1
    assert "Mottagning 2" in pdftext.text(printed[0])
    assert "1 brev" in capsys.readouterr().out
    assert main(["letters", "--type", "omstart", "--due", "--out", str(out), "--db", str(case_worker_db)]) == 0
    assert len(list(out.glob("*.pdf"))) == 2
    # Nothing left to send: a clear message and a non-zero exit code.
    assert main(["letters", "--type", "omstart", "--due", "--out", str(out), "--db", str(case_worker_db)]) == 1
    assert "Inga steg" in capsys.readouterr().err


def test_letters_command_explains_errors(ctx, case_worker_db, tmp_path, capsys):
    build(ctx)
    assert main(["letters", "--type", "erbjudande", "--case", "999", "--out", str(tmp_path),
                 "--db", str(case_worker_db)]) == 2
    assert "ärende 999 finns inte" in capsys.readouterr().err
    assert main(["letters", "--type", "erbjudande", "--case", "1", "--out", str(tmp_path),
                 "--db", str(case_worker_db)]) == 1
    assert "inget obesvarat erbjudande" in capsys.readouterr().err
    assert main(["letters", "--type", "erbjudande", "--case", "1", "--out", str(tmp_path),
                 "--db", str(tmp_path / "saknas.sqlite")]) == 2
    assert "finns inte" in capsys.readouterr().err
    db = open_database(case_worker_db)
    assert sign_in(db) is not None
    db.close()


def test_due_offers_never_go_out_for_a_past_appointment_or_a_too_short_reply_window(ctx, case_worker_db, tmp_path, capsys):
    s = build(ctx)
    past = open_case(ctx, 7, started="2026-10-01")
    offer(ctx, past, on="2026-11-02", appointment="2026-11-20", reply_by="2026-11-10")
    soon = open_case(ctx, 8, started="2026-11-01")
    offer(ctx, soon, on="2026-11-21", appointment="2026-11-27", reply_by="2026-11-24")
    out = tmp_path / "ut"
    assert main(["letters", "--type", "erbjudande", "--due", "--out", str(out), "--db", str(case_worker_db)]) == 0
    err = capsys.readouterr().err
    assert f"Inget brev för ärende {past.case_id}: den erbjudna tiden 2026-11-20 har redan varit." in err
    assert (f"Inget brev för ärende {soon.case_id}: svarstiden (2026-12-08, 10 arbetsdagar efter att brevet har "
            "kommit fram) hinner inte gå ut före den erbjudna tiden 2026-11-27; ring patienten i stället.") in err
    text = pdftext.text(next(out.glob("*.pdf")))
    assert "Ärende " + str(s.offer.case_id) in text and f"Ärende {past.case_id}" not in text
    # Recorded reply date 2026-11-30, but the letter of Sunday 2026-11-22 arrives Tuesday 2026-11-24:
    # ten working days from then.
    assert "Svara senast 2026-12-08" in " ".join(text.split())
    assert "Du har 10 arbetsdagar på dig" in " ".join(text.split())


@pytest.mark.unconfigured_sender
def test_no_letter_while_the_sender_is_not_set(ctx, case_worker_db, tmp_path, capsys):
    from app.letters.sender import sender_missing
    from tests.letters.scenario import nothing_written

    s = build(ctx)
    out = tmp_path / "ut"
    assert main(["letters", "--type", "erbjudande", "--case", str(s.offer.case_id), "--out", str(out),
                 "--db", str(case_worker_db)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"Avsändare: {sender_missing(ctx.db)}"
    assert "Administration → Inställningar, fliken Avsändare" in err and "letters." not in err
    assert not out.exists() or not list(out.glob("*.pdf"))
    assert nothing_written(ctx, s.offer.case_id)
