"""Uppföljning → Överenskommelsen as a user works it: choose the year, set the region's share, show."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.criteria.service import region_share
from tests.criteria.test_year import year  # noqa: F401 - the fixture
from ui.agreement_window import AgreementWindow


def done(qtbot, win) -> None:
    win.runner.wait()
    qtbot.waitUntil(lambda: not win.busy.isVisibleTo(win) and win.show_button.isEnabled(), timeout=30_000)


def test_shows_the_year_month_by_month(qtbot, year, qtmodeltester):  # noqa: F811
    win = AgreementWindow(year)
    qtbot.addWidget(win)
    win.year.setCurrentIndex(win.year.findData(2023))
    qtbot.mouseClick(win.show_button, Qt.MouseButton.LeftButton)
    done(qtbot, win)
    for model in (win.month_model, win.year_model):
        qtmodeltester.check(model)
    assert win.month.count() == 2 and win.month.currentText() == "Februari 2023"
    first = win.month_model.table.rows[0]
    assert first[1:5] == ("52,9 %", "50,0 %", "+2,9 p.e.", "50 %")
    assert first[7] == "2 045 455 kr"
    win.month.setCurrentIndex(0)
    assert win.month_model.table.rows[0][3:5] == ("+3,0 p.e.", "75 %")
    assert win.year_model.table.rows[-1][-1] == "5 113 637 kr"
    assert "hittills 5 113 637 kr" in win.heading.text()
    assert win.chart.accessibleDescription().startswith("jan: Andel av månadens pott som regionen får (%) 14")
    win.month_view.selectRow(0)
    # 7 of 25 (+3.0 p.e.); 8 of 25 would be 32 %, +7.0 p.e.: 100 %
    assert "med 1 patient till i tid hade kriteriet gett 100 %" in win.candidates.text()


def test_region_share_is_checked_and_saved(qtbot, year, monkeypatch):  # noqa: F811
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    win = AgreementWindow(year)
    qtbot.addWidget(win)
    assert win.share.text() == "10"
    win.share.setText("tjugo")
    qtbot.mouseClick(win.save_share, Qt.MouseButton.LeftButton)
    assert warnings and warnings[0].startswith("Regionens andel av potten: ")
    win.share.setText("13,4")
    qtbot.mouseClick(win.save_share, Qt.MouseButton.LeftButton)
    assert str(region_share(year)) == "13.4"


def test_the_main_window_opens_it(qtbot, ctx):
    from ui.main_window import MainWindow

    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.runner.wait()
    main.menu_actions["agreement"].trigger()
    assert isinstance(main._agreement_window, AgreementWindow) and main._agreement_window.isVisible()
    assert main._agreement_window.year.currentData() == 2023
