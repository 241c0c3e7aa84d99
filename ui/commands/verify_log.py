"""`lotsen verify-log`: check that the access log is whole (nothing changed or removed). Exit code 3 if not."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.audit.verify import verify_log
from app.database import open_database
from app.errors import StorageError


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("verify-log", parents=[common],
                                 help="kontrollera att loggen över åtkomst till patientuppgifter är hel")
    parser.set_defaults(run=run, needs_db=True)


def run(args: argparse.Namespace, db_path: Path) -> int:
    try:
        db = open_database(db_path)
        try:
            result = verify_log(db)
        finally:
            db.close()
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    if not result.ok:
        print(result.message(), file=sys.stderr)
        return 3
    print(result.message())
    return 0
