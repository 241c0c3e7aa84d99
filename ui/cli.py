"""The `lotsen` command: the desktop app by default, and subcommands (ui/commands/) for scheduled runs."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from app.paths import default_db_path, log_file
from ui import commands as command_modules


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
    # No defaults (main() supplies them): a subcommand's default would overwrite an option given before the
    # subcommand, as in `lotsen --db x.sqlite demo`.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--db", type=Path, help="databasfil (annars standardplatsen)")
    common.add_argument("--portable", action="store_true",
                        help="spara data i mappen data bredvid programmet (portabelt läge)")
    main = argparse.ArgumentParser(prog="lotsen", parents=[common],
                                   description="Lotsen: ärendestöd för vårdlotsar och vårdgarantikanslier.")
    main.add_argument("--version", action="version", version=f"Lotsen {lotsen_version()}")
    commands = main.add_subparsers(dest="command", metavar="KOMMANDO")
    for module in pkgutil.iter_modules(command_modules.__path__):
        importlib.import_module(f"{command_modules.__name__}.{module.name}").register(commands, common)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    db_path = (getattr(args, "db", None) or default_db_path(portable=getattr(args, "portable", False))).expanduser()
    configure_logging(db_path)
    if args.command:
        if getattr(args, "needs_db", False) and not db_path.exists():  # set by commands that only read a database
            print(f"Databasen {db_path} finns inte. Ange rätt fil med --db.", file=sys.stderr)
            return 2
        return args.run(args, db_path)
    from ui.app import run_gui  # Qt is loaded only for the desktop app

    return run_gui(db_path)


if __name__ == "__main__":
    sys.exit(main())
