"""The counts in the database (exact, settled and fresh steps) and the clock's rows (the others) add up to what
counting every step's clock row would give, month by month and group by group."""

from __future__ import annotations

import random
from collections import Counter

from app.reports.figures import ReportSettings, wait_bounds
from app.reports.months import Month
from app.reports.source import Scope, load_months
from app.reports.tally import count_steps, tally_of
from tests.reports.test_source_equivalence import _random_history


def _summed(tallies) -> Counter:
    out: Counter = Counter()
    for t in tallies:
        key = t[:-2]
        out[key, "n"] += t.n
        out[key, "capped"] += t.capped
    return +out  # without zero counts


def test_counted_steps_match_the_clock_rows_of_every_step(ctx):
    rnd = random.Random(11)
    for _ in range(60):
        _random_history(ctx, rnd)
    months = [Month(2025, 1).plus(i) for i in range(24)]
    settings = ReportSettings()
    bounds = wait_bounds(settings)
    with ctx.db.transaction() as session:
        rows = load_months(session, months, ctx.rules)
        counted = count_steps(session, months, ctx.rules, Scope(), bounds, settings.cap_days, groups=True)
    compared = 0
    for month in months:
        expected = [tally_of(at, month, bounds, settings.cap_days, True)
                    for at in (*rows[month].waiting, *rows[month].completed)]
        assert _summed(counted.tallies[month]) == _summed(expected), month
        compared += len(expected)
    assert compared > 300
