"""Follow-up figures against small hand-computed data sets, created through the case services."""

from __future__ import annotations

import pytest

from app.guarantee import Answer, PauseKind
from app.reports import Month, Scope, monthly_report
from app.settings import set_setting
from tests.reports.build import complete, mov, offer, open_step, pvv

OCT = Month(2026, 10)


def figure(report, key):
    return next(f for f in report.figures if f.key == key)


@pytest.fixture
def october(ctx):
    """Seven waiting and four completed at the end of October 2026; one waiting in October 2025."""
    set_setting(ctx.db, "reports.min_count", 1)
    a = open_step(ctx, "2026-09-01")                      # waited 60
    open_step(ctx, "2026-08-01")                           # 91
    open_step(ctx, "2026-05-01", female=True)              # 183
    open_step(ctx, "2026-10-31", female=True)              # 0: the last day counts as day 0
    open_step(ctx, "2026-11-01")                           # after the month: not waiting
    f = open_step(ctx, "2026-07-01")
    complete(ctx, f, "2026-10-31")                         # stopped on the last day: completed, 122 days, late
    g = open_step(ctx, "2026-09-01")
    complete(ctx, g, "2026-11-01")                         # still waiting on 31 October: 60
    h = open_step(ctx, "2026-06-01")
    mov(ctx, h, "2026-07-01")                              # MoV holding: 30 days, not actively waiting
    i = open_step(ctx, "2026-08-15")
    pvv(ctx, i, "2026-08-20", "2026-08-20", "2026-09-10", "2026-08-25")  # PvV holding: 10 days
    j = open_step(ctx, "2026-03-01")
    pvv(ctx, j, "2026-03-05", "2026-03-05", "2026-03-20", "2026-03-10", restart="2026-08-01")
    complete(ctx, j, "2026-10-15")                         # 75 days after the restart, in time, but PvV
    k = open_step(ctx, "2026-09-01")
    complete(ctx, k, "2026-10-10")                         # 39 days, in time
    lo = open_step(ctx, "2026-06-01")
    mov(ctx, lo, "2026-06-10", "2026-07-10")               # 30 days MoV: deadline 2026-09-29
    complete(ctx, lo, "2026-10-01")                        # late: 92 days
    m = open_step(ctx, "2025-06-01")
    complete(ctx, m, "2026-01-15")                         # October 2025: waiting 152 days
    return a


def test_waiting_figures_with_and_without_pvv_and_mov(ctx, october):
    report = monthly_report(ctx, OCT)
    expected = {
        "waiting": 7, "waiting_active": 5,
        "le60": 500 / 7, "le60_active": 60.0,
        "gt90": 200 / 7, "gt90_active": 40.0,
        "gt150": 100 / 7, "gt150_active": 20.0,
        "mean_wait": 434 / 7, "mean_wait_active": 78.8,
    }
    for key, value in expected.items():
        assert figure(report, key).value == pytest.approx(value), key
    assert figure(report, "waiting").variant == "inkl. PvV/MoV"
    assert figure(report, "waiting_active").variant == "exkl. PvV/MoV"


def test_completed_share_leaves_pvv_out_of_numerator_and_denominator(ctx, october):
    report = monthly_report(ctx, OCT)
    assert figure(report, "completed").value == 4
    assert figure(report, "met").value == pytest.approx(50.0)
    assert figure(report, "completed_no_pvv").value == 3
    assert figure(report, "met_no_pvv").value == pytest.approx(100 / 3)


def test_buckets(ctx, october):
    buckets = {b.label: (b.all, b.active) for b in monthly_report(ctx, OCT).buckets}
    assert buckets == {"0–30": (3, 1), "31–60": (2, 2), "61–90": (0, 0), "91–120": (1, 1), "121–180": (0, 0),
                       "181–365": (1, 1), "> 365": (0, 0)}


def test_same_month_last_year_in_percentage_points(ctx, october):
    report = monthly_report(ctx, OCT)
    gt90 = figure(report, "gt90_active")
    assert gt90.last_year == pytest.approx(100.0)
    assert gt90.difference == pytest.approx(-60.0)
    assert figure(report, "waiting").last_year == 1


def test_small_counts_are_suppressed(ctx, october):
    set_setting(ctx.db, "reports.min_count", 10)
    report = monthly_report(ctx, OCT)
    assert figure(report, "waiting").suppressed and figure(report, "le60").suppressed
    assert figure(report, "gt90_active").difference is None
    assert all(row.suppressed for row in report.breakdowns["Kön"])
    set_setting(ctx.db, "reports.min_count", 5)
    report = monthly_report(ctx, OCT)
    assert not figure(report, "waiting").suppressed and figure(report, "completed").suppressed


def test_breakdown_by_sex_and_scope(ctx, october):
    rows = {r.group: r for r in monthly_report(ctx, OCT).breakdowns["Kön"]}
    assert (rows["Kvinnor"].waiting, rows["Män"].waiting) == (2, 5)
    assert rows["Kvinnor"].over_90 == pytest.approx(50.0)
    scoped = monthly_report(ctx, OCT, Scope(mvo="311", step="SV_BEHANDLING"))
    assert figure(scoped, "waiting").value == 0
    assert figure(monthly_report(ctx, OCT, Scope(region="12")), "waiting").value == 7


def test_strict_60_setting(ctx, october):
    set_setting(ctx.db, "reports.strict_60", True)
    report = monthly_report(ctx, OCT)
    assert figure(report, "le60").label == "Andel väntat < 60 dagar"
    assert figure(report, "le60").value == pytest.approx(300 / 7)


def test_leap_year_february_and_deadline(ctx):
    set_setting(ctx.db, "reports.min_count", 1)
    in_time = open_step(ctx, "2028-01-15", "SV_BEHANDLING")
    late = open_step(ctx, "2028-01-15", "SV_BEHANDLING")
    feb = monthly_report(ctx, Month(2028, 2))
    assert figure(feb, "mean_wait").value == 45  # 16 days of January + 29 of February
    complete(ctx, in_time, "2028-04-14")
    complete(ctx, late, "2028-04-15")
    april = monthly_report(ctx, Month(2028, 4))
    assert figure(april, "met").value == pytest.approx(50.0)
    assert Month(2028, 2).last.day == 29 and Month(2027, 2).last.day == 28


def test_notice_offers_and_care_elsewhere(ctx):
    set_setting(ctx.db, "reports.min_count", 1)
    given = open_step(ctx, "2026-10-01")
    offer(ctx, given, "2026-10-10", "2026-10-20", Answer.ACCEPTED, "2026-10-12")  # notice in time (by 10-15)
    open_step(ctx, "2026-10-05")                               # none by 2026-10-19
    late = open_step(ctx, "2026-09-20")
    offer(ctx, late, "2026-10-05", "2026-10-25")               # window closed 2026-10-04: too late
    risky = open_step(ctx, "2026-07-01")                       # risk from day 60: 2026-08-30
    offer(ctx, risky, "2026-09-09", "2026-09-30", Answer.ACCEPTED, "2026-09-12",
          provider_region="13", ownership="privat")
    complete(ctx, risky, "2026-09-30")
    report = monthly_report(ctx, OCT)
    assert figure(report, "notice").value == pytest.approx(100 / 3)
    assert figure(report, "offered").value == 2                # offers made in October
    assert figure(report, "accepted").value == 1
    sept = monthly_report(ctx, Month(2026, 9))
    assert figure(sept, "treated_elsewhere").value == figure(sept, "accepted").value == 1
    assert figure(sept, "treated_elsewhere:annan region, privat").value == 1
    assert figure(sept, "risk_to_offer").value == 10           # 2026-08-30 to 2026-09-09


def test_sov_counts_as_not_actively_waiting(ctx):
    set_setting(ctx.db, "reports.min_count", 1)
    bup = open_step(ctx, "2026-09-01", "BUP_FORSTA", specialty="931", born=2012)
    mov(ctx, bup, "2026-09-10", kind=PauseKind.SOV)
    report = monthly_report(ctx, OCT)
    assert (figure(report, "waiting").value, figure(report, "waiting_active").value) == (1, 0)


def test_the_trend_alone_is_the_reports_own(ctx, october):
    from app.reports import trend_points

    points = trend_points(ctx, OCT)
    assert [p.month for p in points] == [OCT.plus(-i) for i in reversed(range(13))]
    assert points == monthly_report(ctx, OCT, trend=True).trend


def test_counting_in_the_session_alone_gives_the_same_report(ctx, october, monkeypatch):
    """Where no connection can read beside the session (db.exports.readers_beside), all is counted in it."""
    from contextlib import contextmanager

    from app.reports import service

    beside = monthly_report(ctx, OCT)

    @contextmanager
    def none(session, count):
        yield []

    monkeypatch.setattr(service, "readers_beside", none)
    assert monthly_report(ctx, OCT) == beside


def test_a_case_worker_saves_while_the_trend_is_computed(ctx, october, db_path, monkeypatch):
    """The 13-month trend reads for seconds at full scale: beside the others' saves, never holding them up."""
    from app import cases
    from app.context import sign_in
    from app.database import open_database
    from app.reports import service
    from db import engine as db_engine

    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 200)  # a save held up by the report fails at once
    other = sign_in(open_database(db_path), "bo.lots", "Bo Lots")
    other.today = ctx.today
    saved = []
    trend = service._trend

    def trend_while_saving(*args):
        saved.append(cases.add_note(other, october.case_id, "Ringt patienten under rapportkörningen."))
        return trend(*args)

    monkeypatch.setattr(service, "_trend", trend_while_saving)
    try:
        assert len(monthly_report(ctx, OCT, trend=True).trend) == 13
        assert len(service.trend_points(ctx, OCT)) == 13
    finally:
        other.db.close()
    assert len(saved) == 2


def test_readers_beside_the_report_read_its_snapshot(ctx, second, october):
    """The report's counts on other connections read what its session reads. On the server a colleague's save
    lands meanwhile (the report holds no write lock there) and none of them sees it."""
    from sqlalchemy import func, select

    from app import cases
    from app.reports import service
    from db.exports import readers_beside
    from db.models import CaseEvent

    events = select(func.count(CaseEvent.id))
    with service._logged_reading(ctx, "uppföljning test") as session:
        before = session.scalar(events)
        with readers_beside(session, 2) as beside:
            assert len(beside) == 2
            if ctx.db.server is not None:
                cases.add_note(second, october.case_id, "Sparat medan rapporten räknar.")
            assert [reader.scalar(events) for reader in beside] == [before, before]
            assert session.scalar(events) == before
    with ctx.db.reading() as session:
        assert session.scalar(events) == before + (ctx.db.server is not None)


def test_bup_is_found_by_step_kind_not_by_mvo(ctx):
    """A BUP step filed under another MVO is BUP; a return visit at the BUP clinic is not (30 days do not apply)."""
    set_setting(ctx.db, "reports.min_count", 1)
    filed_elsewhere = open_step(ctx, "2026-09-20", "BUP_BEHANDLING", specialty="931", born=2012)
    complete(ctx, filed_elsewhere, "2026-10-10")                     # 20 days: within 30
    return_visit = open_step(ctx, "2026-07-01", "ATERBESOK", specialty="960", born=2012, target="2026-12-01")
    complete(ctx, return_visit, "2026-10-20")                        # 111 days, by its target date
    report = monthly_report(ctx, OCT)
    assert (figure(report, "bup_completed_le30").value, figure(report, "bup_completed_le30").base) == (100.0, 1)
