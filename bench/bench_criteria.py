"""The agreement's criteria for a year (11 months × 9 measures, each beside the same month last year: 22 months
of national measures from the export's records) on the generated region. Target: < 10 s at 100 000 open and
400 000 closed cases. The demo data must cover the year and the one before: generate it for a day in a year
that has criteria (python bench/run.py --today 2023-12-15 --only criteria_year).

Run alone: python bench/bench_criteria.py DB
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __name__ == "__main__" and str(Path(__file__).resolve().parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from a checkout


from app.criteria.definitions import available_years
from app.criteria.service import REGION_SHARE, criteria_year
from app.reports.months import Month
from app.settings import set_setting
from bench.bench_reports import run_alone, signed_in


def criteria(bench) -> list[dict]:
    db, ctx, latest = signed_in(bench.db_path)
    year = latest.year
    if year not in available_years():
        db.close()
        raise RuntimeError(f"no criteria for {year}: generate the data with --today in "
                           f"{', '.join(map(str, available_years()))}")
    try:
        set_setting(db, REGION_SHARE, "13.4")
        started, cpu = time.perf_counter(), time.process_time()
        result = criteria_year(ctx, year, until=Month(year, 11))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        db.close()
    evaluated = sum(len(rows) for rows in result.results.values())
    return [
        {"name": f"criteria for {year} ({len(result.months)} months with last year)", "value": round(seconds, 3),
         "unit": "s"},
        # The CPU time of this process alone: on a machine shared with other work the wall time says more of
        # the others than of this.
        {"name": f"criteria for {year}: CPU time of this process", "value": round(cpu, 3), "unit": "s"},
        {"name": "criteria evaluated (month × criterion)", "value": evaluated, "unit": "results"},
        {"name": f"money earned in {year} at a 13.4 % share", "value": int(result.year_total or 0), "unit": "kr"},
    ]


BENCHMARKS = {"criteria_year": criteria}


if __name__ == "__main__":
    run_alone(BENCHMARKS)
