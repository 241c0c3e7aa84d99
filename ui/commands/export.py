"""`lotsen export`: the monthly national export to Väntetidsdatabasen, for scheduled runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.context import sign_in
from app.database import open_database
from app.errors import InputError, StorageError
from app.export import export_month
from app.reports.months import Month


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("export", parents=[common],
                                 help="skapa månadens filer till Väntetidsdatabasen (SKR)")
    parser.add_argument("--month", required=True, help="mätperioden som ÅÅÅÅ-MM, till exempel 2026-10")
    parser.add_argument("--out", required=True, type=Path, help="mappen som filerna skrivs till")
    parser.add_argument("--xsd", type=Path, action="append", default=[],
                        help="validera mot den här XSD-filen (kan anges flera gånger)")
    parser.add_argument("--strict", action="store_true",
                        help="avsluta med felkod om något ärende inte kunde tas med")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, db_path: Path) -> int:
    if not db_path.exists():
        print(f"Databasen {db_path} finns inte. Ange rätt fil med --db.", file=sys.stderr)
        return 2
    for xsd in args.xsd:
        if not xsd.is_file():
            print(f"XSD-filen {xsd} finns inte.", file=sys.stderr)
            return 2
    try:
        month = Month.parse(args.month, "--month")
        db = open_database(db_path)
        try:
            result = export_month(sign_in(db), month, args.out, args.xsd)
        finally:
            db.close()
    except InputError as exc:
        print(f"{exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    for f in result.files:
        print(f"{f.path}: {f.rows} poster, sha256 {f.sha256}")
    if result.validated_against:
        print("Validerad mot " + ", ".join(str(x) for x in result.validated_against) + ".")
    blocking = sum(1 for i in result.issues if i.blocking)
    if result.issues:
        print(f"{blocking} ärenden kunde inte tas med och {len(result.issues) - blocking} har brister som bör "
              f"rättas. Se {result.issues_file}.", file=sys.stderr)
    return 3 if args.strict and blocking else 0
