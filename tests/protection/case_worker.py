"""A case worker's Lotsen instance for the multi-process tests and bench/bench_concurrency.py: opens cases and
writes notes, contacts and offers through app.cases as fast as it can, then prints what happened as one JSON line.

    python -m tests.protection.case_worker DB LOGIN SECONDS [--today D] [--busy-ms MS] [--seed N]

Prints "ready" once signed in and starts on "go" (stdin); stops after SECONDS or on "stop". Every saved event's id
is reported, so that the caller can check that nothing reported as saved is missing. Each call's time, including
any wait for the write lock, is measured; a call that waits longer than SQLite's busy timeout fails as "locked".
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event, select

from app import cases
from app.context import sign_in
from app.database import open_database
from app.errors import ConflictError, InputError, StorageError
from app.location import Location, parse
from db.models import Step

ROOT = Path(__file__).resolve().parents[2]
SHARED = 40          # the most urgent-looking steps every worker also works on: where version conflicts come from
SHARED_SHARE = 0.1   # share of the actions on them
SAVES = {"anteckning", "kontakt", "erbjudande"}  # the calls that write (the rest only read)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=parse)  # a file or a postgresql:// URL
    parser.add_argument("login")
    parser.add_argument("seconds", type=float)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 22))
    parser.add_argument("--busy-ms", type=int, help="SQLite's busy timeout instead of the app's")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--think-ms", type=int, default=0, help="pause between a worker's actions")
    args = parser.parse_args(argv)

    db = open_database(args.db)
    if args.busy_ms is not None:
        @event.listens_for(db.engine, "connect")
        def _busy(dbapi_connection, _record):  # after db.engine's own listener: this timeout wins
            dbapi_connection.execute(f"PRAGMA busy_timeout = {args.busy_ms}")

        db.engine.dispose()
    ctx = sign_in(db, args.login, args.login.replace(".", " ").title())
    ctx.today = lambda: args.today
    with db.reading() as session:
        open_steps = session.execute(select(Step.id, Step.case_id).where(Step.is_open).order_by(Step.id)).all()
    rng = random.Random(f"{args.seed}-{args.login}")
    stop = threading.Event()
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    threading.Thread(target=_stop_on_request, args=(stop,), daemon=True).start()

    stats = {"login": args.login, "commits": 0, "views": 0, "actions": 0, "conflicts": 0, "locked": 0,
             "refused": 0, "storage_errors": 0, "errors": [], "waits": [], "events": [], "saved": []}

    def call(kind: str, service, *args, **kwargs):
        started = time.perf_counter()
        try:
            result = service(ctx, *args, **kwargs)
        except ConflictError:
            stats["conflicts"] += 1
            return None
        except InputError:  # a clock rule refused the action (e.g. an offer on a paused step): the user's case
            stats["refused"] += 1
            return None
        except StorageError as exc:
            cause = str(exc.__cause__ or exc).lower()
            stats["locked" if "locked" in cause or "busy" in cause else "storage_errors"] += 1
            stats["errors"].append(f"{kind}: {exc.message} ({exc.__cause__})")
            return None
        except Exception as exc:  # noqa: BLE001 - reported to the caller, which fails the run
            stats["errors"].append(f"{kind}: {exc!r}")
            return None
        finally:
            stats["waits"].append((time.perf_counter() - started, kind))
        stats["commits"] += 1
        return result

    ends = time.monotonic() + args.seconds
    today = args.today
    while time.monotonic() < ends and not stop.is_set():
        step_id, case_id = rng.choice(open_steps[:SHARED] if rng.random() < SHARED_SHARE else open_steps)
        view = call("öppna ärende", cases.view_case, case_id)  # a write: the access log
        if view is None:
            continue
        stats["views"] += 1
        if view.closed_on is not None:
            continue
        roll = rng.random()
        seen = view.version
        began = time.time()  # wall clock: a colleague's process compares its own with it (bench/bench_team.py)
        if roll < 0.4:
            saved = call("anteckning", cases.add_note, case_id, f"Ringde patienten ({args.login}).",
                         expected_version=seen)
        elif roll < 0.8:
            saved = call("kontakt", cases.record_contact, step_id, today, "telefon", "Står kvar i kön",
                         expected_version=seen)
        else:
            saved = call("erbjudande", cases.make_offer, step_id, today, today + timedelta(days=21),
                         today + timedelta(days=7), "Ortopedkliniken Ystad", expected_version=seen)
        if saved is not None:
            stats["actions"] += 1
            stats["events"].append(saved)
            stats["saved"].append((case_id, began))
        time.sleep(args.think_ms / 1000)
    calls = sorted(stats.pop("waits")) or [(0.0, "")]
    waits = [wait for wait, _kind in calls]
    saves = sorted(wait for wait, kind in calls if kind in SAVES) or [0.0]
    stats.update(max_wait=round(waits[-1], 3), p99_wait=round(waits[int(len(waits) * 0.99)], 3),
                 p95_save=round(saves[int(len(saves) * 0.95)], 3),
                 over_1s=sum(w > 1 for w in waits), calls=len(waits),
                 slowest=[(round(wait, 3), kind) for wait, kind in calls[-3:]])
    db.close()
    print(json.dumps(stats), flush=True)


def _stop_on_request(stop: threading.Event) -> None:
    for line in sys.stdin:
        if line.strip() == "stop":
            stop.set()
            return


class Instances:
    """One worker process per login, started together; `stop()` (or their time running out) ends them."""

    def __init__(self, db_path: Location | dict[str, Location], logins: list[str], seconds: float, *,
                 today: date = date(2026, 11, 22), busy_ms: int | None = None, think_ms: int = 0):
        """`db_path`: the database, or on a team server each login's own connection (its own role)."""
        self.seconds = seconds
        extra = [f"--today={today.isoformat()}", f"--think-ms={think_ms}"]
        extra += [f"--busy-ms={busy_ms}"] if busy_ms is not None else []
        where = db_path if isinstance(db_path, dict) else dict.fromkeys(logins, db_path)
        self.workers = [subprocess.Popen([sys.executable, "-m", "tests.protection.case_worker", str(where[login]),
                                          login, str(seconds), *extra], cwd=ROOT, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True) for login in logins]
        try:
            for worker in self.workers:
                assert worker.stdout.readline().strip() == "ready", "a worker did not start"
            self._tell("go")
        except BaseException:
            self.kill()
            raise

    def _tell(self, line: str) -> None:
        for worker in self.workers:
            worker.stdin.write(line + "\n")
            worker.stdin.flush()

    def stop(self) -> list[dict]:
        self._tell("stop")
        return self.reports()

    def reports(self) -> list[dict]:
        """Each worker's report, once it has ended."""
        try:
            reports = []
            for worker in self.workers:
                out, _ = worker.communicate(timeout=self.seconds + 120)
                assert worker.returncode == 0, f"a worker failed: {out}"
                reports.append(json.loads(out.strip().splitlines()[-1]))
            return reports
        finally:
            self.kill()

    def kill(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()


if __name__ == "__main__":
    main()
