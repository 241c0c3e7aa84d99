"""Follow-up reports and the national export at full scale (the shared demo database: 100 000 open and
400 000 closed cases). Targets: the monthly report (the month, the same month last year, breakdowns) < 2 s;
the export of the month's ~100 000 waiting records (and the completed) < 10 s.

The database is only read, except for the export's own log rows. Run alone: python bench/bench_reports.py DB
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

if __name__ == "__main__" and str(Path(__file__).resolve().parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from a checkout

from app.context import sign_in
from app.database import open_database
from app.export.config import ExportConfig, UnitCodes, export_secret
from app.export.quality import group_issues
from app.export.records import Kind
from app.export.service import export_month
from app.location import parse
from app.reports import Month, monthly_report
from app.settings import get_setting
from db.models import CaseEvent


def signed_in(db_path):
    """The database, a signed-in context whose today is the day the demo data was generated for, and that day."""
    db = open_database(db_path)
    ctx = sign_in(db, "bench", "Bench")
    with db.transaction() as session:
        latest = session.scalar(select(func.max(CaseEvent.on))) or date.today()
    ctx.today = lambda: latest
    return db, ctx, latest


def _context(db_path):
    db, ctx, latest = signed_in(db_path)
    return db, ctx, Month.of(latest).previous


def monthly(bench) -> list[dict]:
    db, ctx, month = _context(bench.db_path)
    try:
        started = time.perf_counter()
        report = monthly_report(ctx, month)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        monthly_report(ctx, month, trend=True)
        with_trend = time.perf_counter() - started
    finally:
        db.close()
    waiting = next(f.value for f in report.figures if f.key == "waiting")
    return [
        {"name": "monthly report (month + last year + breakdowns)", "value": round(seconds, 3), "unit": "s"},
        {"name": "monthly report with 13-month trend", "value": round(with_trend, 3), "unit": "s"},
        {"name": "waiting at month end in the report", "value": waiting, "unit": "steps"},
    ]


def export(bench) -> list[dict]:
    db, ctx, month = _context(bench.db_path)
    # The demo sets only its activity codes (app.demo); give the region and one HSA-id for every unit without
    # writing settings.
    config = ExportConfig(region="12", hsa_region="SE2321000255-R", hsa_vardgivare="SE2321000255-R",
                          secret=export_secret(db), default_unit=UnitCodes("SE2321000255-E001"),
                          activity_codes=dict(get_setting(db, "skr.activity_codes", {}) or {}))
    try:
        started = time.perf_counter()
        result = export_month(ctx, month, Path(bench.tmp) / "skr-export", config=config)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    rows = {f.kind: f.rows for f in result.files}
    problems = group_issues(result.issues)
    return [
        {"name": "national export (waiting + completed)", "value": round(seconds, 3), "unit": "s"},
        {"name": "waiting records exported", "value": rows[Kind.WAITING], "unit": "records"},
        {"name": "completed records exported", "value": rows[Kind.COMPLETED], "unit": "records"},
        {"name": "records with data-quality issues", "value": len({i.step_id for i in result.issues}),
         "unit": "records"},
        {"name": "distinct data-quality problems", "value": len(problems), "unit": "problems"},
    ]


BENCHMARKS = {"reports_monthly": monthly, "reports_export": export}


def run_alone(benchmarks: dict) -> None:
    """A module's benchmarks on the database named on the command line (python bench/bench_x.py DB)."""
    class _Bench:
        db_path = parse(sys.argv[1])
        tmp = tempfile.mkdtemp()

    for name, fn in benchmarks.items():
        for figure in fn(_Bench):
            print(f"{name}: {figure['name']}: {figure['value']} {figure['unit']}")


if __name__ == "__main__":
    run_alone(BENCHMARKS)
