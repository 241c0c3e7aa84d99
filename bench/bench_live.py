"""Colleagues' changes live (issue 14, 5): the time from a save in one process until another process's listener
(app.changes.Feed, as the desktop app runs it) hears of it, over 200 saves one after the other: p50 and p95, and
the saves' own time. On PostgreSQL the save's NOTIFY; on a file the listener's poll of PRAGMA data_version (every
db.changes.POLL_SECONDS), so there the poll interval bounds it.

Times are from the start of the save (the call to app.cases.add_note) to the moment the listener has the change,
both read from the machine's wall clock (the two processes run on one machine).

Also on its own: python bench/bench_live.py DB [--saves 200] (DB a file, copied first, or a postgresql:// URL)."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select

from app import cases
from app.changes import Feed
from app.context import sign_in
from app.database import open_database
from app.location import Server, parse
from db.models import Case

SAVES = 200


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(location, saves: int = SAVES, today: date | None = None) -> dict[str, list[float]]:
    """Seconds from each save's start until the listener process has it, and each save's own seconds."""
    db = open_database(location)
    ctx = sign_in(db, "bench.kollega", "Bench Kollega")  # before the listener starts: its own write is no save
    if today is not None:
        ctx.today = lambda: today
    with db.reading() as session:
        case_id = session.scalar(select(Case.id).where(Case.closed_on.is_(None)).order_by(Case.id).limit(1))
    listener = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--listen", str(location)], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
    try:
        assert listener.stdout.readline().strip() == "ready"
        heard, took = [], []
        for n in range(saves):
            started = time.time()
            cases.add_note(ctx, case_id, f"mätning {n}")
            took.append(time.time() - started)
            heard.append(float(listener.stdout.readline()) - started)
    finally:
        db.close()
        listener.kill()
        listener.wait()
    return {"heard": heard, "save": took}


def live_changes(bench) -> list[dict]:
    location = bench.db_path
    if not isinstance(location, Server):  # a file: a copy of its own, as the writing benchmarks do
        location = bench.tmp / "live.sqlite"
        shutil.copyfile(bench.db_path, location)
    found = measure(location, SAVES, bench.today)
    return [{"name": f"live_change_{what}_{p}_ms", "value": round(_percentile(found[key], share) * 1000, 1),
             "unit": "ms"}
            for key, what in (("heard", "seen_by_colleague"), ("save", "save")) for p, share in (("p50", 0.5),
                                                                                            ("p95", 0.95))]


BENCHMARKS = {"live_changes": live_changes}


def _listen(location) -> None:
    """The other process: one line with the wall-clock time of each change it hears."""
    db = open_database(location)
    feed = Feed(db.engine)
    try:
        feed.next(0.1)  # connected (and listening) before the saves begin
        print("ready", flush=True)
        while True:
            if feed.next(1.0) is not None:
                print(time.time(), flush=True)
    finally:
        feed.close()
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", help="a demo database: a file (copied first) or a postgresql:// URL")
    parser.add_argument("--saves", type=int, default=SAVES)
    parser.add_argument("--listen", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    location = parse(args.db)
    if args.listen:
        _listen(location)
        return 0
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lotsen-bench-") as folder:
        if not isinstance(location, Server):
            copy = Path(folder) / "live.sqlite"
            shutil.copyfile(location, copy)
            location = copy
        found = measure(location, args.saves)
    for key in ("heard", "save"):
        print(f"{key:<6} p50 {_percentile(found[key], 0.5) * 1000:7.1f} ms   p95 "
              f"{_percentile(found[key], 0.95) * 1000:7.1f} ms   max {max(found[key]) * 1000:7.1f} ms   "
              f"mean {statistics.mean(found[key]) * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
