"""Benchmarks of a clinic's whole list (DOMAIN.md §8): reconciling a 100 000-row list with Lotsen (import,
comparison and review list) < 30 s, and re-importing it unchanged < 15 s, each with its peak memory.

Each phase runs in its own process (this file as a script), so that its peak resident memory is its own and not
the generated region's. LOTSEN_BENCH_LIST_ROWS sets a smaller list for a quick run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 22)
SOURCE = "Ortopeden SUS"
CHANGED, NEW, MISSING = 0.02, 0.02, 0.02  # shares of the list between two exports


def lists(rows: int) -> tuple[list[list[str]], list[list[str]]]:
    """Yesterday's list and today's: 2 % of the rows changed (priority), 2 % new, 2 % gone."""
    from tests.importer.lists import waiting_rows

    every = waiting_rows(int(rows * (1 + NEW)), TODAY)
    before = every[:rows]
    after = [list(r) for r in before[int(rows * MISSING):]] + every[rows:]
    for row in after[:int(rows * CHANGED)]:
        row[8] = "1" if row[8] != "1" else "2"
    return before, after


def phase(name: str, folder: Path, rows: int) -> dict:
    """One measured import in this process: the seconds it took, its counts and the process's peak memory."""
    import resource

    from app import importer
    from app.context import sign_in
    from app.database import open_database
    from tests.importer.lists import HEADINGS, write_csv

    db = open_database(folder / "lists.sqlite")
    ctx = sign_in(db, "bench")
    ctx.today = lambda: TODAY
    before, after = lists(rows)
    path = write_csv(folder / f"{name}.csv", before if name == "yesterday" else after, encoding="cp1252")
    columns = importer.guess_columns("waiting-list", HEADINGS)
    started, cpu = time.perf_counter(), time.process_time()
    result = importer.import_file(ctx, "waiting-list", path, columns, SOURCE, whole_list=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return {"seconds": seconds, "cpu": cpu, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "missing": result.missing, "rejected": result.rejected_rows,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run(name: str, folder: Path, rows: int) -> dict:
    done = subprocess.run([sys.executable, __file__, name, str(folder), str(rows)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def reconcile_whole_list(bench) -> list[dict]:
    rows = int(os.environ.get("LOTSEN_BENCH_LIST_ROWS", "100000"))
    folder = Path(bench.tmp) / "clinic-lists"
    folder.mkdir(parents=True, exist_ok=True)
    first = _run("yesterday", folder, rows)
    assert first["created"] == rows, first
    today = _run("today", folder, rows)
    assert (today["created"], today["updated"], today["missing"]) == (int(rows * NEW), int(rows * CHANGED),
                                                                       int(rows * MISSING)), today
    again = _run("again", folder, rows)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, len(lists(rows)[1])), again
    size = f"{rows:,}".replace(",", " ")
    return [
        {"name": f"hel lista {size} rader, första import", "value": round(first["seconds"], 2), "unit": "s"},
        {"name": f"hel lista {size} rader, avstämning (import, jämförelse, granskningslista)",
         "value": round(today["seconds"], 2), "unit": "s"},
        {"name": f"hel lista {size} rader, avstämning: processortid (utan väntan på delade kärnor)",
         "value": round(today["cpu"], 2), "unit": "s"},
        {"name": f"hel lista {size} rader, avstämning: största minne", "value": round(today["peak_mb"], 1),
         "unit": "MB"},
        {"name": f"hel lista {size} rader, oförändrad återimport", "value": round(again["seconds"], 2), "unit": "s"},
        {"name": f"hel lista {size} rader, oförändrad återimport: processortid", "value": round(again["cpu"], 2),
         "unit": "s"},
        {"name": f"hel lista {size} rader, oförändrad återimport: största minne", "value": round(again["peak_mb"], 1),
         "unit": "MB"},
    ]


BENCHMARKS = {"reconcile_whole_list": reconcile_whole_list}

if __name__ == "__main__":
    print(json.dumps(phase(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))))
