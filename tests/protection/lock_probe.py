"""How long SQLite's write lock stays taken, as a colleague's instance sees it: tries BEGIN IMMEDIATE without
waiting about every millisecond (and at once gives the lock back), and measures each unbroken stretch in which it
was refused. Runs until stdin closes, then prints one JSON line. Usage: python -m tests.protection.lock_probe DB"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time


def main() -> None:
    connection = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
    ended = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), ended.set()), daemon=True).start()
    print("ready", flush=True)
    stretches: list[float] = []
    locked_since = None
    tries = 0
    while not ended.is_set():
        now = time.perf_counter()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked": someone holds the write lock
            locked_since = locked_since or now
        else:
            connection.execute("ROLLBACK")
            if locked_since is not None:
                stretches.append(now - locked_since)
                locked_since = None
        tries += 1
        time.sleep(0.001)
    stretches.sort()
    print(json.dumps({"tries": tries, "stretches": len(stretches),
                      "max_ms": round(stretches[-1] * 1000, 1) if stretches else 0.0,
                      "p95_ms": round(stretches[int(len(stretches) * 0.95)] * 1000, 1) if stretches else 0.0,
                      "median_ms": round(stretches[len(stretches) // 2] * 1000, 1) if stretches else 0.0}),
          flush=True)


if __name__ == "__main__":
    main()
