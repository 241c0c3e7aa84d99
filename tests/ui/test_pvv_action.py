"""PvV as its own action in the case window: disabled with the missing condition as its tooltip, enabled once
the three conditions are on record, and registered from the decline's date."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QLabel

from app.case_actions import CaseAction
from app.guarantee import Answer, State
from tests.conftest import TODAY
from tests.ui.helpers import answer_message, save_form, settled
from tests.ui.shots import shot
from tests.ui.test_case_window import open_window, state, trigger


def test_pvv_registered_later_when_the_information_is_recorded(qtbot, ctx, tmp_path):
    window = open_window(qtbot, ctx)
    pvv = window.actions_by_key[CaseAction.PVV]
    assert not pvv.isEnabled() and "informerats om vårdgarantin" in pvv.toolTip()

    save_form({"on": TODAY - timedelta(days=3), "appointment": TODAY + timedelta(days=10), "provider": "Capio"})
    trigger(window, "offer")
    seen: list[str] = []
    save_form({"answer": Answer.DECLINED.value, "pvv": True, "on": TODAY - timedelta(days=1)},
              then=lambda _d: answer_message(seen))
    trigger(window, "answer")
    assert "Svaret är sparat" in seen[0] and "knappen Patientvald väntan" in seen[0]
    assert state(window) is State.OK
    assert not pvv.isEnabled()
    assert pvv.toolTip().endswith("det finns ingen uppgift om att patienten har informerats om vårdgarantin.")
    assert "erbjudits" not in pvv.toolTip()
    assert not window.actions_by_key[CaseAction.ANSWER].isEnabled()
    assert any("informerats om vårdgarantin" in w.text() for w in window.steps.currentWidget().findChildren(QLabel))
    shot(window, "case_pvv_disabled", tmp_path)

    # The patient was told about the guarantee on the phone before the offer; it is recorded afterwards.
    save_form({"on": TODAY - timedelta(days=5), "how": "Telefon"})
    trigger(window, "informed")
    assert pvv.isEnabled() and pvv.toolTip() == "Patientvald väntan (Ctrl+Shift+V)"

    opened: list[object] = []
    save_form({}, then=lambda d: opened.append(d.values()["on"]))
    trigger(window, "pvv")
    assert opened == [TODAY - timedelta(days=1)]  # from the decline, as the law counts it
    clock = window.current_step().clock
    assert (clock.state, clock.pvv_since) == (State.PVV, TODAY - timedelta(days=1))
    assert window.actions_by_key[CaseAction.RESTART].isEnabled()
    assert not pvv.isEnabled() and "redan patientvald" in pvv.toolTip()
    shot(window, "case_pvv_registered", tmp_path)


def test_a_step_without_pause_kinds_says_so_on_the_button(qtbot, ctx):
    from app import cases
    from tests.ui.test_case_window import PNR
    from ui.case_window import CaseWindow

    opened = cases.open_case(ctx, cases.NewPatient(PNR, "Märta Ek", "12"),
                             cases.NewCase("PV_KONTAKT", TODAY, "311"))
    window = CaseWindow(ctx, opened.case_id)
    qtbot.addWidget(window)
    settled(window)
    pause = window.actions_by_key[CaseAction.PAUSE_START]
    assert not pause.isEnabled() and pause.toolTip().endswith("Det här steget kan inte pausas.")
