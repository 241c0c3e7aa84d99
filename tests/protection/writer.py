"""A writing process for the crash and concurrency tests: records contacts on one step through app.cases and
prints each event id once its transaction has committed. Usage: python -m tests.protection.writer DB STEP [N]
(DB a file or a postgresql:// URL)."""

from __future__ import annotations

import sys
from datetime import date

from app import cases
from app.context import sign_in
from app.database import open_database
from app.errors import StorageError
from app.location import parse


def main() -> None:
    location, step_id = parse(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
    db = open_database(location)
    ctx = sign_in(db, "skrivare", "Skrivare")  # every writer the same user: sign_in must cope
    ctx.today = lambda: date(2026, 11, 22)
    print("ready", flush=True)
    done = 0
    while done < count:
        try:
            event_id = cases.record_contact(ctx, step_id, date(2026, 11, 22), "telefon", f"kontakt {done}")
        except StorageError:  # another writer holds the lock: try again, as a user would
            continue
        print(event_id, flush=True)
        done += 1


if __name__ == "__main__":
    main()
