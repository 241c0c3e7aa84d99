"""The `lotsen` command: the desktop app by default, and command-line tasks for scheduled runs."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from app.paths import default_db_path, log_file

log = logging.getLogger("lotsen")


def lotsen_version() -> str:
    try:
        return version("lotsen")
    except PackageNotFoundError:
        return "0+okänd"


def configure_logging(db_path: Path) -> None:
    path = log_file(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, filename=path, encoding="utf-8",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=None, help="databasfil (annars standardplatsen)")
    main = argparse.ArgumentParser(prog="lotsen", parents=[common],
                                   description="Lotsen: ärendestöd för vårdlotsar och vårdgarantikanslier.")
    main.add_argument("--version", action="version", version=f"Lotsen {lotsen_version()}")
    commands = main.add_subparsers(dest="command", metavar="KOMMANDO")
    demo = commands.add_parser("demo", parents=[common], help="skapa en databas med påhittade demodata")
    demo.add_argument("--cases", type=int, default=1_000, help="antal öppna ärenden")
    demo.add_argument("--closed", type=int, default=None, help="antal avslutade ärenden (standard 4 × öppna)")
    demo.add_argument("--seed", type=int, default=2026)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    db_path = (args.db or default_db_path()).expanduser()
    configure_logging(db_path)
    if args.command == "demo":
        return run_demo(db_path, args.cases, 4 * args.cases if args.closed is None else args.closed, args.seed)
    from ui.app import run_gui  # Qt is loaded only for the desktop app

    return run_gui(db_path)


def run_demo(db_path: Path, open_cases: int, closed_cases: int, seed: int) -> int:
    from app import demo
    from app.database import open_database
    from app.errors import StorageError

    if db_path.exists():
        print(f"{db_path} finns redan. Ange en ny fil med --db så att inga data skrivs över.", file=sys.stderr)
        return 2
    if open_cases < 0 or closed_cases < 0:
        print("Antalet ärenden kan inte vara negativt.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        db = open_database(db_path)
        demo.generate(db, open_cases, closed_cases, seed=seed, today=date.today(),
                      progress=lambda done, total: print(f"\r{done}/{total} ärenden", end="", file=sys.stderr))
        db.close()
    except StorageError as exc:
        print(f"\n{exc.message}", file=sys.stderr)
        return 1
    print(f"\nKlart: {open_cases} öppna och {closed_cases} avslutade ärenden i {db_path} "
          f"på {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
