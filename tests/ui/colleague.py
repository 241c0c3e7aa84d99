"""A colleague in another process: saves what it is told on stdin, one line each, and prints "saved" once the
save has committed. Usage: python -m tests.ui.colleague DB (a file or a postgresql:// URL).
Lines: "assign CASE" (takes the case), "contact STEP", "open SERIAL NAME" (a new case), "quit"."""

from __future__ import annotations

import sys
from datetime import date, timedelta

from app import cases
from app.context import sign_in
from app.database import open_database
from app.identity import make_personnummer
from app.location import parse

TODAY = date(2026, 11, 22)


def main() -> None:
    db = open_database(parse(sys.argv[1]))
    ctx = sign_in(db, "bo.kollega", "Bo Kollega")
    ctx.today = lambda: TODAY
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split(maxsplit=2)
        if command == "quit":
            break
        if command == "assign":
            cases.assign(ctx, int(args[0]), ctx.user_id)
        elif command == "contact":
            cases.record_contact(ctx, int(args[0]), TODAY, "telefon", "kollegan ringde")
        elif command == "open":
            cases.open_case(ctx, cases.NewPatient(make_personnummer(date(1960, 1, 1), int(args[0])), args[1], "12"),
                            cases.NewCase("SV_FORSTA_BESOK", TODAY - timedelta(days=20), "311"))
        print("saved", flush=True)
    db.close()


if __name__ == "__main__":
    main()
