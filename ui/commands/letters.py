"""`lotsen letters`: write one letter type for a case or for every step that is due one; archive and print PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.context import sign_in
from app.database import open_database
from app.errors import InputError, StorageError
from app.letters import LABEL, LetterType, due_step_ids, generate, steps_of_case
from app.letters.sender import sender_problem


def register(commands, common: argparse.ArgumentParser) -> None:
    kinds = ", ".join(f"{t.value} ({LABEL[t].lower()})" for t in LetterType)
    parser = commands.add_parser("letters", parents=[common], help="skriv patientbrev som PDF",
                                 description=f"Brevtyper: {kinds}.")
    parser.add_argument("--type", required=True, choices=[t.value for t in LetterType], metavar="TYP",
                        help="brevtyp: " + ", ".join(t.value for t in LetterType))
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", type=int, metavar="ID", help="ett ärende (dess öppna steg)")
    which.add_argument("--due", action="store_true", help="alla öppna steg som ska ha brevet och inte har fått det")
    parser.add_argument("--out", type=Path, required=True, metavar="MAPP", help="mapp för PDF-filen att skriva ut")
    parser.set_defaults(run=run, needs_db=True)


def run(args: argparse.Namespace, db_path: Path) -> int:
    letter_type = LetterType(args.type)
    try:
        db = open_database(db_path)
        try:
            ctx = sign_in(db)
            step_ids = steps_of_case(ctx, args.case) if args.case is not None else due_step_ids(ctx, letter_type)
            if not step_ids:
                print("Inga steg att skriva brev för." if args.due else
                      f"Ärende {args.case} har inga öppna steg.", file=sys.stderr)
                return 1
            out = args.out / f"{ctx.today().isoformat()}-{letter_type.value}.pdf"
            n = 1
            while out.exists():
                n += 1
                out = args.out / f"{ctx.today().isoformat()}-{letter_type.value}-{n}.pdf"
            result = generate(ctx, letter_type, step_ids, print_file=out)  # refused while the sender is unset
            if (problem := sender_problem(ctx.db)) is not None:  # written, but e.g. without the missing logo
                print(f"Obs: {problem}", file=sys.stderr)
        finally:
            db.close()
    except InputError as exc:
        print(f"{exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except (StorageError, OSError) as exc:
        print(getattr(exc, "message", None) or f"Filen kunde inte skrivas: {exc}", file=sys.stderr)
        return 1
    for skipped in result.skipped:
        where = f"ärende {skipped.case_id}" if skipped.case_id else f"steg {skipped.step_id}"
        print(f"Inget brev för {where}: {skipped.reason}.", file=sys.stderr)
    if not result.letters:
        print("Inga brev skrevs.", file=sys.stderr)
        return 1
    print(f"{len(result.letters)} brev ({LABEL[letter_type].lower()}) sparade i arkivet och på ärendena.")
    print(f"Att skriva ut: {result.print_file}")
    if result.manual_count:
        print(f"{result.manual_count} brev ska hanteras manuellt (skyddad identitet eller adress saknas). De finns "
              "inte i utskriftsfilen; dess sista sida listar dem.")
    return 0
