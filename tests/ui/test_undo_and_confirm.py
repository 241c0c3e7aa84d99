"""Confirmations and taking back, clicked as a user: completing asks first, "Nej" keeps the form; the latest
entry is taken back and stays on the timeline as återtagen."""

from __future__ import annotations

from datetime import timedelta

from app.case_actions import CaseAction
from app.guarantee import State
from tests.conftest import TODAY
from tests.ui.helpers import answer_confirmation, fill, save_form, when_modal
from tests.ui.shots import shot
from tests.ui.test_case_window import open_window, state, trigger


def test_completing_asks_first_and_no_keeps_the_form(qtbot, ctx):
    window = open_window(qtbot, ctx)
    asked: list[str] = []
    errors: list[str] = []

    def on_form(form) -> None:
        fill(form, {"on": TODAY - timedelta(days=1), "where": "Ortopeden Lund"})
        answer_confirmation(yes=False, seen=asked)
        form.save()
        errors.append(form.error.text())
        answer_confirmation(yes=True, seen=asked)
        form.save()
    when_modal(on_form)
    trigger(window, CaseAction.COMPLETE)
    assert asked[0] == ("Klockan stannar och steget avslutas. Ett fel datum kan rättas efteråt med Rätta datum."
                        f"\n\nRegistrera första besök i specialiserad vård som genomfört "
                        f"{(TODAY - timedelta(days=1)).isoformat()}?")
    assert errors == ["Bekräftelse: inte sparat. Ändra uppgifterna eller spara igen och bekräfta."]
    assert state(window) is State.CLOSED
    assert window.actions_by_key[CaseAction.CORRECT_DATE].isEnabled()  # the completion date stays correctable


def test_take_back_the_latest_note(qtbot, ctx, tmp_path):
    window = open_window(qtbot, ctx)
    assert not window.actions_by_key[CaseAction.WITHDRAW].isEnabled()
    save_form({"text": "Ringde fel patient"})
    trigger(window, CaseAction.NOTE)
    assert window.actions_by_key[CaseAction.WITHDRAW].isEnabled()
    save_form({"reason": "Anteckningen gällde en annan patient"})
    trigger(window, CaseAction.WITHDRAW)
    row = [window.timeline.item(0, c).text() for c in range(3)]
    assert row[1] == "Återtagen registrering"
    assert row[2] == "Anteckning, återtagen: Anteckningen gällde en annan patient"
    assert not window.actions_by_key[CaseAction.WITHDRAW].isEnabled()
    shot(window, "case_withdrawn", tmp_path)
