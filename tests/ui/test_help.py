"""The user guide: F1 opens the chapter of the window it is pressed in; the worklist's tooltips explain states
and flags in the guide's own words."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from tests.db.test_worklist import region  # noqa: F401 - the fixture: one step in each state
from tests.ui.test_case_window import open_window
from ui import help as guide
from ui.main_window import MainWindow
from ui.reports_window import ReportsWindow
from ui.states import EXPLAIN, FLAG_EXPLAIN, FLAG_LABEL, LABEL


@pytest.fixture(autouse=True)
def close_guide():
    yield
    if guide._window is not None:
        guide._window.close()
        guide._window.deleteLater()
        guide._forget()


def top_heading(window: guide.HelpWindow) -> str:
    """The heading shown at the top of the guide's view (what the user sees first)."""
    browser = window.browser
    block = browser.cursorForPosition(QPoint(10, 10)).block()
    while block.isValid() and block.blockFormat().headingLevel() == 0:
        block = block.previous()
    return block.text()


def visible_headings(window: guide.HelpWindow) -> list[str]:
    """The chapter headings inside the view, top first (the last chapters cannot scroll to the very top)."""
    browser = window.browser
    doc, top = browser.document(), browser.verticalScrollBar().value()
    height = browser.viewport().height()
    block, seen = doc.begin(), []
    while block.isValid():
        if block.blockFormat().headingLevel() == 2:
            y = doc.documentLayout().blockBoundingRect(block).top() - top
            if 0 <= y < height:
                seen.append(block.text())
        block = block.next()
    return seen


def press_f1(qtbot, widget) -> guide.HelpWindow:
    qtbot.keyClick(widget, Qt.Key.Key_F1)
    assert guide._window is not None and guide._window.isVisible()
    qtbot.waitExposed(guide._window)
    return guide._window


def test_every_window_topic_is_a_chapter_of_the_guide():
    text = (files("resources") / "help" / "guide.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a name="([^"]+)">', text))
    assert set(guide.TOPIC.values()) | {guide.START} <= anchors
    assert set(re.findall(r'href="#([^"]+)"', text)) <= anchors  # the table of contents leads somewhere


def test_the_guide_explains_every_state_and_flag_in_the_tooltips_words():
    page = guide.guide_html()
    assert "<!-- STATES -->" not in page
    for state, meaning in EXPLAIN.items():
        assert f"<b>{LABEL[state]}</b>" in page and meaning in page
    for flag, meaning in FLAG_EXPLAIN.items():
        assert f"<b>{FLAG_LABEL[flag]}</b>" in page and meaning in page


def test_f1_in_the_worklist_then_in_a_case_opens_their_chapters(qtbot, ctx, region):  # noqa: F811
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    main.runner.wait()
    shown = press_f1(qtbot, main.table)
    assert top_heading(shown) == "Arbetslistan"

    case = open_window(qtbot, ctx)
    case.show()
    assert press_f1(qtbot, case) is shown  # one guide window, moved to the new chapter
    assert top_heading(shown) == "Ärendet"

    form = QDialog(case)  # an action's form opened from the case: the case's chapter
    qtbot.addWidget(form)
    assert guide.topic_for(form) == "arendet"


def test_f1_in_the_reports_window_opens_the_export_chapter(qtbot, ctx):
    window = ReportsWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    shown = press_f1(qtbot, window)
    assert "Uppföljning och månadsexporten" in visible_headings(shown)
    assert shown.browser.verticalScrollBar().value() > 0


def test_the_help_menu_opens_the_guide(qtbot, ctx):
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.runner.wait()
    assert main.menu_actions["guide"].text().endswith("\tF1")
    main.menu_actions["guide"].trigger()
    assert guide._window.isVisible() and "användarhandbok" in guide._window.windowTitle()


def test_worklist_tooltips_explain_state_and_flags(qtbot, ctx, region):  # noqa: F811
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.runner.wait()
    qtbot.waitUntil(lambda: main.model.rowCount() == 7)
    model = main.model
    status = 0
    flags = next(i for i, (title, *_rest) in enumerate(__import__("ui.worklist_model").worklist_model.COLUMNS)
                 if title == "Signaler")
    for r in range(model.rowCount()):
        row = model.row_data(r)
        tip = model.index(r, status).data(Qt.ItemDataRole.ToolTipRole)
        assert tip == f"{LABEL[row.state]}: {EXPLAIN[row.state]}"
        flag_tip = model.index(r, flags).data(Qt.ItemDataRole.ToolTipRole)
        if row.flags:
            assert all(FLAG_EXPLAIN[f] in flag_tip for f in row.flags)
        else:
            assert flag_tip is None
    assert any(model.row_data(r).flags for r in range(model.rowCount())), "the region has a flagged step"


def test_the_table_of_contents_leads_to_each_chapter(qtbot):
    window = guide.HelpWindow()
    qtbot.addWidget(window)
    window.show_topic(guide.START)
    qtbot.waitExposed(window)
    titles = [window.contents.item(r).text() for r in range(window.contents.count())]
    assert titles[:3] == ["Arbetslistan", "Lägen och signaler", "PvV, MoV och SoV: väntan som inte räknas"]
    item = window.contents.item(titles.index("14-dagarsbeskedet"))
    qtbot.mouseClick(window.contents.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.contents.visualItemRect(item).center())
    assert top_heading(window) == "14-dagarsbeskedet"


def test_f1_in_a_modal_dialog_opens_a_guide_it_does_not_block(qtbot, ctx):
    from tests.register.conftest import open_step
    from ui.care_elsewhere_dialog import CareElsewhereDialog

    dialog = CareElsewhereDialog(ctx, open_step(ctx).step_id)
    qtbot.addWidget(dialog)
    dialog.setModal(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    shown = press_f1(qtbot, dialog.table)
    assert shown.parentWidget() is dialog and shown.isWindow()  # a child of the modal dialog: usable
    assert "Vård hos annan vårdgivare" in visible_headings(shown)
