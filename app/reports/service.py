"""The follow-up report use case: load the month, the same month last year (and the 13-month trend), compute."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Generic, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.access import log_list_view
from app.context import AppContext
from app.reports.activity import count_notices, load_activity
from app.reports.coverage import coverage_line
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
from app.reports.source import Scope, interrupted
from app.reports.tally import count_exact, count_steps, with_evaluated
from app.settings import get_setting
from db.exports import readers_beside
from db.models import Case, Patient, Region, Specialty, Step

TREND_MONTHS = 13
T = TypeVar("T")


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
    bounds = wait_bounds(settings)
    with _logged_reading(ctx, f"uppföljning {month}") as session:
        with readers_beside(session, 2) as beside, ThreadPoolExecutor(1) as one, ThreadPoolExecutor(1) as two:
            # The database counts the steps and notices (the longest queries, which need little Python) on two
            # more connections, each with its own thread: the month's steps, by every group of the breakdowns,
            # on one; its notices and last year's steps and notices on the other. Meanwhile this one evaluates
            # the clock for the other steps and reads the offers.
            first, second = ([_Beside(pool, c) for pool, c in zip((one, two), beside, strict=True)] if beside
                             else [_Here(session)] * 2)
            exact, notices = {month: first.run(count_exact, month, scope, bounds, settings.cap_days, True)}, {}
            notices[last_year] = second.run(count_notices, last_year, ctx.rules, scope)  # in the order used
            exact[last_year] = second.run(count_exact, last_year, scope, bounds, settings.cap_days, False)
            notices[month] = second.run(count_notices, month, ctx.rules, scope)
            evaluated = interrupted(session, [month, last_year], ctx.rules, scope=scope, but_settled=True)
            facts = {}
            for m in (last_year, month):
                clock = {at.meta.step_id: at for at in evaluated[m]}
                activity = load_activity(session, m, ctx.rules, scope, clock, notices[m].result())
                tallies = with_evaluated(exact[m].result(), evaluated[m], m, bounds, settings.cap_days,
                                         m == month)
                facts[m] = MonthFacts(m, tallies, activity)
        names = _names(session)
    series = []
    if trend:
        between = [month.plus(-i) for i in range(1, TREND_MONTHS - 1)]
        with ctx.db.reading() as session:  # seconds of reading: beside the case workers' saves, not before them
            points = _trend(session, ctx, between, scope, settings)
        points += [trend_point(m, facts[m].tallies) for m in (month, last_year)]
        series = sorted(points, key=lambda p: p.month)
    report = build_report(facts[month], facts[last_year], settings, scope, names, series)
    report.coverage = coverage_line(ctx.db)
    return report


@contextmanager
def _logged_reading(ctx: AppContext, detail: str) -> Iterator[Session]:
    """A session to read a report in, its access-log row written first (figures over many patients are one list
    view, not one row per patient). On a file the row's transaction stays open while the report reads: holding
    the write lock is what lets readers beside it see what it sees (db.exports.readers_beside). On the server the
    row is committed at once and the report reads one snapshot, without holding the team's write lock."""
    if ctx.db.server is None:
        with ctx.db.transaction() as session:
            log_list_view(session, ctx, detail)
            yield session
        return
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, detail)
    with ctx.db.reading() as session:
        yield session


class _Here:
    """Runs a count on the session's own connection, now."""

    def __init__(self, session: Session):
        self.session = session

    def run(self, fn: Callable[..., T], *args) -> _Ready[T]:
        return _Ready(fn(self.session.connection(), *args))


class _Beside:
    """Runs counts on one connection of db.exports.readers_beside, one after the other on its own thread."""

    def __init__(self, pool: ThreadPoolExecutor, connection: Connection):
        self.pool, self.connection = pool, connection

    def run(self, fn: Callable[..., T], *args) -> Future[T]:
        return self.pool.submit(fn, self.connection, *args)


class _Ready(Generic[T]):
    """A result already computed, read as a Future's is."""

    def __init__(self, value: T):
        self.value = value

    def result(self) -> T:
        return self.value


def trend_points(ctx: AppContext, month: Month, scope: Scope | None = None) -> list[TrendPoint]:
    """The 13 months up to `month`: waiting, share over 90 days, completed and share within the limit. Every
    month's interrupted steps are evaluated by the clock, so this takes several times as long as the month."""
    months = [month.plus(-i) for i in reversed(range(TREND_MONTHS))]
    settings = report_settings(ctx)  # before the transaction: reading a setting is a transaction of its own
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, f"uppföljning {month}, utveckling")
    with ctx.db.reading() as session:  # seconds of reading: beside the case workers' saves, not before them
        return _trend(session, ctx, months, scope or Scope(), settings)


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
    with ctx.db.reading() as session:
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
