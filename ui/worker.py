"""Database work off the UI thread through one runner owned by the application, as Anki's operations do.

`lane(ctx, window)` gives a window its lane on the application's runner (one runner per AppContext, reached
through the context's broadcast). `lane.op(fn, on_done, cases=...)` is a change: ops run one at a time on one
thread (SQLite writes one at a time; saves keep their order), and after success the runner tells `ctx.changes`
what changed (the case ids, or None for many: an import, a letter batch) as this process's own save, so every
window refreshes what it shows. `lane.query(fn, on_done)` is a read: no broadcast; a window's reads run in the
order asked (a later read never shows before an earlier one), different windows' reads side by side. Results
come back on the UI thread; an exception goes to `on_error` (default: a clear message). While a window's own
work runs its lane is busy (`busy_changed`, drawn by busy_indicator).

Lifetimes: the worker thread never holds the last reference to anything made on the UI thread. `fn`, `on_done`
and `on_error` (closures over windows and models) and the lane are kept in the runner's table and released on
the UI thread once the result is delivered; a pool is handed a callable that holds only the job's number, the
table and the runner's one signal object, which live as long as the runner. No QObject is created or deleted per
job. A window closed and deleted while its job runs gets nothing back (its lane is gone); its op still saves and
is still told to the other windows. Python's cyclic collector must not run on a worker (_hold_collector): in the
middle of an import it would free a cycle holding a window there, and PySide crashes."""

from __future__ import annotations

import gc
import logging
import traceback
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from itertools import count
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QProgressBar

from app.changes import Broadcast, Change
from app.context import AppContext
from ui.errors import show_error

log = logging.getLogger(__name__)
READERS = 2  # threads for reads: a long report does not hold up opening a case
COLLECT_MS = 1000  # how often the UI thread runs the cyclic collector when it is due
MANY = None  # `cases` of an op that changed more than a few cases


@dataclass
class _Job:
    fn: Callable[[], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[BaseException], None] | None
    lane: Lane
    change: Change | None  # told after success: an op's; None for a query


class _Signals(QObject):
    done = Signal(int, object)  # job, result
    failed = Signal(int, object)  # job, exception


def _work(jobs: dict[int, _Job], job: int, signals: _Signals) -> None:
    """On a pool's thread. `fn` is dropped before the result is sent: once the UI thread has it, the worker
    holds nothing of the job's but its plain result.

    An exception's traceback keeps its frames, and so `fn`'s closure (a form, a window): the frames are cleared
    here, while the table still holds that closure, and the exception is not left in this frame (it would make
    a cycle that the collector may free on any thread later, taking the window with it, in PySide a crash)."""
    fn = jobs[job].fn
    try:
        signal, value = signals.done, fn()
    except Exception as exc:  # noqa: BLE001 - handed to the UI thread, which shows or logs it
        traceback.clear_frames(exc.__traceback__)
        signal, value = signals.failed, exc
    del fn
    signal.emit(job, value)
    del value


_collector: QTimer | None = None


def _hold_collector(runner: Runner) -> None:
    """While any job is under way the automatic collector is off (else it may run on the worker, in the middle of
    an import); the UI thread collects the young generations meanwhile. When the work is done it is on again, with
    its own measure of when a full collection pays (a timer's full pass would cost a second on a large heap)."""
    global _collector
    if _collector is None:
        _collector = QTimer()
        _collector.timeout.connect(_collect_young)
        _collector.start(COLLECT_MS)
    if runner._jobs:
        gc.disable()
    elif not any(r._jobs for r in _runners.values()):
        gc.enable()


def _collect_young() -> None:
    if not gc.isenabled():
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [generation for generation in range(2) if counts[generation] > thresholds[generation]]
        if due:
            gc.collect(due[-1])


class Runner(QObject):
    """The application's runner: one per broadcast (so per AppContext); see the module's text."""

    def __init__(self, changes: Broadcast):
        super().__init__()
        # Created before the signals: children are deleted in creation order, so that a pool's destructor (which
        # waits for a running job) comes before the object that job emits on.
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(READERS)
        self._signals = _Signals(self)
        self._signals.done.connect(self._done, Qt.ConnectionType.QueuedConnection)
        self._signals.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.changes = changes
        self._jobs: dict[int, _Job] = {}
        self._numbers = count()
        self._saving: dict[int, frozenset[int] | None] = {}  # op job → its cases, until told

    def saving(self, case_id: int) -> bool:
        """An op of this process that touches the case is running or not yet told: a reload will follow."""
        return any(ids is None or case_id in ids for ids in self._saving.values())

    def _submit(self, job: _Job) -> int:
        number = next(self._numbers)
        self._jobs[number] = job
        _hold_collector(self)
        if job.change is not None:
            self._saving[number] = job.change.case_ids
            self._start(self._writes, number)
        return number

    def _start(self, pool: QThreadPool, number: int) -> None:
        # A plain callable, not a QRunnable subclass: PySide keeps a started QRunnable's wrapper (and so its
        # closure) alive as long as the pool, one more for every job.
        pool.start(partial(_work, self._jobs, number, self._signals))

    def _done(self, number: int, result: object) -> None:
        job = self._jobs.pop(number)  # the closures go here, on the UI thread
        _hold_collector(self)
        try:
            if shiboken6.isValid(job.lane):
                job.on_done(result)
        finally:
            job.lane._finished(number)
            if job.change is not None:
                self._saving.pop(number, None)
                self.changes.emit(job.change)

    def _failed(self, number: int, exc: BaseException) -> None:
        job = self._jobs.pop(number)
        _hold_collector(self)
        self._saving.pop(number, None)
        try:
            if shiboken6.isValid(job.lane):
                (job.on_error or (lambda e: show_error(job.lane.parent(), e)))(exc)
            elif job.change is not None:  # a save of a closed window failed: still said
                show_error(None, exc)
            else:
                log.warning("A closed window's read failed: %r", exc)
        finally:
            job.lane._finished(number)

    def wait(self) -> None:
        """Until the running and queued jobs are done; their results still arrive through the event loop."""
        self._writes.waitForDone()
        self._reads.waitForDone()


_runners: weakref.WeakKeyDictionary[Broadcast, Runner] = weakref.WeakKeyDictionary()


def app_runner(ctx: AppContext) -> Runner:
    """The context's runner, made on first use (ui.app makes it at start; a test's context on its first window)."""
    runner = _runners.get(ctx.changes)
    if runner is None:
        runner = _runners[ctx.changes] = Runner(ctx.changes)
    return runner


class Lane(QObject):
    """A window's way to the application's runner: its busy state, and its reads in order."""

    busy_changed = Signal(bool)

    def __init__(self, runner: Runner, window: QObject):
        super().__init__(window)
        self.runner = runner
        self._mine: set[int] = set()
        self._reading: int | None = None  # this lane's read on the pool now
        self._waiting: deque[int] = deque()  # its reads asked for after it

    @property
    def idle(self) -> bool:
        return not self._mine

    def op(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
           on_error: Callable[[BaseException], None] | None = None, *, cases: Iterable[int] | None) -> None:
        """A change; `cases` the case ids it changes (MANY: not known which, e.g. an import)."""
        change = Change(None if cases is None else frozenset(cases), local=True)
        self._add(self.runner._submit(_Job(fn, on_done, on_error, self, change)))

    def query(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None] | None = None) -> None:
        number = self.runner._submit(_Job(fn, on_done, on_error, self, None))
        self._add(number)
        if self._reading is None:
            self._reading = number
            self.runner._start(self.runner._reads, number)
        else:
            self._waiting.append(number)

    def _add(self, number: int) -> None:
        if not self._mine:
            self.busy_changed.emit(True)
        self._mine.add(number)

    def _finished(self, number: int) -> None:
        """On the UI thread, after the job's callback (which may have asked for more)."""
        self._mine.discard(number)
        alive = shiboken6.isValid(self)
        if number == self._reading:
            self._reading = None
            while self._waiting and self._reading is None:
                following = self._waiting.popleft()
                if alive:
                    self._reading = following
                    self.runner._start(self.runner._reads, following)
                else:  # the window is gone: its reads are not run
                    self.runner._jobs.pop(following, None)
                    _hold_collector(self.runner)
                    self._mine.discard(following)
        if alive and not self._mine:
            self.busy_changed.emit(False)

    def wait(self) -> None:
        """Until this lane's work is done and delivered (a test's, or before the database is closed)."""
        while self._mine:
            self.runner.wait()
            QCoreApplication.processEvents()


def lane(ctx: AppContext, window: QObject) -> Lane:
    return Lane(app_runner(ctx), window)


def busy_indicator(window: QMainWindow, width: int = 140) -> QProgressBar:
    """The status bar's "working" bar for a window's lane: hidden until a job runs (busy_changed shows it)."""
    busy = QProgressBar()
    busy.setRange(0, 0)
    busy.setMaximumWidth(width)
    busy.setAccessibleName("Arbetar")
    busy.hide()
    window.statusBar().addPermanentWidget(busy)
    return busy
