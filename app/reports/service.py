"""The follow-up report use case: load the month, the same month last year (and the 13-month trend), compute."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import log_list_view
from app.context import AppContext
from app.reports.activity import load_activity
from app.reports.figures import (
    MonthFacts,
    Report,
    ReportSettings,
    TrendPoint,
    build_report,
    trend_point,
    wait_bounds,
)
from app.reports.months import Month
from app.reports.source import Scope
from app.reports.tally import count_steps
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
    """The month's figures beside the same month last year; with `trend`, also the 13 months up to `month`
    (which takes several times longer: see trend_points)."""
    settings, scope = report_settings(ctx), scope or Scope()
    last_year = month.a_year_earlier
    with ctx.db.transaction() as session:
        # Figures over many patients are one list view in the access log, not one row per patient.
        log_list_view(session, ctx, f"uppföljning {month}")
        facts = {}
        for m in (month, last_year):  # the breakdowns are the month's only
            counted = count_steps(session, [m], ctx.rules, scope, wait_bounds(settings), settings.cap_days,
                                  groups=m == month)
            facts[m] = MonthFacts(m, counted.tallies[m],
                                  load_activity(session, m, ctx.rules, scope, counted.interrupted[m]))
        series = []
        if trend:
            between = [month.plus(-i) for i in range(1, TREND_MONTHS - 1)]
            points = _trend(session, ctx, between, scope, settings)
            points += [trend_point(m, facts[m].tallies) for m in (month, last_year)]
            series = sorted(points, key=lambda p: p.month)
        names = _names(session)
    return build_report(facts[month], facts[last_year], settings, scope, names, series)


def trend_points(ctx: AppContext, month: Month, scope: Scope | None = None) -> list[TrendPoint]:
    """The 13 months up to `month`: waiting, share over 90 days, completed and share within the limit. Every
    month's interrupted steps are evaluated by the clock, so this takes several times as long as the month."""
    months = [month.plus(-i) for i in reversed(range(TREND_MONTHS))]
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, f"uppföljning {month}, utveckling")
        return _trend(session, ctx, months, scope or Scope(), report_settings(ctx))


def _trend(session: Session, ctx: AppContext, months: list[Month], scope: Scope,
           settings: ReportSettings) -> list[TrendPoint]:
    counted = count_steps(session, months, ctx.rules, scope, wait_bounds(settings))
    return [trend_point(m, counted.tallies[m]) for m in months]


def _names(session: Session) -> dict[str, dict[str, str]]:
    return {
        "mvo": dict(session.execute(select(Specialty.code, Specialty.name)).all()),
        "region": dict(session.execute(select(Region.code, Region.name)).all()),
    }


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
