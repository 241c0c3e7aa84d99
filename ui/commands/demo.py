"""`lotsen demo`: a new database with a synthetic region."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from app import demo
from app.database import open_database, upgrade_server
from app.errors import StorageError
from app.location import Location, Server


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("demo", parents=[common], help="skapa en databas med påhittade demodata")
    parser.add_argument("--cases", type=int, default=1_000, help="antal öppna ärenden")
    parser.add_argument("--closed", type=int, default=None, help="antal avslutade ärenden (standard 4 × öppna)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, db_path: Location) -> int:
    """On a server (an evaluation or a benchmark), the database is brought to this version first and must be
    empty: demo data never goes in beside real patients."""
    closed = 4 * args.cases if args.closed is None else args.closed
    if isinstance(db_path, Path) and db_path.exists():
        print(f"{db_path} finns redan. Ange en ny fil med --db så att inga data skrivs över.", file=sys.stderr)
        return 2
    if args.cases < 0 or closed < 0:
        print("Antalet ärenden kan inte vara negativt.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        if isinstance(db_path, Server):
            upgrade_server(db_path)
        db = open_database(db_path)
        stats = demo.generate(db, args.cases, closed, seed=args.seed, today=date.today(),
                      progress=lambda done, total: print(f"\r{done}/{total} ärenden", end="", file=sys.stderr))
        db.close()
    except StorageError as exc:
        print(f"\n{exc.message}", file=sys.stderr)
        return 1
    except demo.NotEmpty:
        print(f"Databasen {db_path} har redan patienter. Demodata skrivs bara i en tom databas.", file=sys.stderr)
        return 2
    register = (f" Vårdgivarregistret har {stats.units} enheter och {stats.capacity_reports} kapacitetsuppgifter."
                if stats.units else "")
    print(f"\nKlart: {args.cases} öppna och {closed} avslutade ärenden i {db_path} "
          f"på {time.perf_counter() - started:.1f} s.{register}")
    return 0
