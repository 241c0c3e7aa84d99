"""Benchmarks on a generated region at realistic scale.

    python bench/run.py --json OUT.json [--open 100000 --closed 400000] [--only NAME ...] [--db URL]
    python bench/run.py --throwaway-server --only reconcile_whole_list --open 20 --closed 20   # both backends

With --db postgresql://…/database (an empty database, or one to be emptied by IT first) every benchmark also runs
on the server, side by side: each figure's name then starts with "sqlite." or "postgresql.". Benchmarks of a
file's own features (the kill loop, the four instances on one file) say so and give no server figure.

One demo database is generated per run in a temporary folder (BenchContext.db_path); every benchmark then
measures something and returns figures ({"name", "value", "unit"}). To add benchmarks, either decorate a
function here with @benchmark("name"), or put a module bench/bench_<topic>.py next to this file with a
`BENCHMARKS = {"name": function}` dict; each function takes the BenchContext (`db_path`, `tmp`, ...) and
returns a list of Figure or of dicts with those three keys. Benchmarks that write should use their own
database under `tmp`: the shared one is read by the others.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from sqlalchemy import select, text

from app import demo, steps
from app.database import open_database, upgrade_server
from app.guarantee import evaluate
from app.location import Location, Server, parse
from app.rulebook import shipped_rule_book
from db.models import CaseEvent, Step

CLOCK_STEPS = 100_000


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str


@dataclass(frozen=True)
class BenchContext:
    workdir: Path
    db_path: Location  # the generated database: a file, or a database on a server
    today: date
    open_cases: int
    closed_cases: int
    stats: demo.DemoStats
    generation_rss_mb: float | None         # peak resident memory of this process, up to generation's end
    generation_worker_rss_mb: float | None  # the largest worker process's peak, if workers were used
    writing_seconds: float = 60.0           # how long the instances of bench_concurrency write

    @property
    def on_server(self) -> bool:
        return isinstance(self.db_path, Server)

    @property
    def tmp(self) -> Path:
        """A folder of this run for benchmarks' own files."""
        return self.workdir


Benchmark = Callable[[BenchContext], list]
BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    def register(function: Benchmark) -> Benchmark:
        BENCHMARKS[name] = function
        return function
    return register


# --- the benchmarks of the generated database itself ---

@benchmark("generate_seconds")
def generate_seconds(ctx: BenchContext) -> list[Figure]:
    return [Figure("generate_seconds", round(ctx.stats.seconds, 2), "s")]


@benchmark("db_size_mb")
def db_size_mb(ctx: BenchContext) -> list[Figure]:
    if ctx.on_server:
        db = open_database(ctx.db_path)
        with db.reading() as session:
            size = session.scalar(text("SELECT pg_database_size(current_database())"))
        db.close()
    else:
        size = sum(p.stat().st_size for p in ctx.db_path.parent.glob(ctx.db_path.name + "*"))  # with -wal, -shm
    return [Figure("db_size_mb", round(size / 2**20, 1), "MB")]


@benchmark("peak_rss_mb")
def peak_rss_mb(ctx: BenchContext) -> list[Figure]:
    if ctx.generation_rss_mb is None:
        print("peak_rss_mb: not measurable on this platform (no resource module)", file=sys.stderr)
        return []
    figures = [Figure("peak_rss_mb", round(ctx.generation_rss_mb, 1), "MB")]
    if ctx.generation_worker_rss_mb:
        figures.append(Figure("peak_rss_worker_mb", round(ctx.generation_worker_rss_mb, 1), "MB"))
    return figures


@benchmark("clock_steps_per_second")
def clock_steps_per_second(ctx: BenchContext) -> list[Figure]:
    """The clock alone over open steps: their events are loaded into memory first; only evaluate() is
    timed."""
    book = shipped_rule_book()
    db = open_database(ctx.db_path)
    try:
        with db.engine.connect() as conn:
            chosen = select(Step.id).where(Step.is_open).order_by(Step.id).limit(CLOCK_STEPS).subquery()
            info = {i: (code, target) for i, code, target in conn.execute(
                select(Step.id, Step.code, Step.target_date).where(Step.id.in_(select(chosen))))}
            rows = conn.execute(
                select(CaseEvent.step_id, CaseEvent.kind, CaseEvent.on, CaseEvent.appointment,
                       CaseEvent.answer, CaseEvent.pause)
                .where(CaseEvent.step_id.in_(select(chosen)))
                .order_by(CaseEvent.step_id, CaseEvent.on, CaseEvent.id)
            )
            work = [(info[step_id][0], steps.clock_events(list(events), info[step_id][1]))
                    for step_id, events in groupby(rows, key=lambda r: r.step_id)]
    finally:
        db.close()
    if not work:
        return []
    started = time.perf_counter()
    for code, events in work:
        evaluate(code, events, ctx.today, book)
    elapsed = time.perf_counter() - started
    return [Figure("clock_steps_per_second", round(len(work) / elapsed), "steps/s")]


def discover() -> list[str]:
    """Add the BENCHMARKS of every bench/bench_*.py; returns the modules that could not be loaded."""
    failed = []
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        try:
            spec = importlib.util.spec_from_file_location(f"_lotsen_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # dataclasses and pickle look modules up by name
            spec.loader.exec_module(module)
        except Exception:  # noqa: BLE001 - one broken module must not stop the others
            print(f"{path.name} not loaded:\n{traceback.format_exc()}", file=sys.stderr)
            failed.append(path.name)
            continue
        for name, function in getattr(module, "BENCHMARKS", {}).items():
            BENCHMARKS.setdefault(name, function)
    return failed


# --- running ---

def peak_rss() -> tuple[float | None, float | None]:
    """Peak resident memory of this process and of the largest finished child, in MB; None without the
    resource module (Windows)."""
    try:
        import resource
    except ImportError:
        return None, None
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    scale = 2**20 if sys.platform == "darwin" else 2**10
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    return own, children or None


def prepare(workdir: Path, open_cases: int, closed_cases: int, today: date,
            workers: int | None, location: Location | None = None) -> BenchContext:
    db_path = location or workdir / "bench.sqlite"
    if isinstance(db_path, Server):
        upgrade_server(db_path)
    db = open_database(db_path)
    try:
        stats = demo.generate(db, open_cases, closed_cases, today=today, workers=workers,
                              progress=lambda done, total: print(f"\rgenerating {done}/{total} cases", end="",
                                                                 file=sys.stderr))
        print(file=sys.stderr)
        own, children = peak_rss()
    finally:
        db.close()  # checkpoints the WAL, so the file size is the database's own
    return BenchContext(workdir, db_path, today, open_cases, closed_cases, stats, own, children)


def run(names: list[str], ctx: BenchContext) -> tuple[list[Figure], list[str]]:
    """The figures of the named benchmarks, and the names of those that failed (reported on stderr)."""
    figures: list[Figure] = []
    failed = []
    for name in names:
        try:
            result = BENCHMARKS[name](ctx)
        except Exception:  # noqa: BLE001 - report and go on with the next benchmark
            print(f"benchmark {name} failed:\n{traceback.format_exc()}", file=sys.stderr)
            failed.append(name)
            continue
        figures += [f if isinstance(f, Figure) else Figure(f["name"], f["value"], f["unit"]) for f in result]
    return figures, failed


def table(figures: list[Figure]) -> str:
    width = max((len(f.name) for f in figures), default=4)
    lines = [f"{'name':<{width}}  {'value':>14}  unit", f"{'-' * width}  {'-' * 14}  ----"]
    lines += [f"{f.name:<{width}}  {f.value:>14,}  {f.unit}" for f in figures]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    broken = discover()
    parser = argparse.ArgumentParser(description="Lotsen benchmarks on a generated region.")
    parser.add_argument("--json", type=Path, help="write the figures here as a JSON list")
    parser.add_argument("--open", type=int, default=100_000, help="open cases to generate")
    parser.add_argument("--closed", type=int, default=400_000, help="closed cases to generate")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), metavar="NAME",
                        help=f"run only these benchmarks: {', '.join(BENCHMARKS)}")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="the day the data is generated for (YYYY-MM-DD)")
    parser.add_argument("--workers", type=int, default=None, help="processes generating (default: automatic)")
    parser.add_argument("--writing-seconds", type=float, default=60.0,
                        help="how long the four instances of four_instances write (default 60)")
    parser.add_argument("--db", dest="server", help="also run every benchmark on this PostgreSQL database "
                        "(postgresql://…; it must hold no patients)")
    parser.add_argument("--throwaway-server", action="store_true", help="as --db, on a PostgreSQL cluster started "
                        "for this run in a temporary folder (tests/pg.py) and deleted at the end")
    parser.add_argument("--no-file", action="store_true", help="with --db: only the server")
    args = parser.parse_args(argv)
    if args.throwaway_server:
        from tests import pg

        cluster = pg.start_server()
        args.server = cluster.url(pg.create_database(cluster, "bench"))
    server = parse(args.server) if args.server else None
    if args.server and not isinstance(server, Server):
        parser.error("--db takes a postgresql:// URL")
    lanes = ([] if args.no_file and server else [None]) + ([server] if server else [])

    figures, failed = [], []
    for location in lanes:
        with tempfile.TemporaryDirectory(prefix="lotsen-bench-") as folder:
            ctx = replace(prepare(Path(folder), args.open, args.closed, args.today, args.workers, location),
                          writing_seconds=args.writing_seconds)
            lane_figures, lane_failed = run(args.only or list(BENCHMARKS), ctx)
        prefix = ("postgresql." if location else "sqlite.") if server else ""
        figures += [replace(f, name=prefix + f.name) for f in lane_figures]
        failed += [prefix + name for name in lane_failed]
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    if failed or (broken and not args.only):
        print(f"failed: {', '.join(failed + broken)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
