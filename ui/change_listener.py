"""Listens for saves by others off the UI thread (app.changes) and tells them to the application context's
broadcast on the UI thread, where windows are connected."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal

from app.changes import Change, Feed
from app.context import AppContext

WAIT_SECONDS = 0.5  # how long one wait lasts: also how soon a stop is noticed


class ChangeListener(QThread):
    arrived = Signal(object)  # a Change, sent from the listening thread

    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._feed = Feed(ctx.db.engine)
        self.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)  # to this object's (UI) thread

    def run(self) -> None:
        try:
            while not self.isInterruptionRequested():
                change = self._feed.next(WAIT_SECONDS)
                if change is not None:
                    self.arrived.emit(change)
        finally:
            self._feed.close()

    def stop(self) -> None:
        self.requestInterruption()
        self.wait()

    def _deliver(self, change: Change) -> None:
        self._ctx.changes.emit(change)
