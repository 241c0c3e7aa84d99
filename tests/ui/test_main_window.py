"""The main window on a real database: summary, worklist order, filters as you type, sorting, saved filters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.guarantee import State
from tests.db.test_worklist import region  # noqa: F401 - the fixture: one step in each state
from tests.ui.helpers import settled
from ui.main_window import MainWindow
from ui.states import LABEL


@pytest.fixture
def main(qtbot, ctx, region):  # noqa: F811
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.runner.wait()
    qtbot.waitUntil(lambda: window.model.rowCount() == 7 and bool(window.summary.buttons))
    return window


def column(window: MainWindow, c: int) -> list[str]:
    return [window.model.index(r, c).data() for r in range(window.model.rowCount())]


def settle(qtbot, window: MainWindow) -> None:
    window.runner.wait()
    qtbot.wait(1)


def test_worklist_order_and_model(main, qtmodeltester):
    qtmodeltester.check(main.model)
    assert column(main, 1) == ["Lång Väntan", "Östen Över", "Bo Bup", "Åsa Akut", "Rita Risk", "Olle Ok",
                               "Paula Paus"]
    assert column(main, 0) == ["Överskriden", "Överskriden", "Akut", "Akut", "Risk", "I tid", "Pausad"]
    assert main.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "7 steg" in main.counts.text() and "Överskriden: 2" in main.counts.text()


def test_search_filters_as_you_type(qtbot, main):
    qtbot.keyClicks(main.filters.search, "sten")  # QTest types ASCII only
    qtbot.waitUntil(lambda: column(main, 1) == ["Östen Över"])
    main.filters.search.clear()
    main.filters.search.insert("ÅSA")
    qtbot.waitUntil(lambda: column(main, 1) == ["Åsa Akut"])
    main.filters.search.clear()
    qtbot.waitUntil(lambda: main.model.rowCount() == 7)


@pytest.mark.parametrize(
    ("control", "value", "expected"),
    [
        ("state", State.RISK, ["Rita Risk"]),
        ("step", "SV_BEHANDLING", ["Åsa Akut"]),
        ("specialty", "511", ["Rita Risk"]),
        ("unit", "Ögon Malmö", ["Rita Risk"]),
        ("region", "13", ["Östen Över"]),
        ("band", 365, ["Lång Väntan"]),
        ("lapsing", 14, ["Bo Bup", "Åsa Akut"]),
    ],
)
def test_each_filter_control(qtbot, main, control, value, expected):
    combo = getattr(main.filters, control)
    combo.setCurrentIndex(combo.findData(value))
    settle(qtbot, main)
    qtbot.waitUntil(lambda: column(main, 1) == expected)


def test_flag_and_mine_check_boxes(qtbot, main):
    main.filters.no_contact.setChecked(True)
    qtbot.waitUntil(lambda: set(column(main, 1)) == {"Lång Väntan", "Östen Över", "Åsa Akut"})
    main.filters.no_contact.setChecked(False)
    main.filters.mine.setChecked(True)
    qtbot.waitUntil(lambda: main.model.rowCount() == 7)


def test_summary_click_opens_the_worklist_filtered(qtbot, main):
    button = next(b for b in main.summary.buttons if b.text().startswith("Överskridna"))
    assert button.text() == "Överskridna: 2"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: column(main, 1) == ["Lång Väntan", "Östen Över"])
    assert main.filters.current().states == {State.OVERDUE}


def test_header_click_sorts_in_the_query(qtbot, main):
    waited = [title for title, *_ in __import__("ui.worklist_model", fromlist=["COLUMNS"]).COLUMNS].index("Väntat")
    main.table.sortByColumn(waited, Qt.SortOrder.DescendingOrder)
    settle(qtbot, main)
    qtbot.waitUntil(lambda: column(main, 1)[0] == "Lång Väntan" and column(main, 1)[-1] == "Olle Ok")


def test_saved_filter_comes_back(qtbot, main, monkeypatch):
    main.filters.state.setCurrentIndex(main.filters.state.findData(State.OVERDUE))
    monkeypatch.setattr("ui.filter_bar.QInputDialog.getText", lambda *a, **k: ("Överskridna", True))
    main.filters.save.click()
    main.filters.reset()
    qtbot.waitUntil(lambda: main.model.rowCount() == 7)
    main.filters.saved.setCurrentIndex(main.filters.saved.findData("Överskridna"))
    main.filters.saved.activated.emit(main.filters.saved.currentIndex())
    qtbot.waitUntil(lambda: column(main, 0) == [LABEL[State.OVERDUE]] * 2)


def test_enter_opens_the_case(qtbot, main):
    main.table.selectRow(0)
    main.menu_actions["open_case"].trigger()
    (window,) = main.case_windows.values()
    settled(window)
    assert window.view.patient_name == "Lång Väntan"


def test_window_renders(qtbot, main, tmp_path):
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    image = main.grab()
    assert image.width() == 1366 and not image.isNull()


def test_backup_now_and_review_menu_follows_the_role(qtbot, main, ctx):
    from app.paths import backup_folder

    assert ctx.role == "administrator"  # the first user of a new database
    assert not main.menu_actions["log_review"].isEnabled()  # the log is reviewed by a granskare
    if ctx.db.server is not None:  # the team server: IT's tools keep the backups, and the menu says so
        for key in ("backup", "restore"):
            assert not main.menu_actions[key].isEnabled()
            assert main.menu_actions[key].toolTip() == ctx.db.file_only_off and "IT" in ctx.db.file_only_off
        return
    main.menu_actions["backup"].trigger()
    main.runner.wait()
    qtbot.waitUntil(lambda: any(backup_folder(ctx.db.path).glob("*manuell*")))
