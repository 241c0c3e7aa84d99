"""A running Lotsen instance for the multi-process tests, driven line by line on stdin, as a user drives the
app: `start` (the start-up check and backup), `write N` (N contacts on the step; prints each event id once it
has committed), `backup` (the hourly backup), `quit`. Usage: python -m tests.protection.instance DB STEP
(DB a file or a postgresql:// URL)."""

from __future__ import annotations

import sys
from datetime import date

from app import backup, cases
from app.context import sign_in
from app.database import open_database
from app.location import parse


def main() -> None:
    location, step_id = parse(sys.argv[1]), int(sys.argv[2])
    db = open_database(location)
    ctx = sign_in(db, "instans", "Instans")
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "start":
            backup.check_and_back_up_at_start(db)
        elif command == "backup":
            backup.backup_now(db, "manuell")
        elif command == "write":
            for n in range(int(args[0])):
                print(cases.record_contact(ctx, step_id, date(2026, 11, 22), "telefon", f"kontakt {n}"), flush=True)
        elif command == "quit":
            break
        print("ok", flush=True)
    db.close()


if __name__ == "__main__":
    main()
