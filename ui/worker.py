"""Database work off the UI thread, one operation at a time, as Anki's CollectionOp does.

`run_in_background(parent, fn, on_done)` runs `fn()` on a worker thread and calls `on_done(result)` back on the
UI thread; an exception goes to `on_error` (default: a clear message). While it runs the window shows a busy
indicator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from ui.errors import show_error


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any]):
        super().__init__()
        # Python owns the job: with Qt's auto-delete the C++ object can go while Python still holds it.
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - handed to the UI thread, which shows or logs it
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class BackgroundRunner(QObject):
    """Runs one job at a time for a window; `busy_changed(bool)` drives its progress indicator."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # SQLite writes one at a time; keeps operations in order
        self._jobs: dict[_Signals, _Job] = {}

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> None:
        job = _Job(fn)
        job.signals.setParent(self)  # lives on the UI thread: queued calls run there, after the job is gone
        queued = Qt.ConnectionType.QueuedConnection
        job.signals.done.connect(on_done, queued)
        job.signals.failed.connect(on_error or (lambda exc: show_error(self.parent(), exc)), queued)
        job.signals.done.connect(self._finished, queued)
        job.signals.failed.connect(self._finished, queued)
        self._jobs[job.signals] = job
        self.busy_changed.emit(True)
        self.pool.start(job)

    def _finished(self, _result: object) -> None:
        signals = self.sender()
        self._jobs.pop(signals, None)
        signals.deleteLater()
        if not self._jobs:
            self.busy_changed.emit(False)

    def wait(self) -> None:
        self.pool.waitForDone()
