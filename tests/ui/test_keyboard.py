"""A case worker on the keyboard all day: Enter and Down in the search, Tab out of every table, the filters that
hide a search's hits, and what the main window remembers per user (QSettings in the test's own folder)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QToolBar

from app.guarantee import State
from app.worklist import Sort
from tests.db.test_worklist import region  # noqa: F401 - the fixture: one step in each state
from tests.ui.test_case_window import open_window
from tests.ui.helpers import close_and_settle
from tests.ui.test_main_window import column
from ui.main_window import MainWindow
from ui.remembered import remember_geometry, settings
from ui.worklist_model import COLUMNS


def shown(qtbot, window: MainWindow, rows: int | None = None) -> MainWindow:
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(lambda: bool(window.summary.buttons) and (rows is None or window.model.rowCount() == rows))
    return window


@pytest.fixture
def open_main(qtbot, ctx):
    """Main windows on the test's database, closed (their runners done) before the database goes."""
    made: list[MainWindow] = []

    def make(rows: int | None = None) -> MainWindow:
        made.append(shown(qtbot, MainWindow(ctx), rows))
        return made[-1]

    yield make
    for window in made:
        close_and_settle(qtbot, window)


def test_enter_in_the_search_opens_the_single_hit(qtbot, open_main, region):  # noqa: F811
    main = open_main(7)
    main.focus_search()
    qtbot.keyClicks(main.filters.search, "osten over")  # the accents left out, as typed in a hurry
    qtbot.keyClick(main.filters.search, Qt.Key.Key_Return)  # before the typing pause: applied at once
    qtbot.waitUntil(lambda: len(main.case_windows) == 1)
    (window,) = main.case_windows.values()
    qtbot.waitUntil(lambda: window.view is not None)  # the case is read off the UI thread
    assert window.view.patient_name == "Östen Över"
    window.close()


def test_enter_with_several_hits_and_down_arrow_go_to_the_list(qtbot, open_main, region):  # noqa: F811
    main = open_main(7)
    main.focus_search()
    qtbot.keyClicks(main.filters.search, "a")
    qtbot.keyClick(main.filters.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: main.table.hasFocus())
    assert not main.case_windows
    assert main.table.selectionModel().selectedRows()[0].row() == 0
    main.focus_search()
    qtbot.keyClick(main.filters.search, Qt.Key.Key_Down)
    assert main.table.hasFocus()
    qtbot.keyClick(main.table, Qt.Key.Key_Down)
    assert main.table.currentIndex().row() == 1


def test_tab_leaves_the_worklist_and_reaches_the_summary(qtbot, open_main, region):  # noqa: F811
    main = open_main(7)
    main.runner.wait()
    main.focus_list()
    qtbot.keyClick(main.table, Qt.Key.Key_Tab)
    assert not main.table.hasFocus()
    reached = []
    for _ in range(60):
        reached.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert set(main.summary.buttons) <= set(reached)
    assert {main.filters.search, main.table} <= set(reached)


def test_tab_leaves_the_timeline(qtbot, ctx):
    window = open_window(qtbot, ctx)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.timeline.setFocus()
    qtbot.keyClick(window.timeline, Qt.Key.Key_Tab)
    assert not window.timeline.hasFocus()


def test_a_search_hidden_by_the_filters_says_so_and_clears_them(qtbot, open_main, region):  # noqa: F811
    main = open_main(7)
    main.filters.mine.setChecked(True)
    main.filters.state.setCurrentIndex(main.filters.state.findData(State.OVERDUE))
    main.filters.search.setText("rita")
    qtbot.waitUntil(lambda: main.hidden_hits.isVisible(), timeout=3000)
    assert main.model.rowCount() == 0
    assert main.hidden_text.text() == "Inga träffar med filtren ”Överskriden”, ”Mina ärenden”. 1 träff utan filter –"
    qtbot.mouseClick(main.show_hidden, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: column(main, 1) == ["Rita Risk"])
    assert not main.hidden_hits.isVisible() and main.filters.search.text() == "rita"
    assert not main.filters.mine.isChecked() and main.filters.state.currentIndex() == 0
    main.filters.search.setText("ingen sådan")  # nothing to find anyway: nothing to say about the filters
    main.filters.mine.setChecked(True)
    qtbot.waitUntil(lambda: main.model.filter.text == "ingen sådan" and main.model.rowCount() == 0)
    main.runner.wait()
    qtbot.wait(50)
    assert not main.hidden_hits.isVisible()


def test_a_second_window_opens_as_the_first_was_left(qtbot, open_main, region, user_settings):  # noqa: F811
    first = open_main(7)
    size = (first.minimumSizeHint().width(), 600)  # the test's screen is 800 pixels high
    first.resize(*size)
    first.table.setColumnWidth(1, 321)
    waited = [title for title, *_ in COLUMNS].index("Väntat")
    first.table.sortByColumn(waited, Qt.SortOrder.DescendingOrder)
    first.filters.state.setCurrentIndex(first.filters.state.findData(State.OVERDUE))
    first.filters.mine.setChecked(True)
    first.filters.search.setText("rita")  # a patient's name: never kept
    qtbot.waitUntil(lambda: first.model.filter.text == "rita" and first.hidden_hits.isVisible())
    first.runner.wait()
    first.close()
    assert list(user_settings.rglob("*.ini")), "written to the test's own folder, not the user's"
    assert "rita" not in (settings().value("worklist/filter") or "")

    second = open_main()
    assert (second.width(), second.height()) == size
    assert second.table.columnWidth(1) == 321
    assert second.model.order.key is Sort.WAITED and second.model.order.descending
    assert second.filters.state.currentData() == State.OVERDUE and second.filters.mine.isChecked()
    assert second.filters.search.text() == ""
    qtbot.waitUntil(lambda: second.model.filter.states == {State.OVERDUE} and second.model.filter.assigned_to)


def test_a_size_saved_on_a_larger_screen_fits_a_smaller_one(qtbot):
    area = QGuiApplication.primaryScreen().availableGeometry()
    first = QDialog()
    qtbot.addWidget(first)
    remember_geometry(first, "archive")
    first.show()
    first.setGeometry(area.x() + 300, area.y() + 200, area.width() + 900, area.height() + 700)
    first.close()
    assert settings().value("archive/geometry") is not None
    second = QDialog()
    qtbot.addWidget(second)
    remember_geometry(second, "archive")
    second.show()
    assert area.contains(second.frameGeometry()), (second.frameGeometry(), area)


def test_the_case_window_remembers_its_size(qtbot, ctx, open_main):
    main = open_main()
    window = open_window(qtbot, ctx)
    case_id = window.case_id
    window.close()
    first = main.open_case(case_id)
    first.resize(first.minimumWidth(), 700)  # the test's screen: 800×800
    first.close()
    qtbot.waitUntil(lambda: case_id not in main.case_windows)
    second = main.open_case(case_id)
    assert second is not first and (second.width(), second.height()) == (first.minimumWidth(), 700)
    second.close()



def test_every_case_action_shows_at_the_windows_least_width(qtbot, ctx):
    """No action behind a toolbar's "»", where the keyboard cannot reach it."""
    window = open_window(qtbot, ctx)
    window.resize(window.minimumSize())
    window.show()
    qtbot.waitExposed(window)
    assert window.width() <= 1366
    hidden = [a.text() for a in window.actions_by_key.values()
              if not any(isinstance(bar, QToolBar) and bar.widgetForAction(a).isVisible()
                         for bar in a.associatedObjects())]
    assert not hidden
