"""A team on the server (issue 14): N case workers, separate processes, each connected as their own PostgreSQL
role in the lotsen_vardlots group (`lotsen db init-roles`, `lotsen db add-user`), open cases and save notes,
contacts and offers for `writing_seconds`, each pausing LOTSEN_BENCH_THINK_MS between actions (default 2 000 ms:
one action every two seconds, far busier than a case worker on the phone). Reported: p95 of a save (the slowest
worker's), commits/s, version conflicts (caught, never lost), saves reported but missing (must be 0), broken links
in the access log's chain (must be 0: the server writes it under its lock), and how long until a colleague hears
of a save: a listener in this process (app.changes.Feed, as the desktop app runs it) notes when each change
arrives; a save counts from its start to the first change naming its case (the worklist then re-reads its rows).

Server only. Each role connects like the benchmark's own URL with its own user name, so the server must let it in
without a password (a local socket with trust or peer, a pgpass file, or Kerberos). LOTSEN_BENCH_TEAM sets N
(default 10; the issue's target is 30 on a machine with the cores for it)."""

from __future__ import annotations

import bisect
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app import server_admin
from app.audit import chain
from app.changes import Change, Feed
from app.database import open_database
from app.location import Server
from bench.bench_concurrency import lost_events
from tests.protection.case_worker import Instances


def team_on_server(bench) -> list[dict]:
    if not isinstance(bench.db_path, Server):
        print("team_on_server: the team's roles are the server's; no file figure", file=sys.stderr)
        return []
    size = int(os.environ.get("LOTSEN_BENCH_TEAM", "10"))
    seconds = getattr(bench, "writing_seconds", 60.0)
    owner: Server = bench.db_path
    server_admin.init_roles(owner)
    logins = [f"bench.lots{n:02d}" for n in range(size)]
    for login in logins:
        server_admin.add_user(owner, login, "vårdlots")
    own = {login: Server(owner.url.set(username=login, password=None)) for login in logins}
    think_ms = int(os.environ.get("LOTSEN_BENCH_THINK_MS", "2000"))
    db = open_database(owner)
    try:
        with _colleague(db) as heard:
            reports = Instances(own, logins, seconds, today=bench.today, think_ms=think_ms).reports()
        with db.reading() as session:
            result = chain.verify(session)
    finally:
        db.close()
    commits = sum(r["commits"] for r in reports)
    delays = _heard_after([tuple(saved) for r in reports for saved in r["saved"]], heard)
    return [
        {"name": f"team of {size}: p95 until a colleague hears of a save", "value": _ms(delays, 0.95), "unit": "ms"},
        {"name": f"team of {size}: p50 until a colleague hears of a save", "value": _ms(delays, 0.5), "unit": "ms"},
        {"name": f"team of {size}: saves a colleague never heard of", "value": sum(d is None for d in delays),
         "unit": "count"},
        {"name": f"team of {size}: saves and views committed per second", "value": round(commits / seconds, 1),
         "unit": "commits/s"},
        {"name": f"team of {size}: p95 of a save (slowest worker)",
         "value": round(max(r["p95_save"] for r in reports) * 1000), "unit": "ms"},
        {"name": f"team of {size}: longest call", "value": round(max(r["max_wait"] for r in reports) * 1000),
         "unit": "ms"},
        {"name": f"team of {size}: version conflicts caught", "value": sum(r["conflicts"] for r in reports),
         "unit": "count"},
        {"name": f"team of {size}: saves reported but missing", "value": lost_events(owner, reports),
         "unit": "count"},
        {"name": f"team of {size}: broken links in the access log's chain", "value": 0 if result.ok else 1,
         "unit": "links"},
        {"name": f"team of {size}: access-log rows checked", "value": result.checked, "unit": "rows"},
        {"name": f"team of {size}: other errors", "value": sum(r["storage_errors"] + r["locked"] for r in reports),
         "unit": "count"},
    ]


BENCHMARKS = {"team_on_server": team_on_server}


@contextmanager
def _colleague(db) -> Iterator[list[tuple[float, Change]]]:
    """A colleague's listener on its own thread while the block runs: (wall-clock time, change) as they arrive."""
    heard: list[tuple[float, Change]] = []
    feed, done = Feed(db.engine), threading.Event()
    feed.next(0.1)  # listening before the first save

    def listen() -> None:
        while not done.is_set():
            change = feed.next(0.5)
            if change is not None:
                heard.append((time.time(), change))

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    try:
        yield heard
    finally:
        done.set()
        thread.join()
        feed.close()


def _heard_after(saves: list[tuple[int, float]], heard: list[tuple[float, Change]]) -> list[float | None]:
    """Per save (case id, when it began): seconds until the first change naming its case; None if none came."""
    times = [at for at, _ in heard]
    out = []
    for case_id, began in saves:
        first = bisect.bisect_left(times, began)
        out.append(next((times[i] - began for i in range(first, len(heard)) if heard[i][1].touches(case_id)), None))
    return out


def _ms(delays: list[float | None], share: float) -> float:
    known = sorted(d for d in delays if d is not None) or [0.0]
    return round(known[min(len(known) - 1, int(share * len(known)))] * 1000, 1)
