"""Crash safety at scale: `lotsen demo` and the migrations of an older file killed (SIGKILL) at random moments,
round after round; every file must open at the newest schema and pass both checks afterwards."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.protection.kill_loop import kill_loop

ROUNDS = 100


def kills(ctx) -> list[dict]:
    if ctx.on_server:
        print("kill_loop: a database file's own safety; on the server PostgreSQL's WAL answers for it",
              file=sys.stderr)
        return []
    result = kill_loop(ctx.tmp / "kill-loop", ROUNDS)
    for failure in result.failures:
        print(f"kill loop: {failure}", file=sys.stderr)
    return [{"name": "kill_loop.rounds", "value": result.rounds, "unit": "rounds"},
            {"name": "kill_loop.killed_mid_work", "value": result.killed, "unit": "rounds"},
            {"name": "kill_loop.files_that_open", "value": result.opened, "unit": "files"}]


BENCHMARKS = {"kill_loop": kills}
