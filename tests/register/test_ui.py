"""The register window, the care-elsewhere dialog and the import wizard, clicked as a user would."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app import cases, register
from tests.ui.helpers import wait_for
from tests.conftest import TODAY
from tests.importer.lists import waiting_rows, write_csv
from tests.register.conftest import capacity, contract, open_step, provider, unit
from ui.care_elsewhere_dialog import CareElsewhereDialog
from ui.import_wizard import ImportWizard
from ui.register_window import RegisterWindow

SHOTS = Path(os.environ.get("LOTSEN_SCREENSHOTS", "/tmp"))


def test_register_window_create_edit_and_history(qtbot, qtmodeltester, ctx):
    window = RegisterWindow(ctx)
    qtbot.addWidget(window)
    tab = window.pages[0]
    qtbot.keyClicks(tab.widgets["name"], "Ortopedi Syd AB")
    tab.widgets["region"].setCurrentIndex(tab.widgets["region"].findData("12"))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.status.text() == "Sparat." and tab.model.rowCount() == 1
    tab.table.selectRow(0)
    tab.widgets["name"].setText("Ortopedi Syd AB (Lund)")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.history.index(0, 2).data() == "Namn" and tab.history.index(0, 4).data() == "Ortopedi Syd AB (Lund)"
    tab.widgets["org_number"].setText("123")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.status.text().startswith("Inte sparat. Organisationsnummer:")
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.history)


def test_expiring_contracts_and_stale_capacity_say_so_in_words_and_colour(qtbot, qtmodeltester, ctx):
    pid = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    uid = unit(ctx, pid, "1", "Ortopeden Lund", "12", phone="046-17 10 00")
    contract(ctx, pid, "Höftleder", "12", valid_to=TODAY + timedelta(days=20))
    contract(ctx, pid, "Knän", "12", valid_to=TODAY + timedelta(days=400))
    capacity(ctx, uid, 30, TODAY - timedelta(days=60))
    window = RegisterWindow(ctx)
    qtbot.addWidget(window)
    contracts, capacities = window.pages[2], window.pages[3]
    texts = [contracts.model.index(r, 0).data() for r in range(2)]
    assert texts[0].startswith("Går ut inom 90 dagar") and texts[1] == "Gäller"
    assert contracts.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert contracts.model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert capacities.model.index(0, 0).data() == "Inaktuell: äldre än 6 veckor"
    contracts.table.selectRow(0)
    assert contracts.widgets["title"].text() == "Höftleder"
    qtmodeltester.check(contracts.model)
    window.show()
    for index, name in ((1, "register-enheter"), (2, "register-avtal")):
        window.tabs.setCurrentIndex(index)
        window.pages[index].table.selectRow(0)
        assert window.grab().save(str(SHOTS / f"{name}.png"))


def test_care_elsewhere_dialog_offers_and_records(qtbot, qtmodeltester, ctx):
    skane = provider(ctx, "Region Skåne", "12", True)
    syd = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    own = unit(ctx, skane, "1", "Ortopedkliniken Malmö", "12")
    fast = unit(ctx, syd, "2", "Ortopedi Syd Lund", "12", phone="046-12 34 56", address="Storgatan 1, Lund")
    unit(ctx, syd, "3", "Ortopedi Syd Ystad", "12")
    contract(ctx, syd, "Ortopedi 2026", "12", unit_id=fast)
    capacity(ctx, own, 80)
    capacity(ctx, fast, 14)
    opened = open_step(ctx)
    dialog = CareElsewhereDialog(ctx, opened.step_id)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    assert [dialog.model.index(r, 2).data() for r in range(3)] == ["Ortopedkliniken Malmö", "Ortopedi Syd Lund",
                                                                   "Ortopedi Syd Ystad"]
    assert dialog.model.index(2, 0).data() == "Ej möjlig"
    dialog.table.selectRow(2)
    assert not dialog.offer_button.isEnabled()
    dialog.table.selectRow(0)
    dialog.answer.setCurrentIndex(dialog.answer.findData("kan_inte"))
    qtbot.mouseClick(dialog.approach_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    dialog.table.selectRow(1)
    assert "Väntetid 14 dagar" in dialog.reasons.toPlainText()
    qtbot.keyClicks(dialog.appointment, (TODAY + timedelta(days=10)).isoformat())
    qtbot.mouseClick(dialog.offer_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    assert "sparat i ärendet" in dialog.status.text()
    assert [a.provider for a in register.approaches(ctx, opened.step_id)] == ["Ortopedi Syd AB", "Region Skåne"]
    assert dialog.approached.rowCount() == 2
    dialog.show()
    assert dialog.grab().save(str(SHOTS / "vard-annan-vardgivare.png"))



def test_care_elsewhere_dialog_says_when_someone_else_saved_the_case(qtbot, ctx, second, monkeypatch):
    from app import cases
    from ui import care_elsewhere_dialog

    syd = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    fast = unit(ctx, syd, "2", "Ortopedi Syd Lund", "12")
    contract(ctx, syd, "Ortopedi 2026", "12", unit_id=fast)
    opened = open_step(ctx)
    shown = cases.view_case(ctx, opened.case_id).version  # what the case window showed
    dialog = CareElsewhereDialog(ctx, opened.step_id, expected_version=shown)
    qtbot.addWidget(dialog)
    cases.add_note(second, opened.case_id, "Bo ringde patienten")  # while the dialog is open
    seen: list[str] = []
    monkeypatch.setattr(care_elsewhere_dialog, "show_error", lambda _parent, exc: seen.append(exc.message))
    dialog.table.selectRow(0)
    qtbot.keyClicks(dialog.appointment, (TODAY + timedelta(days=10)).isoformat())
    qtbot.mouseClick(dialog.offer_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    assert len(seen) == 1 and "ändrats av någon annan" in seen[0]  # the case window's message
    assert "Inget sparades" in dialog.status.text()
    assert register.approaches(ctx, opened.step_id) == [] and dialog.selected().unit.name == "Ortopedi Syd Lund"
    qtbot.mouseClick(dialog.offer_button, Qt.MouseButton.LeftButton)  # now on what is saved now
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    assert seen == [seen[0]] and "sparat i ärendet" in dialog.status.text()
    assert [e.kind for e in cases.view_case(ctx, opened.case_id).timeline] == ["start", "note", "offer", "note"]

def test_import_wizard_walks_through_and_imports(qtbot, qtmodeltester, ctx, tmp_path):
    rows = waiting_rows(12, TODAY)
    rows[2][10] = "i förrgår"  # a treatment row: its decision is its start
    path = write_csv(tmp_path / "lista.csv", rows, encoding="cp1252")
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    wizard.file_page.source.setEditText("Ortopeden SUS")
    wizard.next()
    assert wizard.currentPage() is wizard.map_page
    assert wizard.map_page.boxes["referral_on"].currentText() == "Remissdatum"
    assert wizard.map_page.boxes["decision_on"].currentText() == "Beslutsdatum"
    assert wizard.grab().save(str(SHOTS / "import-kolumner.png"))
    wizard.next()
    model = wizard.preview_page.model
    qtmodeltester.check(model)
    assert model.index(2, 1).data().startswith("Rad 4, kolumn ”Beslutsdatum”")
    assert model.index(0, 1).data() == "OK"
    assert wizard.grab().save(str(SHOTS / "import-forhandsgranskning.png"))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.done)  # the import runs off the UI thread
    assert "11 nya" in wizard.result_page.summary.text() and wizard.result_page.open_button.isVisibleTo(wizard)
    assert (tmp_path / "lista-avvisade.xlsx").exists()
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()


def test_import_wizard_refuses_a_bad_file(qtbot, ctx, tmp_path):
    (tmp_path / "tom.csv").write_text("")
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(tmp_path / "tom.csv"))
    wizard.file_page.source.setEditText("X")
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert wizard.file_page.error.text() == "Fil: filen är tom."


def test_care_elsewhere_offer_after_the_deadline_asks_first(qtbot, ctx):
    from tests.ui.helpers import answer_confirmation

    syd = provider(ctx, "Ortopedi Syd AB", "12", False, "556677889")
    fast = unit(ctx, syd, "2", "Ortopedi Syd Lund", "12", address="Storgatan 1, Lund")
    contract(ctx, syd, "Ortopedi 2026", "12", unit_id=fast)
    capacity(ctx, fast, 14)
    opened = open_step(ctx)
    dialog = CareElsewhereDialog(ctx, opened.step_id)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    deadline = cases.step_clock(ctx, opened.step_id).deadline
    dialog.appointment.setText((deadline + timedelta(days=5)).isoformat())
    asked: list[str] = []
    answer_confirmation(yes=False, seen=asked)
    qtbot.mouseClick(dialog.offer_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    assert "ligger efter vårdgarantins tidsgräns" in asked[0]
    assert dialog.status.text().startswith("Inget erbjudande sparades. Erbjudande: inte sparat.")
    answer_confirmation(yes=True, seen=asked)
    qtbot.mouseClick(dialog.offer_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    assert "sparat i ärendet" in dialog.status.text()
