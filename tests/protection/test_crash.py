"""Crash safety: a process recording events is killed (SIGKILL) at random moments, again and again; every event
it reported as saved is still there, a file passes SQLite's integrity check and the access log is whole."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit.verify import verify_log
from app.database import open_database
from app.location import Location
from db.models import CaseEvent
from db.sqlite_file import integrity_problems
from tests.protection.helpers import open_case

ROOT = Path(__file__).resolve().parents[2]


def _kill_loop(db_path: Location, step_id: int, kills: int, seed: int) -> list[int]:
    chance = random.Random(seed)
    reported: list[int] = []
    for _ in range(kills):
        writer = subprocess.Popen([sys.executable, "-m", "tests.protection.writer", str(db_path), str(step_id)],
                                  cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(chance.uniform(0.0, 0.25))  # somewhere in the middle of a transaction, or between two
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL
        reported += [int(line) for line in out.splitlines() if line.strip().isdigit()]
    return reported


@pytest.mark.parametrize("kills", [6, pytest.param(30, marks=pytest.mark.slow)])
def test_killed_writers_lose_nothing_they_reported_and_never_corrupt_the_file(ctx, db_path, kills):
    opened = open_case(ctx)
    ctx.db.close()
    reported = _kill_loop(db_path, opened.step_id, kills, seed=kills)
    assert len(reported) > kills  # the writer did get work done between the kills
    if isinstance(db_path, Path):  # the file as SQLite finds it, before Lotsen opens it again
        assert integrity_problems(db_path) == []
    db = open_database(db_path)
    with db.reading() as session:
        stored = set(session.scalars(select(CaseEvent.id).where(CaseEvent.kind == "contact")))
    result = verify_log(db)
    db.close()
    assert set(reported) <= stored
    assert len(stored - set(reported)) <= kills  # at most the one commit per kill that was not yet reported
    assert result.ok and result.checked == 1 + len(stored)
