"""An administratör changing the thresholds in a process of its own, for the long-write tests: prints "D T" after
each batch (D of T steps refreshed), then "done".

    python -m tests.protection.rule_changer DB RISK_DAYS [--today D]    (DB a file or a postgresql:// URL)"""

from __future__ import annotations

import sys
from datetime import date

from app.context import sign_in
from app.database import open_database
from app.location import parse
from app.roles import Role
from app.rule_settings import change_rules


def overrides(risk_days: int) -> dict:
    return {"active_waiting_days": 45, "steps": {"SV_FORSTA_BESOK": {"risk_waited_days": risk_days},
                                                 "SV_BEHANDLING": {"risk_waited_days": risk_days}}}


def main() -> None:
    location, risk_days = parse(sys.argv[1]), int(sys.argv[2])
    today = date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else date(2026, 11, 22)
    db = open_database(location)
    ctx = sign_in(db, "admin.lots", "Admin Lots")
    ctx.role, ctx.today = Role.ADMINISTRATOR, lambda: today
    change_rules(ctx, overrides(risk_days), progress=lambda done, total: print(done, total, flush=True))
    print("done", flush=True)
    db.close()


if __name__ == "__main__":
    main()
