"""What Lotsen remembers per user between starts: window sizes and places, the worklist's columns, sort order and
last filter. QSettings, organisation "Lotsen", the user's scope (on Windows the registry under HKCU). Never patient
data: the search text is not kept (it would show a patient's name at the next start)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

ORGANISATION = APPLICATION = "Lotsen"


def settings() -> QSettings:
    """The user's settings, in the default format: native in use; tests point it at a folder of their own."""
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def fit_to_screen(widget: QWidget) -> None:
    """Shrink and move a window into the available area of its screen: a size saved on a larger screen (or at
    home on a bigger monitor) must not leave its buttons off a 1366×768 laptop's screen."""
    # The screen the window's middle is on (a second monitor too), else its own or the main one.
    screen = (QGuiApplication.screenAt(widget.geometry().center()) or widget.screen()
              or QGuiApplication.primaryScreen())
    if screen is None:
        return
    area = screen.availableGeometry()
    frame = widget.frameGeometry()
    extra_w, extra_h = frame.width() - widget.width(), frame.height() - widget.height()
    widget.resize(min(widget.width(), area.width() - extra_w), min(widget.height(), area.height() - extra_h))
    frame = widget.frameGeometry()
    x = min(max(frame.x(), area.x()), area.right() + 1 - frame.width())
    y = min(max(frame.y(), area.y()), area.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        widget.move(x, y)


class _Keeper(QObject):
    """Saves its window's geometry whenever the window is hidden: closed, or a dialog finished. A restored
    geometry is fitted to the screen again when first shown, its frame known by then."""

    def __init__(self, widget: QWidget, key: str, restored: bool):
        super().__init__(widget)
        self.key = key
        self.restored = restored
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        if watched is self.parent() and not event.spontaneous():
            if event.type() == QEvent.Type.Show and self.restored:
                self.restored = False
                fit_to_screen(watched)
            elif event.type() == QEvent.Type.Hide:
                settings().setValue(f"{self.key}/geometry", watched.saveGeometry())
        return False


def remember_geometry(widget: QWidget, key: str, default: QSize | None = None) -> None:
    """Open `widget` where and as large as the user left it last time (else at `default`), within the screen,
    and keep its geometry when it is hidden. `key` names the window ("main", "case", "register" …)."""
    stored = settings().value(f"{key}/geometry")
    restored = stored is not None and widget.restoreGeometry(stored)
    if not restored and default is not None:
        widget.resize(default)
    fit_to_screen(widget)
    _Keeper(widget, key, restored)
