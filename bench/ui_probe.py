"""Measured in a fresh process, as a case worker starts Lotsen: imports, open, sign in, painted worklist (and,
loaded after it, the summary; the CPU time to the painted worklist tells how much of the wall time was waiting
for a busy machine); then the worklist's re-sort and filter steps, opening a case, and the process's peak memory.
Prints one JSON object. Usage: python bench/ui_probe.py DB"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

started, started_cpu = time.perf_counter(), time.process_time()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.context import sign_in
from app.database import open_database
from app.guarantee import State
from app.location import parse
from app.worklist import Filter, Sort, SortOrder
from ui.main_window import MainWindow


def timed_ms(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main(db_path: Path) -> dict:
    app = QApplication([])  # noqa: F841 (kept alive for the windows below)
    db = open_database(db_path)
    ctx = sign_in(db, "bench", "Bench")
    window = MainWindow(ctx)
    window.resize(1366, 768)
    loop = QEventLoop()
    window.model.loaded.connect(loop.quit)
    window.show()
    if window.model.rowCount() == 0:
        loop.exec()
    window.grab()  # the worklist painted, rows fetched for the visible page
    start_s, start_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu  # CPU: all threads
    rows = window.model.rowCount()
    while not window.summary.buttons:  # the summary counts and filter lists, loaded after the worklist
        QTimer.singleShot(10, loop.quit)
        loop.exec()
    summary_s = time.perf_counter() - started
    window.runner.wait()  # and the export reminder, loaded after the first paint: not measured with the steps

    model = window.model
    model._runner = None  # measure the query itself, synchronously
    # A filter step counts per state in every sample (as a new filter does); a sort keeps the counts.
    steps = {
        "sort_waited": lambda: model.set_query(Filter(), SortOrder(Sort.WAITED, True)),
        "sort_patient": lambda: model.set_query(Filter(), SortOrder(Sort.PATIENT)),
        "sort_urgency": lambda: model.set_query(Filter(), SortOrder()),
        "filter_state": lambda: model.set_query(Filter(states=frozenset({State.RISK})), SortOrder(), recount=True),
        "type_a": lambda: model.set_query(Filter(text="a"), SortOrder(), recount=True),
        "type_an": lambda: model.set_query(Filter(text="an"), SortOrder(), recount=True),
        "type_and": lambda: model.set_query(Filter(text="and"), SortOrder(), recount=True),
        "type_digits": lambda: model.set_query(Filter(text="1971"), SortOrder(), recount=True),
    }
    step_ms = {}
    for name, step in steps.items():
        samples = []
        for _ in range(3):
            samples.append(timed_ms(lambda step=step: (step(), model.index(0, 0).data())))
        step_ms[name] = statistics.median(samples)

    from ui.case_window import CaseWindow  # as the main window does: with the first case opened

    model.set_query(Filter(), SortOrder())
    case_ids = [model.case_id(r) for r in range(0, min(rows, 2000), 200)]
    open_ms = [timed_ms(lambda c=c: CaseWindow(ctx, c).close()) for c in case_ids]
    for r in range(0, rows, max(1, rows // 50)):  # scroll through the list
        model.index(r, 1).data()

    peak_mb = _peak_rss_mb()
    return {"rows": rows, "start_s": start_s, "start_cpu_s": start_cpu_s, "summary_s": summary_s,
            "steps_ms": step_ms, "open_case_ms": statistics.median(open_ms), "open_case_max_ms": max(open_ms),
            "peak_rss_mb": peak_mb}


def _peak_rss_mb() -> float:
    """This process's own peak. Linux: VmHWM; getrusage's ru_maxrss would also count the parent's peak, which a
    child started by fork and exec inherits (bench/run.py's import benchmark, for one)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    print(json.dumps(main(parse(sys.argv[1]))), flush=True)
    os._exit(0)  # the figures are out; skip PySide's teardown, which is not what is measured here
