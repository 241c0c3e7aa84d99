"""Hitta vård with an empty or incomplete register, clicked as a case worker: the dialog says why nothing
matches; a phoned provider is recorded and added to the register, and shows in every open register tab."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from app import register
from tests.ui.helpers import wait_for
from tests.conftest import TODAY
from tests.register.conftest import capacity, open_step, provider, unit
from ui.care_elsewhere_dialog import CareElsewhereDialog
from ui.register_window import RegisterWindow

SHOTS = Path(os.environ.get("LOTSEN_SCREENSHOTS", "/tmp"))


def open_dialog(qtbot, ctx, step_id: int) -> CareElsewhereDialog:
    dialog = CareElsewhereDialog(ctx, step_id)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_into(qtbot, field, text: str) -> None:
    field.clear()
    field.insert(text)  # QTest types ASCII only; insert() is typing for å, ä, ö


def test_empty_register_phone_a_provider_and_add_it(qtbot, ctx):
    opened = open_step(ctx)
    window = RegisterWindow(ctx)  # open beside the dialog, as it would be
    qtbot.addWidget(window)
    window.show()
    dialog = open_dialog(qtbot, ctx, opened.step_id)
    assert dialog.hints.isVisible()
    assert "Registret har ingen enhet med verksamhetsområdet" in dialog.hints.text()
    assert "Ring vårdgivare" in dialog.hints.text()
    assert dialog.side.currentIndex() == 1 and dialog.add_to_register.isChecked()
    assert dialog.grab().save(str(SHOTS / "hitta-vard-tomt-register-1366x768.png"))

    type_into(qtbot, dialog.phoned_provider, "Ortopedkliniken Norr AB")
    type_into(qtbot, dialog.phoned_unit, "Ortopedmottagningen Norr")
    qtbot.keyClicks(dialog.phoned_phone, "040-12 34 56")
    dialog.phoned_answer.setCurrentIndex(dialog.phoned_answer.findData("kan_ta_emot"))
    qtbot.keyClicks(dialog.phoned_hsa, "2321000016")
    qtbot.mouseClick(dialog.phoned_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    assert dialog.status.text().startswith("Inte sparat. HSA-id:")
    assert dialog.phoned_provider.text() == "Ortopedkliniken Norr AB"  # the typing is kept to be corrected
    assert register.approaches(ctx, opened.step_id) == []

    type_into(qtbot, dialog.phoned_hsa, "SE2321000016-9ABC")
    qtbot.mouseClick(dialog.phoned_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    assert "finns nu i registret" in dialog.status.text()
    assert dialog.approached.rowCount() == 1
    assert dialog.approached_view.model().index(0, 1).data() == "Ortopedkliniken Norr AB"
    assert dialog.model.rowCount() == 1 and dialog.selected().unit.name == "Ortopedmottagningen Norr"
    assert dialog.selected().unit.phone == "040-12 34 56"
    assert "Registret har ingen enhet" not in dialog.hints.text()  # now: its wait is not known

    # Every register tab shows it at once: the lists, and the provider to choose for a unit or a contract.
    providers, units, contracts = window.pages[0], window.pages[1], window.pages[2]
    assert [providers.model.index(r, 0).data() for r in range(providers.model.rowCount())] == \
        ["Ortopedkliniken Norr AB"]
    assert [units.model.index(r, 0).data() for r in range(units.model.rowCount())] == ["Ortopedmottagningen Norr"]
    for page in (units, contracts):
        combo = page.widgets["provider_id"]
        assert [combo.itemText(i) for i in range(combo.count())] == ["Ortopedkliniken Norr AB"]


def test_stale_capacity_says_phone_and_ask(qtbot, ctx):
    skane = provider(ctx, "Region Skåne", "12", True)
    capacity(ctx, unit(ctx, skane, "1", "Ortopeden Lund", "12", phone="046-17 10 00"), 20,
             TODAY - timedelta(days=60))
    capacity(ctx, unit(ctx, skane, "2", "Ortopeden Malmö", "12"), 120)
    dialog = open_dialog(qtbot, ctx, open_step(ctx).step_id)
    text = dialog.hints.text()
    assert "Ingen vårdgivare i registret hinner i tid" in text
    assert "väntetiden är äldre än 6 veckor" in text and "Ring enheterna" in text
    assert "längre väntetid än de 50 dagar" in text
    assert dialog.side.currentIndex() == 0  # units to phone are listed: the chosen one's form first
    assert dialog.grab().save(str(SHOTS / "hitta-vard-inaktuell-1366x768.png"))


def test_no_hints_when_a_unit_fits(qtbot, ctx):
    capacity(ctx, unit(ctx, provider(ctx, "Region Skåne", "12", True), "1", "Ortopeden Lund", "12"), 20)
    dialog = open_dialog(qtbot, ctx, open_step(ctx).step_id)
    assert not dialog.hints.isVisible()


def test_record_a_call_without_adding_to_the_register(qtbot, ctx):
    opened = open_step(ctx)
    dialog = open_dialog(qtbot, ctx, opened.step_id)
    dialog.add_to_register.setChecked(False)
    assert not dialog.phoned_hsa.isVisible()
    type_into(qtbot, dialog.phoned_provider, "Dr Bengtssons mottagning")
    qtbot.keyClicks(dialog.phoned_phone, "0411-55 55 55")
    dialog.phoned_answer.setCurrentIndex(dialog.phoned_answer.findData("aterkommer"))
    qtbot.mouseClick(dialog.phoned_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: dialog.runner.idle)  # saved off the UI thread
    assert dialog.status.text() == "Kontakten med Dr Bengtssons mottagning är sparad i ärendet."
    [approach] = register.approaches(ctx, opened.step_id)
    assert (approach.provider, approach.answer, approach.note) == (
        "Dr Bengtssons mottagning", "Återkommer med besked", "Telefon 0411-55 55 55.")
    assert register.list_providers(ctx) == []


def test_without_the_right_to_change_the_register_the_box_says_why(qtbot, ctx):
    opened = open_step(ctx)
    dialog = open_dialog(qtbot, replace(ctx, role="granskare"), opened.step_id)
    assert not dialog.add_to_register.isEnabled() and not dialog.add_to_register.isChecked()
    assert "Bara den som får ändra registret" in dialog.add_to_register.toolTip()
    assert not dialog.phoned_hsa.isVisible()


def test_the_new_unit_is_in_the_own_region_unless_changed(qtbot, ctx):
    dialog = open_dialog(qtbot, ctx, open_step(ctx).step_id)
    assert dialog.phoned_region.currentData() == "12"  # the test database's own region: Skåne


def test_a_provider_saved_in_one_register_tab_is_a_choice_in_the_others_at_once(qtbot, ctx):
    window = RegisterWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    providers, units = window.pages[0], window.pages[1]
    window.tabs.setCurrentIndex(1)
    window.tabs.setCurrentIndex(0)
    type_into(qtbot, providers.widgets["name"], "Ortopedi Syd AB")
    qtbot.mouseClick(providers.save_button, Qt.MouseButton.LeftButton)
    combo = units.widgets["provider_id"]
    assert [combo.itemText(i) for i in range(combo.count())] == ["Ortopedi Syd AB"]
    window.close()  # a closed window is no longer told
    register.save_provider(ctx, register.ProviderData("Region Skåne", "12", True))
    from ui.register_window import register_news
    register_news().changed.emit()
    assert combo.count() == 1
