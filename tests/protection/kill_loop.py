"""Kill `lotsen demo` and the migrations of an older file at random moments (SIGKILL), round after round; after
each kill the file must open (at the newest schema) and pass SQLite's integrity check and the access log's check.
Used by the test (tests/protection/test_schema_kills.py) and the benchmark (bench/run.py)."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from app.audit.verify import verify_log
from app.database import open_database
from db import migrate
from db.engine import make_engine
from db.sqlite_file import integrity_problems

ROOT = Path(__file__).resolve().parents[2]
OLD_REVISION = "0004"  # a file from before the read model: every later migration runs


@dataclass
class KillLoopResult:
    rounds: int = 0
    killed: int = 0          # rounds where the kill landed before the work was done
    opened: int = 0          # files that opened and verified afterwards
    failures: list[str] = None  # what went wrong, per failed round

    def __post_init__(self):
        self.failures = self.failures or []


def old_file(path: Path) -> Path:
    """An empty database at OLD_REVISION, as an earlier Lotsen left it."""
    engine = make_engine(path)
    migrate.upgrade_to(engine, OLD_REVISION)
    engine.dispose()
    return path


def _timed(what: str, path: Path) -> float:
    """How long the work takes when it is not killed, from "ready" on: the range to kill in."""
    process = _run(what, path)
    started = time.perf_counter()
    process.wait(timeout=300)
    return time.perf_counter() - started


def _run(what: str, path: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "tests.protection.schema_worker", what, str(path)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def _verify(path: Path) -> str | None:
    """None when the file opens at the newest schema and both checks pass; else what failed."""
    try:
        db = open_database(path)
    except Exception as exc:  # noqa: BLE001 - any failure to open is this round's finding
        return f"does not open: {exc}"
    try:
        at_head = migrate.is_at_head(db.engine)
        log = verify_log(db)
    finally:
        db.close()
    if not at_head:
        return "not at the newest schema"
    if problems := integrity_problems(path):
        return f"integrity: {problems[:3]}"
    return None if log.ok else f"access log: {log.message()}"


def kill_loop(folder: Path, rounds: int, seed: int = 12) -> KillLoopResult:
    chance = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    template = old_file(folder / "mall.sqlite")
    durations = {"demo": _timed("demo", folder / "tid-demo.sqlite")}
    shutil.copyfile(template, folder / "tid-open.sqlite")
    durations["open"] = _timed("open", folder / "tid-open.sqlite")
    result = KillLoopResult()
    for n in range(rounds):
        what = chance.choice(("demo", "open"))
        path = folder / f"runda-{n}.sqlite"
        if what == "open":
            shutil.copyfile(template, path)
        process = _run(what, path)
        time.sleep(chance.uniform(0, durations[what]))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        result.rounds += 1
        result.killed += process.returncode == -signal.SIGKILL
        if (problem := _verify(path)) is None:
            result.opened += 1
        else:
            result.failures.append(f"round {n} ({what}): {problem}")
        for leftover in folder.glob(f"runda-{n}.sqlite*"):
            leftover.unlink()
    return result
