"""The national measures of many months in one pass (app.export.national_pass, what national_months and the
criteria read) equal those of each month's own records (measure_month over load_months, the export's path):
on the national test timelines and on a generated region with records held back."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from app import demo
from app.criteria.definitions import agreement
from app.export.config import load_config
from app.export.national import measure_month, measuring_config, national_months
from app.reports.coverage import coverage_line
from app.reports.months import Month
from app.reports.source import load_months
from tests.export.conftest import configure
from tests.export.test_national import region  # noqa: F401 - the fixture


def by_records(ctx, months: list[Month], tolerance: int = 10) -> dict:
    config, incomplete = measuring_config(load_config(ctx.db))
    with ctx.db.transaction() as session:
        data = load_months(session, months, ctx.rules, wide=True)
    coverage = coverage_line(ctx.db)
    return {m: measure_month(data[m], config, ctx.rules, coverage, incomplete, tolerance) for m in months}


def test_one_pass_equals_the_records_on_the_national_timelines(configured, region):  # noqa: F811
    months = [Month(2026, 1).plus(i) for i in range(11)] + [Month(2025, 10)]
    fast = national_months(configured, months)
    slow = by_records(configured, months)
    assert fast == slow
    october = fast[Month(2026, 10)]
    assert october.step("SV_FORSTA_BESOK")["waiting"].n == 5 and october.step("PV_BEDOMNING")["completed"].n == 2


def test_one_pass_equals_the_records_on_a_generated_region(ctx):
    demo.generate(ctx.db, 250, 900, today=date(2023, 12, 15), workers=1)
    configure(ctx)
    with ctx.db.transaction() as session:  # records to hold back: a birth year not plausible; or after 2022's months
        session.execute(text("UPDATE patient SET birth_year = 1800 WHERE id % 37 = 0"))
        session.execute(text("UPDATE patient SET birth_year = 2023 WHERE id % 41 = 0"))
    terms = agreement(2023)
    months = [Month(2023, n) for n in terms.months]
    months += [m.a_year_earlier for m in months]
    fast = national_months(ctx, months, terms.return_visit_tolerance)
    slow = by_records(ctx, months, terms.return_visit_tolerance)
    assert fast == slow
    measured = sum(s["waiting"].n + s["completed"].n for m in months for s in fast[m].steps)
    assert measured > 2000
    assert all(fast[m].held_back for m in months)
    assert any(fast[m].near for m in months)
