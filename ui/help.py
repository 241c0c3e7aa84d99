"""The user guide (resources/help/guide.html) in a window of its own, and F1 anywhere: the chapter of the window
it was pressed in. TOPIC is the one mapping from window to chapter."""

from __future__ import annotations

import html
import re
from importlib.resources import files

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QTextEdit,
    QWidget,
)

from ui.states import BOOKED_LATE, BOOKED_LATE_EXPLAIN, EXPLAIN, FLAG_EXPLAIN, FLAG_LABEL, LABEL

# Window class → the guide's anchor. A window not named here takes its parent's chapter (a form opened from a
# case opens the case chapter); the main window's is the fallback.
TOPIC = {
    "MainWindow": "arbetslistan",
    "ArchiveDialog": "arbetslistan",
    "CaseWindow": "arendet",
    "PatientDialog": "arendet",
    "CareElsewhereDialog": "annan-vardgivare",
    "MatchingWindow": "annan-vardgivare",
    "RegisterWindow": "register",
    "LettersDialog": "brev",
    "ReportsWindow": "export",
    "AgreementWindow": "export",
}
START = "arbetslistan"
LINE_WIDTH = 780  # pixels: lines a reader's eye can follow, however wide the window


def guide_html() -> str:
    """The guide with its table of states and flags made from ui.states (the worklist's tooltips' words)."""
    text = (files("resources") / "help" / "guide.html").read_text(encoding="utf-8")
    rows = [(LABEL[s], EXPLAIN[s]) for s in EXPLAIN] + [(FLAG_LABEL[f], FLAG_EXPLAIN[f]) for f in FLAG_EXPLAIN]
    rows.append((BOOKED_LATE, BOOKED_LATE_EXPLAIN))
    table = "<table border='1' cellspacing='0' cellpadding='4'>" + "".join(
        f"<tr><td><b>{html.escape(name)}</b></td><td>{html.escape(meaning)}</td></tr>" for name, meaning in rows
    ) + "</table>"
    return text.replace("<!-- STATES -->", table)


def chapters(page: str) -> list[tuple[str, str]]:
    """(anchor, title) of each chapter, in the guide's order: the window's table of contents."""
    return [(anchor, html.unescape(re.sub(r"<[^>]+>", "", title)))
            for anchor, title in re.findall(r'<h2><a name="([^"]+)"></a>(.*?)</h2>', page)]


def topic_for(widget: QWidget | None) -> str:
    while widget is not None:
        window = widget.window()
        for cls in type(window).__mro__:
            if cls.__name__ in TOPIC:
                return TOPIC[cls.__name__]
        widget = window.parentWidget()
    return START


class HelpWindow(QDialog):
    """Non-modal, so that the guide stays open beside the window it explains."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Lotsen – användarhandbok")
        page = guide_html()
        self.contents = QListWidget(self)
        self.contents.setAccessibleName("Innehåll")
        self.contents.setSpacing(3)
        for anchor, title in chapters(page):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, anchor)
            self.contents.addItem(item)
        self.contents.setFixedWidth(self.contents.sizeHintForColumn(0) + 24)
        self.contents.currentItemChanged.connect(
            lambda item, _old: item is not None and self.browser.scrollToAnchor(item.data(Qt.ItemDataRole.UserRole)))
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName("Användarhandbok")
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(page)
        self.browser.document().setDocumentMargin(16)
        self.browser.setLineWrapMode(QTextEdit.LineWrapMode.FixedPixelWidth)
        self.browser.setLineWrapColumnOrWidth(LINE_WIDTH)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.contents)
        layout.addWidget(self.browser, 1)
        QShortcut(QKeySequence.StandardKey.Close, self, self.close)
        self.resize(self.contents.width() + LINE_WIDTH + 60, 640)

    def show_topic(self, anchor: str) -> None:
        for row in range(self.contents.count()):
            if self.contents.item(row).data(Qt.ItemDataRole.UserRole) == anchor:
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(row)
                self.contents.blockSignals(False)
        self.browser.scrollToAnchor(anchor)
        self.show()
        self.raise_()
        self.activateWindow()


_window: HelpWindow | None = None


def show_help(widget: QWidget | None = None) -> HelpWindow:
    """Open (or bring forward) the guide at the chapter of `widget`'s window."""
    global _window
    anchor = topic_for(widget)
    # A modal dialog blocks every other window, the guide too, unless the guide is its child.
    modal = QApplication.activeModalWidget()
    owner = modal if modal is not None and not isinstance(modal, HelpWindow) else None
    if _window is None:
        _window = HelpWindow(owner)
        _window.destroyed.connect(_forget)
    elif _window.parentWidget() is not owner:
        _window.setParent(owner, Qt.WindowType.Window)
    _window.show_topic(anchor)
    return _window


def _forget(*_args) -> None:
    global _window
    _window = None


class _F1(QObject):
    """F1 in any window, modal dialogs included (a shortcut on the main window would not fire there)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        if (event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_F1
                and event.modifiers() == Qt.KeyboardModifier.NoModifier and isinstance(watched, QWidget)):
            if not isinstance(watched.window(), HelpWindow):
                show_help(watched)
            return True
        return False


def install(app: QApplication | None = None) -> None:
    """Once per application; the main window calls it."""
    app = app or QApplication.instance()
    if app is not None and app.property("lotsen_help") is None:
        app.setProperty("lotsen_help", True)
        app._lotsen_help = _F1(app)  # kept alive with the application
        app.installEventFilter(app._lotsen_help)
