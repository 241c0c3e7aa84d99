"""Database work off the UI thread, one operation at a time, as Anki's CollectionOp does.

`BackgroundRunner(window).run(fn, on_done)` runs `fn()` on a worker thread and calls `on_done(result)` back on
the UI thread; an exception goes to `on_error` (default: a clear message). While it runs the window shows a busy
indicator.

Lifetimes: the worker thread never holds the last reference to anything made on the UI thread. `fn`, `on_done`
and `on_error` (closures over windows and models) are kept by the runner and released on the UI thread once the
result is delivered; the pool is handed a callable that holds only the job's number, the runner's table of jobs
and its one signal object, which lives as long as the runner. No QObject is created or deleted per job."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import count
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QMainWindow, QProgressBar

from ui.errors import show_error

Job = tuple[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]]


class _Signals(QObject):
    done = Signal(int, object)  # job, result
    failed = Signal(int, object)  # job, exception


def _work(jobs: dict[int, Job], job: int, signals: _Signals) -> None:
    """On the pool's thread. `fn` is dropped before the result is sent: once the UI thread has it, the worker
    holds nothing of the job's but its plain result."""
    fn = jobs[job][0]
    try:
        signal, value = signals.done, fn()
    except Exception as exc:  # noqa: BLE001 - handed to the UI thread, which shows or logs it
        signal, value = signals.failed, exc
    del fn
    signal.emit(job, value)


class BackgroundRunner(QObject):
    """Runs one job at a time for a window; `busy_changed(bool)` drives its progress indicator."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject):
        super().__init__(parent)
        # Created before the signals: a child is deleted in creation order, so that the pool's destructor (which
        # waits for a running job) comes before the object that job emits on.
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # SQLite writes one at a time; keeps operations in order
        self._signals = _Signals(self)
        self._signals.done.connect(self._done, Qt.ConnectionType.QueuedConnection)
        self._signals.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self._jobs: dict[int, Job] = {}
        self._numbers = count()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> None:
        job = next(self._numbers)
        self._jobs[job] = (fn, on_done, on_error or (lambda exc: show_error(self.parent(), exc)))
        self.busy_changed.emit(True)
        # A plain callable, not a QRunnable subclass: PySide keeps a started QRunnable's wrapper (and so its
        # closure) alive as long as the pool, one more for every job.
        self.pool.start(partial(_work, self._jobs, job, self._signals))

    def _done(self, job: int, result: object) -> None:
        _fn, on_done, _on_error = self._jobs.pop(job)  # the closures go here, on the UI thread
        self._deliver(on_done, result)

    def _failed(self, job: int, exc: BaseException) -> None:
        _fn, _on_done, on_error = self._jobs.pop(job)
        self._deliver(on_error, exc)

    def _deliver(self, callback: Callable[[Any], None], value: object) -> None:
        try:
            callback(value)
        finally:
            if not self._jobs:  # the callback may have started the next job (a report's trend after its month)
                self.busy_changed.emit(False)

    def wait(self) -> None:
        """Until the running and queued jobs are done; their results still arrive through the event loop."""
        self.pool.waitForDone()


def busy_indicator(window: QMainWindow, width: int = 140) -> QProgressBar:
    """The status bar's "working" bar for a window's runner: hidden until a job runs (busy_changed shows it)."""
    busy = QProgressBar()
    busy.setRange(0, 0)
    busy.setMaximumWidth(width)
    busy.setAccessibleName("Arbetar")
    busy.hide()
    window.statusBar().addPermanentWidget(busy)
    return busy
