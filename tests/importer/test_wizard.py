"""The import wizard with a clinic's whole list: the setting is remembered per source, the map page shows which
date starts which step, and the result says how many steps are missing from the list."""

from __future__ import annotations

import os
from pathlib import Path

from app import importer
from app.importer import reconcile
from tests.conftest import TODAY
from tests.importer.lists import HEADINGS, waiting_rows, write_csv
from ui.import_wizard import ImportWizard

SHOTS = Path(os.environ.get("LOTSEN_SCREENSHOTS", "/tmp"))


def walk(qtbot, ctx, path: Path, whole: bool | None) -> ImportWizard:
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    wizard.file_page.source.setEditText("Ortopeden SUS")
    if whole is not None:
        wizard.file_page.whole_list.setChecked(whole)
    return wizard


def test_a_whole_list_through_the_wizard(qtbot, ctx, tmp_path):
    rows = waiting_rows(8, TODAY)
    wizard = walk(qtbot, ctx, write_csv(tmp_path / "v1.csv", rows), whole=True)
    assert wizard.file_page.whole_list.isVisible()
    assert wizard.grab().save(str(SHOTS / "import-fil.png"))
    wizard.next()
    assert "Operation/åtgärd, BUP utredning, BUP behandling, Återbesök: <b>Beslutsdatum</b>" in \
        wizard.map_page.starts.text()
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.done)  # the import runs off the UI thread
    assert "8 nya" in wizard.result_page.summary.text()
    assert importer.is_whole_list(ctx, "waiting-list", "Ortopeden SUS")
    # the next time the setting comes with the source
    wizard = walk(qtbot, ctx, write_csv(tmp_path / "v2.csv", rows[:5]), whole=None)
    assert wizard.file_page.whole_list.isChecked()
    wizard.next()
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.done)
    text = wizard.result_page.summary.text()
    assert "5 oförändrade" in text and "3 öppna steg saknas i listan" in text
    assert wizard.grab().save(str(SHOTS / "import-resultat.png"))
    assert len(reconcile.review_list(ctx)) == 3
    # another kind of list has no such setting
    wizard.file_page.kind.setCurrentIndex(1)
    assert not wizard.file_page.whole_list.isVisibleTo(wizard)


def test_the_review_dialog_closes_and_keeps(qtbot, qtmodeltester, ctx, tmp_path):
    from PySide6.QtCore import Qt

    from app import cases
    from ui.list_review_dialog import ListReviewDialog

    rows = waiting_rows(5, TODAY)
    columns = importer.guess_columns("waiting-list", HEADINGS)
    for name, part in (("v1.csv", rows), ("v2.csv", rows[:2])):
        importer.import_file(ctx, "waiting-list", write_csv(tmp_path / name, part), columns, "Ortopeden SUS",
                             whole_list=True)
    dialog = ListReviewDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 3
    assert dialog.grab().save(str(SHOTS / "saknas-i-listan.png"))
    first = dialog.model.row_at(0)
    dialog.reason.setCurrentIndex(dialog.reason.findData(reconcile.KEEP))
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.runner.idle)  # each decision is saved off the UI thread
    assert dialog.status.text() == "Anteckning: skriv varför steget behålls."
    assert dialog.model.rowCount() == 3  # nothing saved
    dialog.note.setText("Kliniken har tappat remissen.")
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.runner.idle)
    assert dialog.status.text().endswith("behåll steget. Sparat i ärendet.") and dialog.model.rowCount() == 2
    dialog.reason.setCurrentIndex(dialog.reason.findData("genomford"))
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.runner.idle)
    assert dialog.model.rowCount() == 1
    assert cases.view_case(ctx, first.case_id).timeline[-1].kind == "note"


def test_the_summary_opens_the_review_list_and_the_late_bookings_in_the_worklist(qtbot, ctx, tmp_path):
    from PySide6.QtCore import Qt

    from tests.ui.helpers import main_window

    rows = waiting_rows(6, TODAY)
    columns = importer.guess_columns("waiting-list", HEADINGS)
    for name, part in (("v1.csv", rows), ("v2.csv", rows[:4])):
        importer.import_file(ctx, "waiting-list", write_csv(tmp_path / name, part), columns, "Ortopeden SUS",
                             whole_list=True)
    window = main_window(qtbot, ctx, 6)
    button = next(b for b in window.summary.buttons if b.text().startswith("Saknas i senaste listan"))
    assert "2" in button.text()
    assert window.grab().save(str(SHOTS / "huvudfonster-saknas.png"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    window.runner.wait()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    names = {window.model.index(r, 1).data() for r in range(2)}
    assert names == {rows[4][1], rows[5][1]}
