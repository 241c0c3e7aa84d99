"""The inbox in the windows: its folder set in the import wizard's source settings and remembered with the
source; Verktyg → Läs in inkorgar nu runs every inbox off the UI thread and says what happened in the status
bar; the list's patients are then in the worklist."""

from __future__ import annotations

import os
import time
from datetime import datetime

from app import importer
from app.importer.inbox import Receipt, run_inboxes, summary
from tests.conftest import TODAY
from tests.importer.lists import waiting_rows, write_csv
from tests.ui.shots import shot
from ui.import_wizard import ImportWizard
from ui.main_window import MainWindow

SOURCE = "Ortopeden SUS"


def test_the_wizard_sets_and_shows_the_sources_inbox(qtbot, ctx, tmp_path):
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(write_csv(tmp_path / "v1.csv", waiting_rows(3, TODAY))))
    wizard.file_page.source.setEditText(SOURCE)
    assert wizard.file_page.inbox.text() == ""
    wizard.file_page.inbox.setText(str(inbox))
    shot(wizard, "import_wizard_inbox", tmp_path)
    wizard.next()
    wizard.next()
    wizard.next()
    assert importer.inbox_of(ctx, "waiting-list", SOURCE) == str(inbox)
    # the next time the folder comes with the source
    again = ImportWizard(ctx)
    qtbot.addWidget(again)
    again.file_page.source.setEditText(SOURCE)
    assert again.file_page.inbox.text() == str(inbox)
    again.file_page.source.setEditText("En annan klinik")
    assert again.file_page.inbox.text() == ""


def test_read_the_inboxes_now_from_the_main_window(qtbot, ctx, tmp_path):
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    importer.save_mapping(ctx, "waiting-list", SOURCE, {}, inbox=str(inbox))
    rows = waiting_rows(4, TODAY)
    path = write_csv(inbox / "lista.csv", rows)
    settled = time.time() - 3600  # written an hour ago: the EHR is done with it
    os.utime(path, (settled, settled))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.runner.wait()
    window.menu_actions["inboxes"].trigger()
    qtbot.waitUntil(lambda: window.inbox_status.text().startswith("Inkorgar "), timeout=20_000)
    assert window.inbox_status.text().endswith(": 1 lista inläst.")
    assert "4 nya" in window.inbox_status.toolTip()
    assert (inbox / "klara" / "lista.csv").is_file()
    window.runner.wait()
    qtbot.waitUntil(lambda: window.model.rowCount() == 4)
    window.runner.wait()
    qtbot.waitUntil(lambda: any(b.text() == "Överskridna: 2" for b in window.summary.buttons))
    shot(window, "main_window_inbox", tmp_path)
    window.menu_actions["inboxes"].trigger()  # nothing new now
    qtbot.waitUntil(lambda: window.inbox_status.text().endswith("inga nya filer."), timeout=20_000)
    assert run_inboxes(ctx, settle=0) == []


def test_the_summary_line_counts_lists_rejected_rows_and_failures(tmp_path):
    at = datetime(2026, 12, 2, 7, 5)
    ok = Receipt("A", tmp_path / "a.csv", "A: 3 nya", True, rejected=2)
    bad = Receipt("B", tmp_path / "b.csv", "B: ingenting importerades", False)
    assert summary([], at) == "Inkorgar 07:05: inga nya filer."
    assert summary([ok, ok, bad], at) == ("Inkorgar 07:05: 2 listor inlästa, 4 rader avvisade, 1 misslyckades "
                                          "(se kvittot i mappen misslyckade).")
