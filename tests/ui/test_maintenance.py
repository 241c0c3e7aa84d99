"""Patients and cases maintained, clicked as a user: the patient's details and history, the patient's other
cases, the next step, reopening with a reason, and the archive of closed cases."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import cases
from app.case_actions import CaseAction
from tests.conftest import TODAY
from tests.ui.helpers import save_form, settled, when_modal
from tests.ui.shots import shot
from tests.ui.test_case_window import PNR, open_window, trigger
from ui.archive_dialog import ArchiveDialog
from ui.case_window import CaseWindow
from ui.patient_dialog import PatientDialog


def test_correct_the_address_and_see_it_on_the_history(qtbot, ctx, tmp_path):
    window = open_window(qtbot, ctx)
    other = cases.open_case(ctx, cases.NewPatient(PNR, "Märta Ek", "12"),
                            cases.NewCase("SV_FORSTA_BESOK", TODAY - timedelta(days=3), "511"))
    chosen: list[int] = []
    window.open_other.connect(chosen.append)
    seen: list[object] = []

    def edit(dialog: PatientDialog) -> None:
        assert dialog.cases.rowCount() == 2
        dialog.street.setText("Nygatan 5")
        dialog.postal_code.setText("21135")
        dialog.city.setText("Malmö")
        dialog.language.setCurrentIndex(dialog.language.findData("en"))
        dialog.representative_kind.setCurrentIndex(dialog.representative_kind.findData("vardnadshavare"))
        settled(dialog).save()  # the name is missing: the form says so and keeps what was typed
        settled(dialog)  # saved off the UI thread
        seen.append(dialog.error.text())
        dialog.representative_name.setText("Per Ek")
        dialog.save()
        settled(dialog)
        seen.append(dialog.error.isVisible())
        seen.append([dialog.history.item(r, 2).text() for r in range(dialog.history.rowCount())])
        shot(dialog, "patient_dialog", tmp_path)
        row = next(r for r in range(dialog.cases.rowCount())
                   if dialog.cases.item(r, 0).data(Qt.ItemDataRole.UserRole) == other.case_id)
        dialog.cases.setCurrentCell(row, 0)
        dialog.cases.itemActivated.emit(dialog.cases.item(row, 0))
    when_modal(edit)
    trigger(window, CaseAction.PATIENT)
    assert seen[0] == "Företrädarens namn: fyll i namnet på vårdnadshavare."
    assert seen[1] is False
    assert sorted(seen[2]) == sorted(["Gatuadress", "Postnummer", "Ort", "Språk i brev", "Företrädare",
                                      "Företrädarens namn"])
    assert window.view.address == "Nygatan 5, 211 35 Malmö" and window.view.language == "en"
    assert chosen == [other.case_id]  # the main window opens it


def test_next_step_reopen_and_find_in_the_archive(qtbot, ctx, tmp_path):
    window = open_window(qtbot, ctx)
    assert not window.actions_by_key[CaseAction.NEXT_STEP].isEnabled()
    assert "redan ett öppet steg" in window.actions_by_key[CaseAction.NEXT_STEP].toolTip()
    save_form({"on": TODAY - timedelta(days=2), "where": "Ortopeden Lund"})
    trigger(window, CaseAction.COMPLETE)
    save_form({"code": "SV_BEHANDLING", "on": TODAY - timedelta(days=1)})
    trigger(window, CaseAction.NEXT_STEP)
    assert [s.code for s in window.view.steps] == ["SV_FORSTA_BESOK", "SV_BEHANDLING"]
    assert window.steps.currentIndex() == 1 and window.current_step().clock.deadline == TODAY + timedelta(days=89)

    save_form({"on": TODAY, "reason": "behov_upphort"})
    trigger(window, CaseAction.CLOSE)
    assert window.view.closed_on == TODAY
    assert not window.actions_by_key[CaseAction.OFFER].isEnabled()

    archive = ArchiveDialog(ctx)
    qtbot.addWidget(archive)
    opened: list[CaseWindow] = []
    archive.open_case.connect(lambda case_id: opened.append(CaseWindow(ctx, case_id)))  # as the main window does
    archive.text.setText("ek märta")
    qtbot.keyClick(archive.text, Qt.Key.Key_Return)
    assert archive.table.rowCount() == 1 and archive.table.item(0, 1).text() == "Märta Ek"
    shot(archive, "archive_dialog", tmp_path)
    qtbot.keyClick(archive.table, Qt.Key.Key_Return)
    reopened_window = settled(opened[0])
    qtbot.addWidget(reopened_window)
    assert reopened_window.case_id == window.case_id

    save_form({"reason": "Ny remiss från vårdcentralen"})
    trigger(reopened_window, CaseAction.REOPEN)
    assert reopened_window.view.closed_on is None
    assert reopened_window.timeline.item(0, 1).text() == "Ärendet öppnat igen"
    assert "Ny remiss från vårdcentralen" in reopened_window.timeline.item(0, 2).text()
    assert reopened_window.actions_by_key[CaseAction.NEXT_STEP].isEnabled()
    shot(reopened_window, "case_reopened", tmp_path)


def test_the_archive_names_a_bad_date(qtbot, ctx):
    archive = ArchiveDialog(ctx)
    qtbot.addWidget(archive)
    archive.closed_from.edit.setText("2026-13-01")
    qtbot.mouseClick(archive.search_button, Qt.MouseButton.LeftButton)
    assert archive.status.text().startswith("Avslutat från: ”2026-13-01” är inte ett datum.")
    assert QApplication.activeModalWidget() is None
