"""The `lotsen` command: the desktop app by default, and subcommands (ui/commands/) for scheduled runs."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from platformdirs import user_log_path

from app.errors import InputError
from app.location import default_location
from app.paths import log_file
from ui import commands as command_modules


def lotsen_version() -> str:
    try:
        return version("lotsen")
    except PackageNotFoundError:
        return "0+okänd"


def configure_logging(folder: Path) -> None:
    """The log beside the database; where that folder cannot be written (a read-only share), the user's own log
    folder, so that the command still runs and says what is wrong."""
    for path in (log_file(folder), user_log_path("Lotsen", appauthor=False) / "lotsen.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # backslashreplace: a lone surrogate in a message (a broken file name, text in an error) is
            # written as \udc80; strict would drop the whole record with "--- Logging error ---".
            handler = logging.FileHandler(path, encoding="utf-8", errors="backslashreplace")
        except OSError:
            continue
        logging.basicConfig(level=logging.INFO, handlers=[handler],
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return


def parser() -> argparse.ArgumentParser:
    # No defaults (main() supplies them): a subcommand's default would overwrite an option given before the
    # subcommand, as in `lotsen --db x.sqlite demo`.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--db", help="databasfil eller server (postgresql://server/databas); annars "
                                      "anslutningsprofilen eller standardplatsen")
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
    try:
        location = default_location(getattr(args, "db", None), portable=getattr(args, "portable", False))
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(location.parent if isinstance(location, Path) else location.folder)
    if args.command:
        if getattr(args, "needs_db", False) and isinstance(location, Path) and not location.exists():
            print(f"Databasen {location} finns inte. Ange rätt fil med --db.", file=sys.stderr)
            return 2
        return args.run(args, location)
    from ui.app import run_gui  # Qt is loaded only for the desktop app

    return run_gui(location)


if __name__ == "__main__":
    sys.exit(main())
