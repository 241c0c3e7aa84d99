"""Writing the access log: statements and time per write, alone and with colleagues writing at once. On the server
the server's function fills in user, time and hash under its lock (app.audit.server_log): one statement per write;
on a file Lotsen seals the rows itself. The chain is checked after the concurrent writers."""

from __future__ import annotations

import statistics
import threading
import time

from app.access import Action, log_list_view
from app.audit import chain
from app.context import sign_in
from app.database import open_database
from bench.bench_statements import counting

WRITES = 200
WRITERS = 4


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def log_writes(bench) -> list[dict]:
    db = open_database(bench.db_path)
    ctx = sign_in(db, "bench.loggare", "Bench Loggare")
    figures = []
    try:
        with counting(db.engine) as seen, db.transaction() as session:
            log_list_view(session, ctx, "bench")
        figures.append({"name": "log: statements per write (with BEGIN, lock, COMMIT)", "value": len(seen),
                        "unit": "statements"})
        alone = []
        for i in range(WRITES):
            started = time.perf_counter()
            with db.transaction() as session:
                log_list_view(session, ctx, f"bench {i}")
            alone.append((time.perf_counter() - started) * 1000)
        figures += [{"name": "log: one write alone, p50", "value": round(statistics.median(alone), 2), "unit": "ms"},
                    {"name": "log: one write alone, p95", "value": round(_p95(alone), 2), "unit": "ms"}]
        together: list[float] = []
        lock = threading.Lock()

        def write(n: int, own) -> None:
            try:
                for i in range(WRITES // WRITERS):
                    started = time.perf_counter()
                    with own.transaction() as session:
                        chain.append_many(session, [{"user_id": ctx.user_id, "action": str(Action.LIST),
                                                     "detail": f"bench {n}.{i}.{j}"} for j in range(3)])
                    with lock:
                        together.append((time.perf_counter() - started) * 1000)
            finally:
                own.close()

        # opened one after the other: opening reads the migrations, which is not for threads at once
        threads = [threading.Thread(target=write, args=(n, open_database(bench.db_path))) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        figures.append({"name": f"log: a write of 3 rows with {WRITERS} writers at once, p95",
                        "value": round(_p95(together), 2), "unit": "ms"})
        with db.transaction() as session:
            result = chain.verify(session)
        figures.append({"name": "log: broken chain links after the concurrent writers",
                        "value": 0 if result.ok else 1, "unit": "links"})
    finally:
        db.close()
    return figures


BENCHMARKS = {"log_writes": log_writes}
