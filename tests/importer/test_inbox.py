"""Unattended intake: files dropped in a source's inbox are imported once, moved to "klara" or "misslyckade" with
a receipt, and `lotsen import --inbox` runs it from a scheduled task."""

from __future__ import annotations

from app import importer
from app.importer.inbox import run_inboxes
from tests.conftest import TODAY
from tests.importer.lists import HEADINGS, waiting_rows, write_csv

SOURCE = "Ortopeden SUS"


def test_an_inbox_imports_each_file_once_with_a_receipt(ctx, tmp_path):
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    importer.save_mapping(ctx, "waiting-list", SOURCE, importer.guess_columns("waiting-list", HEADINGS),
                          inbox=str(inbox))
    rows = waiting_rows(5, TODAY)
    rows[2][0] = "19580314-4212"
    write_csv(inbox / "lista-1.csv", rows)
    (inbox / "trasig.csv").write_bytes(b"\xef\xbb\xbf" + "Namn;Ort\nÅsa;Lund\n".encode("cp1252"))
    (inbox / "annat.pdf").write_bytes(b"%PDF")
    receipts = {r.file.name: r for r in run_inboxes(ctx, settle=0)}
    assert set(receipts) == {"lista-1.csv", "trasig.csv"}
    done = receipts["lista-1.csv"]
    assert done.imported and done.rejected == 1 and done.file == inbox / "klara" / "lista-1.csv"
    receipt = (inbox / "klara" / "lista-1.csv.kvitto.txt").read_text(encoding="utf-8-sig")
    assert "4 nya" in receipt and "Rad 4, kolumn ”Personnummer”: kontrollsiffran stämmer inte." in receipt
    assert (inbox / "klara" / "lista-1-avvisade.xlsx").is_file()
    failed = receipts["trasig.csv"]
    assert not failed.imported and failed.file == inbox / "misslyckade" / "trasig.csv"
    assert "ingenting importerades. Fil: filen har tecken som inte kan läsas (rad 2)" in \
        (inbox / "misslyckade" / "trasig.csv.kvitto.txt").read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["annat.pdf"]
    assert run_inboxes(ctx, settle=0) == []  # each file once
    # the same name again later: kept beside the first, not over it
    write_csv(inbox / "lista-1.csv", rows)
    [again] = run_inboxes(ctx, settle=0)
    assert again.file.parent == inbox / "klara" and again.file.name != "lista-1.csv"
    assert "0 nya" in again.text and (inbox / "klara" / "lista-1.csv.kvitto.txt").read_text(encoding="utf-8-sig")


def test_a_file_still_being_written_waits_for_the_next_run(ctx, tmp_path):
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    importer.save_mapping(ctx, "waiting-list", SOURCE, {}, inbox=str(inbox))
    write_csv(inbox / "lista.csv", waiting_rows(2, TODAY))
    assert run_inboxes(ctx) == []  # changed just now
    assert (inbox / "lista.csv").exists()


def test_the_command_line_runs_the_inboxes(tmp_path, capsys):
    import os
    import time

    from ui.cli import main

    db_path = tmp_path / "lotsen.sqlite"
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    base = ["import", "--db", str(db_path)]
    assert main([*base, "--kind", "waiting-list", "--mapping", SOURCE, "--set-inbox", str(inbox)]) == 0
    path = write_csv(inbox / "lista.csv", waiting_rows(3, TODAY))
    old = time.time() - 600
    os.utime(path, (old, old))
    capsys.readouterr()
    assert main([*base, "--inbox"]) == 0
    assert "3 nya" in capsys.readouterr().out and (inbox / "klara" / "lista.csv").is_file()
    assert main([*base, "--inbox"]) == 0 and "Inga nya filer" in capsys.readouterr().out
    assert main([*base, "--kind", "waiting-list"]) == 2
