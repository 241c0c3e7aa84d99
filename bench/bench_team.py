"""A team on the server (issue 14): N case workers, separate processes, each connected as their own PostgreSQL
role in the lotsen_vardlots group (`lotsen db init-roles`, `lotsen db add-user`), open cases and save notes,
contacts and offers for `writing_seconds`. Reported: p95 of a save (the slowest worker's), commits/s, version
conflicts (caught, never lost), saves reported but missing (must be 0), broken links in the access log's chain
(must be 0: the server writes it under its lock).

Server only. Each role connects like the benchmark's own URL with its own user name, so the server must let it in
without a password (a local socket with trust or peer, a pgpass file, or Kerberos). LOTSEN_BENCH_TEAM sets N
(default 10; the issue's target is 30 on a machine with the cores for it)."""

from __future__ import annotations

import os
import sys

from app import server_admin
from app.audit import chain
from app.database import open_database
from app.location import Server
from bench.bench_concurrency import lost_events
from tests.protection.case_worker import Instances


def team_on_server(bench) -> list[dict]:
    if not isinstance(bench.db_path, Server):
        print("team_on_server: the team's roles are the server's; no file figure", file=sys.stderr)
        return []
    size = int(os.environ.get("LOTSEN_BENCH_TEAM", "10"))
    seconds = getattr(bench, "writing_seconds", 60.0)
    owner: Server = bench.db_path
    server_admin.init_roles(owner)
    logins = [f"bench.lots{n:02d}" for n in range(size)]
    for login in logins:
        server_admin.add_user(owner, login, "vårdlots")
    own = {login: Server(owner.url.set(username=login, password=None)) for login in logins}
    reports = Instances(own, logins, seconds, today=bench.today).reports()
    db = open_database(owner)
    try:
        with db.reading() as session:
            result = chain.verify(session)
    finally:
        db.close()
    commits = sum(r["commits"] for r in reports)
    return [
        {"name": f"team of {size}: saves and views committed per second", "value": round(commits / seconds, 1),
         "unit": "commits/s"},
        {"name": f"team of {size}: p95 of a save (slowest worker)",
         "value": round(max(r["p95_save"] for r in reports) * 1000), "unit": "ms"},
        {"name": f"team of {size}: longest call", "value": round(max(r["max_wait"] for r in reports) * 1000),
         "unit": "ms"},
        {"name": f"team of {size}: version conflicts caught", "value": sum(r["conflicts"] for r in reports),
         "unit": "count"},
        {"name": f"team of {size}: saves reported but missing", "value": lost_events(owner, reports),
         "unit": "count"},
        {"name": f"team of {size}: broken links in the access log's chain", "value": 0 if result.ok else 1,
         "unit": "links"},
        {"name": f"team of {size}: access-log rows checked", "value": result.checked, "unit": "rows"},
        {"name": f"team of {size}: other errors", "value": sum(r["storage_errors"] + r["locked"] for r in reports),
         "unit": "count"},
    ]


BENCHMARKS = {"team_on_server": team_on_server}
