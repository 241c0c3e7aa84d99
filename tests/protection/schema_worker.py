"""A process to be killed while it changes a database's schema or fills it, for the kill-loop test and
benchmark. It prints "ready" once its imports are done, just before the work. Usage:
python -m tests.protection.schema_worker demo|open DB [CASES]"""

from __future__ import annotations

import sys
from pathlib import Path

from app.database import open_database
from ui.cli import main as lotsen


def main() -> None:
    what, db_path = sys.argv[1], Path(sys.argv[2])
    print("ready", flush=True)
    if what == "demo":  # the first schema creation, then the demo data
        code = lotsen(["demo", "--cases", sys.argv[3] if len(sys.argv) > 3 else "200", "--db", str(db_path)])
    else:  # the migrations of an older file (after its backup)
        open_database(db_path).close()
        code = 0
    print("done", flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
