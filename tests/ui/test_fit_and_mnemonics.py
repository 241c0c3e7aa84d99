"""Every window `lotsen screenshot` renders (ui.screenshots.windows), and every menu: no two mnemonics (&-letters)
alike among the siblings of one container, and a minimum size that fits a 1366×768 laptop less its taskbar."""

from __future__ import annotations

from collections import defaultdict

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QWidget,
)

from tests.db.test_worklist import region  # noqa: F401 - the fixture: one step in each state
from tests.ui.helpers import close_and_settle
from ui.main_window import MainWindow
from ui.screenshots import settled, windows

LAPTOP = (1366, 768 - 40)  # a taskbar's height less


def mnemonic(text: str) -> str | None:
    """The letter after a single "&" ("&&" is an ampersand)."""
    i = 0
    while (i := text.find("&", i)) >= 0 and i + 1 < len(text):
        if text[i + 1] != "&":
            return text[i + 1].casefold()
        i += 2
    return None


def _container(widget: QWidget, window: QWidget) -> QWidget:
    """A tab's page is a container of its own (its mnemonics work only while it shows); else the window."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
            return widget
        widget, parent = parent, parent.parentWidget()
    return window


def duplicates(window: QWidget) -> list[str]:
    """"Window or menu: letter: the texts" for each letter used twice among siblings of one container."""
    groups: dict[QWidget, list[str]] = defaultdict(list)
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QMenu) or not widget.isVisibleTo(widget.window()) and widget.isHidden():
            continue
        texts = []
        if isinstance(widget, QAbstractButton):
            texts = [widget.text()]
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            texts = [widget.text()]
        elif isinstance(widget, QGroupBox):
            texts = [widget.title()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(i) for i in range(widget.count())]
        groups[_container(widget, window)].extend(texts)
    if isinstance(window, QMainWindow):
        groups[window].extend(a.text() for a in window.menuBar().actions() if a.isVisible())
    menus = {m for m in window.findChildren(QMenu)}
    if isinstance(window, QMainWindow):
        menus |= {a.menu() for a in window.menuBar().actions() if a.menu()}
    for menu in menus:
        groups[menu].extend(a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator())
    found = []
    for container, texts in groups.items():
        by_letter = defaultdict(list)
        for text in texts:
            if (letter := mnemonic(text)) is not None:
                by_letter[letter].append(text)
        name = container.windowTitle() or container.objectName() or type(container).__name__
        found += [f"{name}: {letter}: {same}" for letter, same in by_letter.items() if len(same) > 1]
    return found


@pytest.fixture
def main(qtbot, ctx, region):  # noqa: F811
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    settled(QApplication.instance(), window)
    qtbot.waitUntil(lambda: window.model.rowCount() == 7)
    yield window
    close_and_settle(qtbot, window)


def test_no_two_mnemonics_alike_in_any_window_or_menu(main, ctx):
    found = duplicates(main)
    for name, widget, size in windows(ctx, main, 1366, 768):
        widget.resize(*size)
        widget.show()
        found += [f"{name}: {d}" for d in duplicates(widget)]
    assert not found, "\n".join(found)


def test_every_window_fits_a_1366_by_768_laptop(main, ctx):
    too_big = []
    for name, widget, _size in [("main", main, None), *windows(ctx, main, 1366, 768)]:
        hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        if hint.width() > LAPTOP[0] or hint.height() > LAPTOP[1]:
            too_big.append(f"{name}: {hint.width()}×{hint.height()}")
    assert not too_big, too_big


def test_the_mnemonic_check_finds_a_duplicate(qtbot):
    from PySide6.QtWidgets import QCheckBox, QPushButton, QVBoxLayout

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    for text in ("&Spara", "&Stäng", "Sök && &hitta"):
        layout.addWidget(QPushButton(text))
    layout.addWidget(QCheckBox("&Hämta"))
    assert mnemonic("Sök && &hitta") == "h" and mnemonic("A && B") is None
    assert sorted(duplicates(window)) == ["QWidget: h: ['Sök && &hitta', '&Hämta']",
                                          "QWidget: s: ['&Spara', '&Stäng']"]
