"""Measured in a fresh process, as a case worker starts Lotsen: imports, open, sign in, painted worklist;
then the worklist's re-sort and filter steps, opening a case, and the process's peak memory.
Prints one JSON object. Usage: python bench/ui_probe.py DB"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

started = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pathlib import Path  # noqa: E402

from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.context import sign_in  # noqa: E402
from app.database import open_database  # noqa: E402
from app.guarantee import State  # noqa: E402
from app.worklist import Filter, Sort, SortOrder  # noqa: E402
from ui.case_window import CaseWindow  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def timed_ms(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main(db_path: Path) -> dict:
    app = QApplication([])
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
    start_s = time.perf_counter() - started
    rows = window.model.rowCount()
    window.runner.wait()  # the summary counts, loaded after the worklist

    model = window.model
    model._runner = None  # measure the query itself, synchronously
    steps = {
        "sort_waited": lambda: model.set_query(Filter(), SortOrder(Sort.WAITED, True)),
        "sort_patient": lambda: model.set_query(Filter(), SortOrder(Sort.PATIENT)),
        "sort_urgency": lambda: model.set_query(Filter(), SortOrder()),
        "filter_state": lambda: model.set_query(Filter(states=frozenset({State.RISK})), SortOrder()),
        "type_a": lambda: model.set_query(Filter(text="a"), SortOrder()),
        "type_an": lambda: model.set_query(Filter(text="an"), SortOrder()),
        "type_and": lambda: model.set_query(Filter(text="and"), SortOrder()),
        "type_digits": lambda: model.set_query(Filter(text="1971"), SortOrder()),
    }
    step_ms = {}
    for name, step in steps.items():
        samples = []
        for _ in range(3):
            samples.append(timed_ms(lambda: (step(), model.index(0, 0).data())))
        step_ms[name] = statistics.median(samples)

    model.set_query(Filter(), SortOrder())
    case_ids = [model.case_id(r) for r in range(0, min(rows, 2000), 200)]
    open_ms = [timed_ms(lambda c=c: CaseWindow(ctx, c).close()) for c in case_ids]
    for r in range(0, rows, max(1, rows // 50)):  # scroll through the list
        model.index(r, 1).data()

    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "start_s": start_s, "steps_ms": step_ms, "open_case_ms": statistics.median(open_ms),
            "open_case_max_ms": max(open_ms), "peak_rss_mb": peak_mb}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))), flush=True)
    os._exit(0)  # the figures are out; skip PySide's teardown, which is not what is measured here
