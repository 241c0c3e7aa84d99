"""`lotsen import`: import a waiting list, capacity list or contract list for scheduled runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import importer
from app.context import sign_in
from app.database import open_database
from app.errors import InputError, StorageError


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("import", parents=[common], help="importera en väntelista, kapacitet eller avtal "
                                                                  "från CSV eller Excel")
    parser.add_argument("--inbox", action="store_true",
                        help="importera filerna i varje källas inkorg (en gång var; de flyttas till ”klara” eller "
                             "”misslyckade” med ett kvitto), till exempel från en schemalagd aktivitet")
    parser.add_argument("--set-inbox", metavar="MAPP", default=None,
                        help="spara MAPP som källans inkorg (med --kind och --mapping; tom text tar bort den)")
    parser.add_argument("--kind", choices=importer.KINDS, help="vad filen innehåller")
    parser.add_argument("--mapping", metavar="NAMN",
                        help="kolumnkopplingen för källan (sparad i guiden; saknas den gissas kolumnerna och "
                             "sparas under namnet)")
    parser.add_argument("--rejected", type=Path, default=None, metavar="FIL",
                        help="fil för avvisade rader (.xlsx eller .csv; standard: bredvid filen)")
    parser.add_argument("--whole-list", action=argparse.BooleanOptionalAction, default=None,
                        help="väntelistan är källans hela lista: öppna steg som saknas i den läggs på listan "
                             "”Saknas i senaste listan” (sparas i kopplingen; utan flaggan gäller kopplingens val)")
    parser.add_argument("file", type=Path, metavar="FIL", nargs="?")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, db_path: Path) -> int:
    """Exit 0: everything imported; 3: some rows rejected (listed in the rejected-rows file); 2: nothing
    imported (the file or its columns could not be used); 1: storage error."""
    try:
        db = open_database(db_path)
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    try:
        ctx = sign_in(db)
        if args.inbox:
            return _inbox(ctx)
        if not (args.kind and args.mapping and (args.file or args.set_inbox is not None)):
            print("Ange --kind, --mapping och en fil (eller --set-inbox MAPP), eller --inbox.", file=sys.stderr)
            return 2
        if args.set_inbox is not None:
            columns = importer.load_mapping(ctx, args.kind, args.mapping) or {}
            importer.save_mapping(ctx, args.kind, args.mapping, columns, inbox=args.set_inbox)
            print(f"Inkorgen för ”{args.mapping}” sparades.")
            if not args.file:
                return 0
        table = importer.read_table(args.file)
        columns = importer.load_mapping(ctx, args.kind, args.mapping)
        if columns is None:
            columns = importer.guess_columns(args.kind, table.headings)
            importer.check_columns(args.kind, table, columns)
            importer.save_mapping(ctx, args.kind, args.mapping, columns, whole_list=args.whole_list)
            print(f"Kolumnkopplingen ”{args.mapping}” fanns inte; kolumnerna gissades från rubrikerna och "
                  "kopplingen sparades.", file=sys.stderr)
        elif args.whole_list is not None:
            importer.save_mapping(ctx, args.kind, args.mapping, columns, whole_list=args.whole_list)
        result = importer.import_file(ctx, args.kind, args.file, columns, args.mapping, args.rejected)
    except InputError as exc:
        print(f"{args.file}: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        db.close()
    print(result.summary())
    for problem in result.problems[:20]:
        print(problem.text(), file=sys.stderr)
    if len(result.problems) > 20:
        print(f"… och {len(result.problems) - 20} fel till, se {result.rejected_file}.", file=sys.stderr)
    return 3 if result.problems else 0


def _inbox(ctx) -> int:
    """Exit 0: every file imported whole; 3: some rows rejected; 2: a file could not be imported at all."""
    from app.importer.inbox import run_inboxes

    receipts = run_inboxes(ctx)
    for receipt in receipts:
        print(receipt.text, file=sys.stdout if receipt.imported else sys.stderr)
    if not receipts:
        print("Inga nya filer i inkorgarna.")
    if any(not r.imported for r in receipts):
        return 2
    return 3 if any(r.rejected for r in receipts) else 0
