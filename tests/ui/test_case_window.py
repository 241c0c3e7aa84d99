"""A case worker's day, clicked through the real windows on a real database file."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from app import cases
from app.guarantee import Answer, State
from app.identity import make_personnummer
from tests.conftest import TODAY
from tests.ui.helpers import answer_message, save_form, settled, when_modal
from ui.case_window import CaseWindow
from ui.main_window import MainWindow
from ui.new_case_dialog import NewCaseDialog

START = TODAY - timedelta(days=40)
PNR = make_personnummer(date(1961, 4, 9), 377)


def open_window(qtbot, ctx, days_ago: int = 40) -> CaseWindow:
    opened = cases.open_case(ctx, cases.NewPatient(PNR, "Märta Ek", "12"),
                             cases.NewCase("SV_FORSTA_BESOK", TODAY - timedelta(days=days_ago), "311"))
    window = CaseWindow(ctx, opened.case_id)
    qtbot.addWidget(window)
    return settled(window)


def trigger(window: CaseWindow, key: str) -> None:
    assert window.actions_by_key[key].isEnabled(), key
    window.actions_by_key[key].trigger()
    settled(window)  # the save ran off the UI thread; the window reads the case again


def state(window: CaseWindow) -> State:
    return window.current_step().clock.state


def test_create_a_case_from_the_dialog(qtbot, ctx):
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    errors: list[str] = []
    # First a wrong check digit: the dialog stays open and says what is wrong.
    save_form({"id_number": PNR[:-1] + str((int(PNR[-1]) + 1) % 10), "name": "Märta Ek", "specialty": "311",
               "started_on": START},
              then=lambda d: (errors.append(d.error.text()), save_form_retry(d)))
    main.menu_actions["new_case"].trigger()
    assert errors == ["Personnummer: kontrollsiffran stämmer inte."]
    qtbot.waitUntil(lambda: main.model.rowCount() == 1)
    assert main.model.index(0, 1).data() == "Märta Ek"
    assert main.model.index(0, 3).data() == "Första besök"
    assert len(main.case_windows) == 1  # the new case opened


def save_form_retry(dialog) -> None:
    dialog.widgets["id_number"].setText(PNR)
    dialog.save()


def test_make_an_offer(qtbot, ctx):
    window = open_window(qtbot, ctx)
    save_form({"appointment": TODAY + timedelta(days=20), "reply_by": TODAY + timedelta(days=5),
               "provider": "Capio Ortopedi", "unit": "Mottagning 3", "address": "Storgatan 3, Lund"})
    trigger(window, "offer")
    kinds = [window.timeline.item(r, 1).text() for r in range(window.timeline.rowCount())]
    assert kinds[0] == "Erbjudande"
    assert "Capio Ortopedi" in window.timeline.item(0, 2).text()


def test_an_offer_without_a_date_is_refused_in_the_dialog(qtbot, ctx):
    window = open_window(qtbot, ctx)
    seen: list[str] = []
    save_form({"appointment": None, "provider": "Capio"},
              then=lambda d: (seen.append(d.error.text()), d.reject()))
    trigger(window, "offer")
    assert seen == ["Erbjuden tid: ange datum för den erbjudna tiden."]
    assert all(window.timeline.item(r, 1).text() != "Erbjudande" for r in range(window.timeline.rowCount()))


def offer_and_decline(qtbot, window: CaseWindow, seen: list[str]) -> None:
    save_form({"on": TODAY - timedelta(days=3), "appointment": TODAY + timedelta(days=10), "provider": "Capio"})
    trigger(window, "offer")
    save_form({"answer": Answer.DECLINED.value, "pvv": True, "on": TODAY - timedelta(days=1)},
              then=lambda _d: answer_message(seen))
    trigger(window, "answer")


def test_decline_without_information_is_not_pvv_and_says_why(qtbot, ctx):
    window = open_window(qtbot, ctx)
    seen: list[str] = []
    offer_and_decline(qtbot, window, seen)
    assert len(seen) == 1 and "informerats om vårdgarantin" in seen[0] and "Svaret är sparat" in seen[0]
    assert state(window) is State.OK


def test_inform_offer_decline_gives_pvv_then_restart_and_complete(qtbot, ctx):
    window = open_window(qtbot, ctx)
    save_form({"on": TODAY - timedelta(days=10), "how": "Telefon"})
    trigger(window, "informed")
    seen: list[str] = []
    offer_and_decline(qtbot, window, seen)
    assert "patientvald väntan är registrerad" in seen[0]
    assert state(window) is State.PVV
    assert "Patientvald väntan" in window.steps.tabText(0)
    assert window.actions_by_key["restart"].isEnabled()

    save_form({"on": TODAY})
    trigger(window, "restart")
    clock = window.current_step().clock
    assert (clock.state, clock.start, clock.deadline) == (State.OK, TODAY, TODAY + timedelta(days=90))

    save_form({"on": TODAY, "where": "Capio Ortopedi"})
    trigger(window, "complete")
    assert state(window) is State.CLOSED and window.current_step().clock.met is True
    assert not window.actions_by_key["offer"].isEnabled()


def test_keyboard_shortcuts_reach_the_actions(qtbot, ctx):
    window = open_window(qtbot, ctx)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    opened: list[str] = []
    when_modal(lambda dialog: (opened.append(dialog.windowTitle()), dialog.reject()))
    qtbot.keyClick(window.timeline, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert opened == ["Registrera kontakt"]


def test_new_case_dialog_names_a_duplicate(qtbot, ctx):
    open_window(qtbot, ctx)
    dialog = NewCaseDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.widgets["id_number"].setText(PNR)
    dialog.widgets["name"].setText("Märta Ek")
    dialog.widgets["specialty"].setCurrentIndex(dialog.widgets["specialty"].findData("311"))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.runner.idle)  # the new case is saved off the UI thread
    assert dialog.error.text().startswith("Steg: patienten har redan ett öppet ärende")
    assert dialog.opened is None


def test_record_the_patients_preferences(qtbot, ctx):
    window = open_window(qtbot, ctx)
    errors: list[str] = []
    save_form({"unavailable": "2026-12-20 – 2027-01-06", "max_travel": "fem mil", "interpreter": True,
               "language": "somaliska", "contact_by": "brev"},
              then=lambda d: (errors.append(d.error.text()), d.widgets["max_travel"].setText("50"), d.save()))
    trigger(window, "preferences")
    assert errors == ["Längsta resväg (km): fem mil är inte ett antal kilometer; skriv till exempel 50."]
    texts = [w.text() for w in window.case_box.findChildren(QLabel) if w.accessibleName() == "Patientens önskemål"]
    assert texts == ["Kan inte: 2026-12-20 – 2027-01-06; Reser högst 50 km; Behöver tolk (somaliska); Vill helst kontaktas per brev"]
