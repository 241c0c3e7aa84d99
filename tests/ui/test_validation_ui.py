"""The validation round in the windows: recorded from the case window, shown on its step and timeline; a long
waiter's reason shown as "Saknas" until recorded; the report of long waiters; the worklist's summary entry."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QLabel

from app import cases
from app.identity import make_personnummer
from tests.conftest import TODAY
from tests.ui.helpers import main_window, save_form, settled
from tests.ui.shots import shot
from ui.case_window import CaseWindow
from ui.long_wait_window import LongWaitWindow


def open_window(qtbot, ctx, code: str, days_ago: int, serial: int = 377) -> CaseWindow:
    opened = cases.open_case(ctx, cases.NewPatient(make_personnummer(date(1961, 4, 9), serial), f"Märta Ek {serial}",
                                                   "12"), cases.NewCase(code, TODAY - timedelta(days=days_ago), "311"))
    window = CaseWindow(ctx, opened.case_id)
    qtbot.addWidget(window)
    return settled(window)


def labels(window: CaseWindow, name: str) -> list[str]:
    return [w.text() for w in window.findChildren(QLabel) if w.accessibleName() == name and w.isVisibleTo(window)]


def timeline_texts(window: CaseWindow) -> list[tuple[str, str]]:
    table = window.timeline
    return [(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())]


def test_validate_from_the_case_window(qtbot, ctx, tmp_path):
    window = open_window(qtbot, ctx, "SV_FORSTA_BESOK", 200)
    window.show()
    assert labels(window, "Validerad") == ["Aldrig"]
    assert not window.actions_by_key["long_wait_reason"].isEnabled()  # 200 days: no reason needed
    errors: list[str] = []
    save_form({"health": "", "channel": "1177"},
              then=lambda d: (errors.append(d.error.text()), d.widgets["health"].setText("Oförändrat"), d.save()))
    window.actions_by_key["validate"].trigger()
    settled(window)
    assert errors == ["Hälsotillstånd: skriv kort hur patienten mår, till exempel oförändrat."]
    assert labels(window, "Validerad") == [f"{TODAY.isoformat()} (i dag), behöver vården"]
    assert ("Validering", "Patienten behöver fortfarande vården. Hälsotillstånd: Oförändrat (Meddelande via 1177)") \
        in timeline_texts(window)
    shot(window, "case_window_validated", tmp_path)


def test_a_long_waiter_needs_a_reason_and_is_reported(qtbot, ctx, tmp_path):
    window = open_window(qtbot, ctx, "BUP_FORSTA", 120)
    window.show()
    assert labels(window, "Orsak till väntan över 91 dagar") == ["Saknas"]
    shot(window, "case_window_long_wait_missing", tmp_path)
    report = LongWaitWindow(ctx)
    qtbot.addWidget(report)
    assert [report.model.index(0, c).data() for c in (2, 4, 5, 6)] == ["BUP första bedömning", "120", "91",
                                                                         "Saknas"]
    assert report.status.text() == "1 steg med lång väntan, varav 1 utan registrerad orsak."
    shot(report, "long_waiters", tmp_path)
    opened: list[int] = []
    report.open_case.connect(opened.append)
    report.view.doubleClicked.emit(report.model.index(0, 0))
    assert opened == [window.view.id]

    save_form({"reason": "Patienten har tackat nej till två erbjudna tider"})
    window.actions_by_key["long_wait_reason"].trigger()
    settled(window)
    assert labels(window, "Orsak till väntan över 91 dagar") == ["Patienten har tackat nej till två erbjudna tider"]
    report.load()
    assert report.model.index(0, 6).data() == "Patienten har tackat nej till två erbjudna tider"
    assert report.status.text() == "1 steg med lång väntan, varav 0 utan registrerad orsak."


def test_the_summary_opens_steps_due_for_validation_and_long_waiters(qtbot, ctx, tmp_path):
    from PySide6.QtCore import Qt

    for serial, (code, days_ago) in enumerate((("SV_FORSTA_BESOK", 200), ("SV_FORSTA_BESOK", 30),
                                               ("BUP_FORSTA", 120)), start=301):
        cases.open_case(ctx, cases.NewPatient(make_personnummer(date(1961, 4, 9), serial), f"Patient {serial}", "12"),
                        cases.NewCase(code, TODAY - timedelta(days=days_ago), "311"))
    window = main_window(qtbot, ctx, 3)
    for label, expected in (("Ej validerade på 180 dagar", {"Patient 301"}),
                            ("Lång väntan utan orsak", {"Patient 303"})):
        button = next(b for b in window.summary.buttons if b.text().startswith(label))
        assert button.text() == f"{label}: 1"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        window.runner.wait()
        qtbot.waitUntil(lambda expected=expected: {window.model.index(r, 1).data()
                                                   for r in range(window.model.rowCount())} == expected)


def test_the_validation_days_are_set_in_the_settings_window(qtbot, ctx, tmp_path):
    from app import validation
    from app.settings import RULES, setting_history
    from tests.ui.test_rules_tab import rules_window, save

    window = rules_window(qtbot, ctx)
    assert window.rules.validation.value() == 180
    window.rules.validation.setValue(90)
    shot(window, "settings_validation_days", tmp_path)
    save(qtbot, window)
    assert validation.validation_days(ctx) == 90
    assert setting_history(ctx.db, RULES) == []  # the thresholds did not change: no steps re-evaluated
    again = rules_window(qtbot, ctx)
    assert again.rules.validation.value() == 90
