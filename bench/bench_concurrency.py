"""Benchmarks of instances writing at once (issue #12, 5), each on its own copy of the generated database:

- four_instances: four processes, each signed in as another case worker, open cases and save notes, contacts and
  offers (app.cases) as fast as they can for `writing_seconds` (default 60). Reported: commits/s, version
  conflicts (ConflictError: two saw the same case), "database is locked" errors (must be 0), events reported
  saved but missing (must be 0), the longest wait of a call.
- rule_change: a change of thresholds re-evaluating every open step in batches while one colleague keeps saving;
  reported: each batch's transaction time (taking the lock to the end of the commit, which includes SQLite's
  automatic checkpoint after the lock is given back: an upper bound), the write lock as another process sees it
  (tests/protection/lock_probe.py: the unbroken stretches in which it could not take the lock), and the
  colleague's longest wait.

Also on an existing demo database: python bench/bench_concurrency.py DB [--seconds 60] [--today YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select

from app import rule_settings
from app.context import sign_in
from app.database import open_database
from app.location import Server
from app.roles import Role
from db.models import CaseEvent, User
from tests.protection.case_worker import Instances
from tests.protection.rule_changer import overrides

LOGINS = ["bench.anna", "bench.bo", "bench.cecilia", "bench.david"]


def copy_of(source, folder: Path, name: str):
    """The generated database is closed (checkpointed): the file alone is the database. On a server the
    instances write to the generated database itself (the benchmarks after them see a few more events)."""
    if isinstance(source, Server):
        return source
    target = folder / f"{name}.sqlite"
    shutil.copy(source, target)
    open_database(target).close()  # migrated here, not by the instances all at once
    return target


def four_instances(bench) -> list[dict]:
    seconds = getattr(bench, "writing_seconds", 60.0)
    path = copy_of(bench.db_path, Path(bench.tmp), "four_instances")
    reports = Instances(path, LOGINS, seconds, today=bench.today).reports()

    def total(key: str) -> int:
        return sum(r[key] for r in reports)

    return [
        {"name": "four_instances_commits_per_second", "value": round(total("commits") / seconds, 1),
         "unit": "commits/s"},
        {"name": "four_instances_actions_per_second", "value": round(total("actions") / seconds, 1),
         "unit": "actions/s"},
        {"name": "four_instances_version_conflicts", "value": total("conflicts"), "unit": "count"},
        {"name": "four_instances_locked_errors", "value": total("locked"), "unit": "count"},
        {"name": "four_instances_other_errors", "value": total("storage_errors") + len(
            [e for r in reports for e in r["errors"] if "locked" not in e]), "unit": "count"},
        {"name": "four_instances_lost_events", "value": lost_events(path, reports), "unit": "count"},
        {"name": "four_instances_max_wait_ms", "value": round(max(r["max_wait"] for r in reports) * 1000),
         "unit": "ms"},
        {"name": "four_instances_p99_wait_ms", "value": round(max(r["p99_wait"] for r in reports) * 1000),
         "unit": "ms"},
    ]


def lost_events(path: Path, reports: list[dict]) -> int:
    db = open_database(path)
    try:
        with db.reading() as session:
            lost = 0
            for report in reports:
                saved = set(session.scalars(select(CaseEvent.id).join(User, User.id == CaseEvent.user_id)
                                            .where(User.login == report["login"])))
                lost += len(set(report["events"]) - saved)
            return lost
    finally:
        db.close()


def rule_change(bench) -> list[dict]:
    if isinstance(bench.db_path, Server):
        print("rule_change: its lock probe measures SQLite's file lock; no server figure", file=sys.stderr)
        return []
    path = copy_of(bench.db_path, Path(bench.tmp), "rule_change")
    colleague = Instances(path, ["bench.kollega"], 3600, today=bench.today, think_ms=20)
    probe = subprocess.Popen([sys.executable, "-m", "tests.protection.lock_probe", str(path)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert probe.stdout.readline().strip() == "ready"
    db = open_database(path)
    try:
        ctx = sign_in(db, "bench.admin")
        ctx.role, ctx.today = Role.ADMINISTRATOR, lambda: bench.today
        locks = []
        transaction = db.transaction

        @contextmanager
        def timed():
            with transaction() as session:
                held = time.perf_counter()  # the write lock is taken (BEGIN IMMEDIATE) …
                yield session
            locks.append(time.perf_counter() - held)  # … until the commit is done

        db.transaction = timed
        started = time.perf_counter()
        steps = rule_settings.change_rules(ctx, overrides(40))
        elapsed = time.perf_counter() - started
    finally:
        seen = json.loads(probe.communicate(timeout=60)[0])
        (report,) = colleague.stop()
        db.close()
    locks.sort()
    return [
        {"name": "rule_change_steps", "value": steps, "unit": "steps"},
        {"name": "rule_change_seconds", "value": round(elapsed, 1), "unit": "s"},
        {"name": "rule_change_batches", "value": len(locks), "unit": "count"},
        {"name": "rule_change_batch_median_ms", "value": round(statistics.median(locks) * 1000), "unit": "ms"},
        {"name": "rule_change_batch_p95_ms", "value": round(locks[int(len(locks) * 0.95)] * 1000), "unit": "ms"},
        {"name": "rule_change_batch_max_ms", "value": round(locks[-1] * 1000), "unit": "ms"},
        {"name": "rule_change_lock_seen_median_ms", "value": seen["median_ms"], "unit": "ms"},
        {"name": "rule_change_lock_seen_p95_ms", "value": seen["p95_ms"], "unit": "ms"},
        {"name": "rule_change_lock_seen_max_ms", "value": seen["max_ms"], "unit": "ms"},
        {"name": "rule_change_colleague_commits", "value": report["commits"], "unit": "commits"},
        {"name": "rule_change_colleague_max_wait_ms", "value": round(report["max_wait"] * 1000), "unit": "ms"},
        {"name": "rule_change_colleague_locked_errors", "value": report["locked"], "unit": "count"},
    ]


BENCHMARKS = {"four_instances": four_instances, "rule_change": rule_change}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path, help="a generated demo database (copied; the copy is written)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the four instances write")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lotsen-bench-") as folder:
        bench = argparse.Namespace(db_path=args.db, tmp=Path(folder), today=args.today, writing_seconds=args.seconds)
        figures = [figure for name in args.only for figure in BENCHMARKS[name](bench)]
    for figure in figures:
        print(f"{figure['name']:<40} {figure['value']:>12,} {figure['unit']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
