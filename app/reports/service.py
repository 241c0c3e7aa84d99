"""The follow-up report use case: load the month, the same month last year (and the 13-month trend), compute."""

from __future__ import annotations

from sqlalchemy import select

from app.access import log_list_view
from app.context import AppContext
from app.reports.figures import Report, ReportSettings, Scope, build_report
from app.reports.months import Month
from app.reports.source import load_activity, load_months
from app.settings import get_setting
from db.models import Case, Patient, Region, Specialty, Step

TREND_MONTHS = 13


def report_settings(ctx: AppContext) -> ReportSettings:
    defaults = ReportSettings()
    return ReportSettings(
        min_count=int(get_setting(ctx.db, "reports.min_count", defaults.min_count)),
        strict_60=bool(get_setting(ctx.db, "reports.strict_60", defaults.strict_60)),
        cap_days=int(get_setting(ctx.db, "reports.cap_days", defaults.cap_days)),
    )


def monthly_report(ctx: AppContext, month: Month, scope: Scope | None = None, trend: bool = False) -> Report:
    """The month's figures beside the same month last year; with `trend`, also the 13 months up to `month`."""
    settings = report_settings(ctx)
    last_year = month.a_year_earlier
    months = {month, last_year}
    if trend:
        months |= {month.plus(-i) for i in range(TREND_MONTHS)}
    with ctx.db.transaction() as session:
        # Figures over many patients are one list view in the access log, not one row per patient.
        log_list_view(session, ctx, f"uppföljning {month}")
        data = load_months(session, months, ctx.rules)
        for m in (month, last_year):
            load_activity(session, m, ctx.rules, data[m])
        names = {
            "mvo": dict(session.execute(select(Specialty.code, Specialty.name)).all()),
            "region": dict(session.execute(select(Region.code, Region.name)).all()),
        }
    series = [data[month.plus(-i)] for i in reversed(range(TREND_MONTHS))] if trend else []
    return build_report(data[month], data[last_year], settings, scope, names, series)


def scope_choices(ctx: AppContext) -> dict[str, list[tuple[str, str]]]:
    """The values a report can be limited to: (code, label) per dimension, for the dashboard's filters."""
    rules = ctx.rules.for_date(ctx.today())
    with ctx.db.transaction() as session:
        regions = session.execute(select(Region.code, Region.name).where(
            Region.code.in_(select(Patient.home_region_code).distinct())).order_by(Region.code)).all()
        mvos = session.execute(select(Specialty.code, Specialty.name).where(
            Specialty.code.in_(select(Case.specialty_code).distinct())).order_by(Specialty.code)).all()
        units = session.scalars(select(Case.waiting_unit).where(Case.waiting_unit.is_not(None)).distinct()
                                .order_by(Case.waiting_unit)).all()
        steps = session.scalars(select(Step.code).distinct().order_by(Step.code)).all()
    return {
        "region": [(c, n) for c, n in regions],
        "mvo": [(c, f"{c} {n}") for c, n in mvos],
        "unit": [(u, u) for u in units],
        "step": [(c, rules.steps[c].name if c in rules.steps else c) for c in steps],
    }
