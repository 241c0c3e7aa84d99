"""`lotsen export`: the monthly national export to Väntetidsdatabasen, for scheduled runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.context import sign_in
from app.database import open_database
from app.errors import InputError, StorageError
from app.export import export_month, group_issues
from app.export.fhir import write_measure_reports
from app.export.national import national_months
from app.reports.months import Month

SHOWN_PROBLEMS = 10  # the most common problems, on the terminal; all cases are in the file


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("export", parents=[common],
                                 help="skapa månadens filer till Väntetidsdatabasen (SKR)")
    parser.add_argument("--month", required=True, help="mätperioden som ÅÅÅÅ-MM, till exempel 2026-10")
    parser.add_argument("--out", required=True, type=Path, help="mappen som filerna skrivs till")
    parser.add_argument("--xsd", type=Path, action="append", default=[],
                        help="validera mot den här XSD-filen (kan anges flera gånger)")
    parser.add_argument("--fhir", action="store_true",
                        help="skriv också månadens nationella mått som FHIR MeasureReport (JSON) i mappen fhir/")
    parser.add_argument("--strict", action="store_true",
                        help="avsluta med felkod om något ärende inte kunde tas med")
    parser.set_defaults(run=run, needs_db=True)


def run(args: argparse.Namespace, db_path: Path) -> int:
    for xsd in args.xsd:
        if not xsd.is_file():
            print(f"XSD-filen {xsd} finns inte.", file=sys.stderr)
            return 2
    try:
        month = Month.parse(args.month, "--month")
        db = open_database(db_path)
        try:
            ctx = sign_in(db)
            result = export_month(ctx, month, args.out, args.xsd)
            fhir = write_measure_reports(national_months(ctx, [month])[month], args.out / "fhir") if args.fhir else []
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
    if fhir:
        print(f"{len(fhir)} FHIR MeasureReport i {args.out / 'fhir'}.")
    print(result.coverage)
    if result.validated_against:
        print("Validerad mot " + ", ".join(str(x) for x in result.validated_against) + ".")
    groups = group_issues(result.issues)
    blocking = len({c for g in groups if g.blocking for c in g.case_ids})
    if groups:
        flawed = len({c for g in groups if not g.blocking for c in g.case_ids})
        print(f"{blocking} ärenden kunde inte tas med och {flawed} har brister som bör rättas:", file=sys.stderr)
        for g in groups[:SHOWN_PROBLEMS]:
            print(f"  {len(g.case_ids)} ärenden – {g.field}: {g.message} ({g.consequence.lower()})", file=sys.stderr)
        if len(groups) > SHOWN_PROBLEMS:
            print(f"  … och {len(groups) - SHOWN_PROBLEMS} problem till.", file=sys.stderr)
        print(f"Alla ärenden, problem för problem, finns i {result.issues_file}.", file=sys.stderr)
    return 3 if args.strict and blocking else 0
