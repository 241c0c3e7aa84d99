"""`lotsen letter-texts`: store the region's own letter texts in the database, for every colleague's letters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.context import sign_in
from app.database import open_database
from app.errors import InputError, StorageError
from app.letters.archive import save_template


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "letter-texts", parents=[common], help="spara regionens egna brevtexter i databasen",
        description="Regionens egna brevtexter (en TOML-fil som resources/letters/sv.toml) sparas i databasen och "
                    "används sedan i allas brev, också på teamservern.")
    parser.add_argument("file", type=Path, metavar="FIL", help="brevtexterna, till exempel sv.toml")
    parser.add_argument("--language", default="sv", metavar="SPRÅK", help="språkkod (standard: sv)")
    parser.set_defaults(run=run, needs_db=True)


def run(args: argparse.Namespace, db_path: Path) -> int:
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        print(f"Filen {args.file} kunde inte läsas: {exc.strerror}.", file=sys.stderr)
        return 2
    try:
        db = open_database(db_path)
        try:
            version = save_template(sign_in(db), args.language, raw)
        finally:
            db.close()
    except InputError as exc:  # PermissionDenied too
        print(f"{exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"Brevtexterna för {args.language} är sparade i databasen (version {version}) och används i allas brev.")
    return 0
