"""An offer after the deadline, clicked as a user: the form asks, says what a "no" means, and saves only on "Ja"."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QMessageBox

from tests.conftest import TODAY
from tests.ui.helpers import fill, wait_for, when_modal
from tests.ui.shots import shot
from tests.ui.test_case_window import open_window, trigger


def offer_after_deadline(qtbot, window, press: QMessageBox.StandardButton, tmp_path, seen: list[str]) -> None:
    deadline = window.current_step().clock.deadline
    values = {"appointment": deadline + timedelta(days=7), "reply_by": TODAY + timedelta(days=10),
              "provider": "Capio Ortopedi"}

    def on_form(form) -> None:
        fill(form, values)

        def on_box(box: QMessageBox) -> None:
            seen.append(box.text())
            shot(box, "offer_confirm", tmp_path, size=None)
            box.button(press).click()
        when_modal(on_box, attempts=500, kind=QMessageBox)  # once the save off the UI thread has asked (10 s)
        form.save()
        wait_for(lambda: not form.saving)
        seen.append(form.error.text() if form.isVisible() else "")
        if form.isVisible():
            form.reject()
    when_modal(on_form)
    trigger(window, "offer")


def test_no_keeps_the_form_and_yes_saves_the_offer(qtbot, ctx, tmp_path):
    window = open_window(qtbot, ctx, days_ago=60)
    seen: list[str] = []
    offer_after_deadline(qtbot, window, QMessageBox.StandardButton.No, tmp_path, seen)
    assert len(seen) == 2, seen
    assert "ligger efter vårdgarantins tidsgräns" in seen[0] and "inte patientvald väntan" in seen[0]
    assert seen[0].endswith("Vill du spara erbjudandet ändå?")
    assert seen[1].startswith("Erbjudande: inte sparat.")
    assert all(e.kind != "offer" for e in window.view.timeline)

    seen.clear()
    offer_after_deadline(qtbot, window, QMessageBox.StandardButton.Yes, tmp_path, seen)
    assert len(seen) == 2 and seen[1] == "", seen  # asked, then the form closed: saved
    offer = next(e for e in window.view.timeline if e.kind == "offer")
    assert offer.details["confirmed"] is True and offer.appointment > window.current_step().clock.deadline
