"""Benchmarks of a clinic's whole list (DOMAIN.md §8): reconciling a 100 000-row list with Lotsen (import,
comparison and review list) < 30 s, and re-importing it unchanged < 15 s, each with its peak memory.

Each phase runs in its own process (this file as a script), so that its peak resident memory is its own and not
the generated region's. The list gets a database of its own: a file, or with --db a new database on the same
server (the benchmark's user may create databases; it is dropped afterwards). "processortid" is the importing
process's own CPU time, the figure that does not depend on what else shares the cores; on a server its work shows
in the seconds only. LOTSEN_BENCH_LIST_ROWS sets a smaller list for a quick run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.paths import ENV_DB

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


def phase(name: str, folder: Path) -> dict:
    """One measured import in this process: the seconds it took, its counts and the process's peak memory (the
    lists are written by the caller, so it is the import's own). The database: LOTSEN_DB (a server's, see
    _own_database), else a file in `folder`."""
    import resource

    from app import importer
    from app.context import sign_in
    from app.database import open_database
    from app.location import default_location
    from tests.importer.lists import HEADINGS

    db = open_database(default_location() if os.environ.get(ENV_DB) else folder / "lists.sqlite")
    ctx = sign_in(db, "bench")
    ctx.today = lambda: TODAY
    path = folder / ("yesterday.csv" if name == "yesterday" else "today.csv")
    columns = importer.guess_columns("waiting-list", HEADINGS)
    started, cpu = time.perf_counter(), time.process_time()
    result = importer.import_file(ctx, "waiting-list", path, columns, SOURCE, whole_list=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return {"seconds": seconds, "cpu": cpu, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "missing": result.missing, "rejected": result.rejected_rows,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run(name: str, folder: Path, server) -> dict:
    env = {k: v for k, v in os.environ.items() if k != ENV_DB}
    if server is not None:  # through the environment: the URL may carry a password
        env[ENV_DB] = server.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, __file__, name, str(folder)], capture_output=True,
                          text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"phase {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def _own_database(bench) -> Iterator:
    """None for a file (each phase opens lists.sqlite in the folder); on a server a new, migrated database
    beside the generated one, dropped at the end."""
    if not bench.on_server:
        yield None
        return
    from sqlalchemy import create_engine, text

    from app.database import upgrade_server
    from app.location import Server

    url = bench.db_path.url
    name = f"{url.database}_clinic_lists"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        server = Server(url.set(database=name))
        upgrade_server(server)
        yield server
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def reconcile_whole_list(bench) -> list[dict]:
    rows = int(os.environ.get("LOTSEN_BENCH_LIST_ROWS", "100000"))
    folder = Path(bench.tmp) / "clinic-lists"
    folder.mkdir(parents=True, exist_ok=True)
    with _own_database(bench) as server:
        return _measure(folder, rows, server)


def _measure(folder: Path, rows: int, server) -> list[dict]:
    from tests.importer.lists import write_csv

    before, after = lists(rows)
    write_csv(folder / "yesterday.csv", before, encoding="cp1252")
    write_csv(folder / "today.csv", after, encoding="cp1252")
    listed = len(after)
    del before, after
    first = _run("yesterday", folder, server)
    assert first["created"] == rows, first
    today = _run("today", folder, server)
    assert (today["created"], today["updated"], today["missing"]) == (int(rows * NEW), int(rows * CHANGED),
                                                                       int(rows * MISSING)), today
    again = _run("again", folder, server)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, listed), again
    size = f"{rows:,}".replace(",", " ")
    figures = []
    for title, measured in (("första import", first), ("avstämning (import, jämförelse, granskningslista)", today),
                            ("oförändrad återimport", again)):
        figures += [
            {"name": f"hel lista {size} rader, {title}", "value": round(measured["seconds"], 2), "unit": "s"},
            {"name": f"hel lista {size} rader, {title}: processortid",
             "value": round(measured["cpu"], 2), "unit": "s"},
            {"name": f"hel lista {size} rader, {title}: största minne", "value": round(measured["peak_mb"], 1),
             "unit": "MB"},
        ]
    return figures


BENCHMARKS = {"reconcile_whole_list": reconcile_whole_list}

if __name__ == "__main__":
    print(json.dumps(phase(sys.argv[1], Path(sys.argv[2]))))
