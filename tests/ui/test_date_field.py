"""Date entry as a case worker types it: optional dates start empty, ÅÅÅÅ-MM-DD in one field, the calendar opens
at today (or the date shown), and Tab goes on to the next field."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt

from tests.conftest import TODAY
from tests.ui.shots import shot
from ui.dates import DateField
from ui.forms import Field, FormDialog


def offer_form(qtbot, saved: list) -> FormDialog:
    dialog = FormDialog(None, "Erbjud vård", [
        Field("on", "Erbjudet den", "date", TODAY),
        Field("appointment", "Erbjuden tid", "optional_date"),
        Field("provider", "Vårdgivare"),
    ], saved.append, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    return dialog


def test_optional_dates_start_empty_and_are_typed_in_one_field(qtbot):
    saved: list = []
    dialog = offer_form(qtbot, saved)
    appointment: DateField = dialog.widgets["appointment"]
    assert appointment.text() == "" and appointment.edit.placeholderText() == "ÅÅÅÅ-MM-DD"
    assert dialog.widgets["on"].text() == TODAY.isoformat()
    appointment.edit.setFocus()
    qtbot.keyClicks(appointment.edit, "2026-12-24")
    dialog.widgets["provider"].setText("Capio")
    dialog.save()
    assert saved == [{"on": TODAY, "appointment": date(2026, 12, 24), "provider": "Capio"}]


def test_a_bad_or_missing_date_is_named_and_nothing_is_lost(qtbot):
    saved: list = []
    dialog = offer_form(qtbot, saved)
    dialog.widgets["appointment"].edit.setText("2026-02-30")
    dialog.save()
    assert dialog.error.text() == ("Erbjuden tid: ”2026-02-30” är inte ett datum. Skriv det som ÅÅÅÅ-MM-DD, "
                                   "till exempel 2026-11-22.")
    assert dialog.widgets["appointment"].text() == "2026-02-30" and not saved
    dialog.widgets["appointment"].edit.clear()
    dialog.widgets["on"].edit.clear()
    dialog.save()
    assert dialog.error.text() == "Erbjudet den: fyll i ett datum som ÅÅÅÅ-MM-DD." and not saved


def test_the_calendar_opens_at_today_and_picks_a_date(qtbot, tmp_path):
    saved: list = []
    dialog = offer_form(qtbot, saved)
    field: DateField = dialog.widgets["appointment"]
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert field.calendar is not None and field.calendar.selectedDate() == QDate(2026, 11, 22)
    shot(dialog, "date_field_calendar", tmp_path, size=None)
    field.calendar.activated.emit(QDate(2026, 12, 3))
    assert field.value() == date(2026, 12, 3)
    field.open_calendar()  # now it opens at the date shown
    assert field.calendar.selectedDate() == QDate(2026, 12, 3)
    field.calendar.activated.emit(QDate(2026, 12, 3))


def test_tab_leaves_the_date_for_the_next_field(qtbot):
    dialog = offer_form(qtbot, [])
    on = dialog.widgets["on"]
    on.edit.setFocus()
    qtbot.waitUntil(on.edit.hasFocus)
    qtbot.keyClick(on.edit, Qt.Key.Key_Tab)
    assert dialog.widgets["appointment"].edit.hasFocus()
    qtbot.keyClick(dialog.widgets["appointment"].edit, Qt.Key.Key_Tab)
    assert dialog.widgets["provider"].hasFocus()
