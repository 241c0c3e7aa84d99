"""Nationella mått, computed from the export's own records, against values computed by hand (DOMAIN §5).

October 2026, month end 2026-10-31. Timelines are built through the case services."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.errors import InputError
from app.export import Kind, export_month, prepare
from app.export.measures import read_file_facts
from app.export.national import national_months
from app.reports.months import Month
from tests.export.test_export import besok, by_kind
from tests.reports.build import at, complete, mov, open_step, pvv

OCT = Month(2026, 10)


@pytest.fixture
def region(configured):
    ctx = configured
    s = {
        # waiting at month end
        "w91": open_step(ctx, "2026-08-01"),                    # 91 days
        "w60": open_step(ctx, "2026-09-01"),                    # 60 days: <= 60, not < 60
        "pvv_holding": open_step(ctx, "2026-05-01"),            # PvV holds at month end; 183 days
        "mov_ended": open_step(ctx, "2026-04-01"),              # MoV May: ended, no code; SKR counts 213 days
        "mov_holding": open_step(ctx, "2026-03-01"),            # MoV open at month end: code 2
        # completed in October
        "in_time": open_step(ctx, "2026-08-01"),                # 75 days
        "mov_done": open_step(ctx, "2026-06-01"),               # MoV during the step: code 2, left out
        "restarted": open_step(ctx, "2026-03-01"),              # PvV, restart 2026-08-01: code 1, left out
        "late": open_step(ctx, "2026-06-01"),                   # 141 days
        # BUP stages, found by step kind (one filed under a non-BUP MVO)
        "bup_first": open_step(ctx, "2026-10-05", "BUP_FORSTA", specialty="960"),
        "bup_assess": open_step(ctx, "2026-09-01", "BUP_UTREDNING", specialty="960", activity="P010"),
        "bup_treat": open_step(ctx, "2026-09-20", "BUP_BEHANDLING", specialty="311", activity="P010"),
        # return visits: 100 days from decision to target date; tolerance 10 days
        "rv_on_time": open_step(ctx, "2026-07-01", "ATERBESOK", target="2026-10-09"),
        "rv_9pct": open_step(ctx, "2026-07-01", "ATERBESOK", target="2026-10-09"),
        "rv_11pct": open_step(ctx, "2026-07-01", "ATERBESOK", target="2026-10-09"),
        # primary care
        "pv_3": open_step(ctx, "2026-10-10", "PV_BEDOMNING", specialty="011"),
        "pv_4": open_step(ctx, "2026-10-10", "PV_BEDOMNING", specialty="011"),
    }
    pvv(ctx, s["pvv_holding"], "2026-05-05", "2026-05-05", "2026-06-01", "2026-05-10")
    mov(ctx, s["mov_ended"], "2026-05-01", "2026-06-01")
    mov(ctx, s["mov_holding"], "2026-04-01")
    complete(ctx, s["in_time"], "2026-10-15")
    mov(ctx, s["mov_done"], "2026-06-10", "2026-07-10")
    complete(ctx, s["mov_done"], "2026-10-01")
    pvv(ctx, s["restarted"], "2026-03-05", "2026-03-05", "2026-03-20", "2026-03-10", restart="2026-08-01")
    complete(ctx, s["restarted"], "2026-10-15")
    complete(ctx, s["late"], "2026-10-20")
    complete(ctx, s["bup_assess"], "2026-10-05")   # 34 days
    complete(ctx, s["bup_treat"], "2026-10-10")    # 20 days
    complete(ctx, s["rv_on_time"], "2026-10-09")
    complete(ctx, s["rv_9pct"], "2026-10-18")      # 9 days late of 100: met with the tolerance
    complete(ctx, s["rv_11pct"], "2026-10-20")     # 11 days late: not met
    complete(ctx, s["pv_3"], "2026-10-13")
    complete(ctx, s["pv_4"], "2026-10-14")
    at(ctx, "2026-11-05")
    return s


def pct(n, base):
    return Fraction(100 * n, base)


def test_first_visit_measures_by_hand(configured, region):
    m = national_months(configured, [OCT])[OCT]
    fas1 = m.step("SV_FORSTA_BESOK")
    assert (fas1["waiting"].n, fas1["waiting_pvv"].n, fas1["waiting_mov"].n) == (5, 1, 1)
    # Shares over the three records without a code: 91, 60 and 213 days (the ended MoV counts in full).
    assert fas1["waiting_counted"].n == 3
    assert fas1["waiting_lt60"].percent == 0
    assert fas1["waiting_le60"].percent == pct(1, 3)
    assert fas1["waiting_gt90"].percent == pct(2, 3)
    assert fas1["waiting_gt150"].percent == pct(1, 3)
    # Inklusive PvV: 91, 183 (PvV), 213; never the MoV holding.
    assert (fas1["gt90_incl_pvv"].n, fas1["gt150_incl_pvv"].n) == (3, 2)
    # Completed: 75 and 141 days counted; MoV during the step and the restart after PvV left out.
    assert (fas1["completed"].n, fas1["completed_counted"].n) == (4, 2)
    assert fas1["completed_within_limit"].percent == 50


def test_each_step_kind_apart(configured, region):
    m = national_months(configured, [OCT])[OCT]
    assert m.step("SV_BEHANDLING")["waiting"].n == 0
    assert m.step("BUP_FORSTA")["waiting_within_limit"].percent == 100           # 26 days
    assert m.step("BUP_UTREDNING")["completed_within_limit"].percent == 0        # 34 days
    assert m.step("BUP_BEHANDLING")["completed_within_limit"].percent == 100     # under MVO 311, still BUP
    rv = m.step("ATERBESOK")
    assert rv["completed_by_target"].percent == pct(1, 3)
    assert rv["completed_by_target_tolerance"].percent == pct(2, 3)              # 9 % late in, 11 % out
    pv = m.step("PV_BEDOMNING")
    assert pv["completed_within_limit"].percent == 50                            # 3 days in, 4 days out


def test_the_file_gives_the_same_facts(configured, region, schemas, tmp_path):
    prepared = prepare(configured, OCT)
    files = by_kind(export_month(configured, OCT, tmp_path))
    for kind in Kind:
        schemas[kind.value].validate(str(files[kind].path))
        from_file = sorted(read_file_facts(files[kind].path.read_text("utf-8")), key=repr)
        from_records = sorted((r.facts._replace(step="", case_id=0) for r in prepared.records[kind]), key=repr)
        assert from_file == from_records
    waiting = besok(files[Kind.WAITING].path)
    mov_ended = [b for b in waiting if b["BeslutAktivitet"].startswith("2026-04-01")]
    assert len(mov_ended) == 1 and "Avvikelse" not in mov_ended[0]  # actively waiting again: no code
    completed = besok(files[Kind.COMPLETED].path)
    assert [b.get("Avvikelse") for b in completed if b["BeslutAktivitet"].startswith("2026-06-01")
            and b["StartAktivitet"].startswith("2026-10-01")] == ["2"]


def test_primary_care_takes_no_exclusions(configured):
    step = open_step(configured, "2026-10-10", "PV_BEDOMNING", specialty="011")
    with pytest.raises(InputError, match="inga undantag"):
        mov(configured, step, "2026-10-11")


def test_table_hides_small_numbers_and_says_pe(configured, region):
    from app.export.national import national_report
    from app.settings import set_setting

    set_setting(configured.db, "reports.min_count", 3)
    table = national_report(configured, OCT).table
    second = next(i for i, row in enumerate(table.rows) if i and row[0])
    fas1 = {row[1]: row for row in table.rows[:second]}
    # 5 waiting: 3 without a code, 1 PvV, 1 MoV. The PvV and MoV ones are under 3: both hidden (and so the
    # 3 can be shown without giving them back).
    assert fas1["Väntande vid månadens slut (alla)"][2] == "5"
    assert fas1["varav patientvald väntan (PvV)"][2] == "–"
    assert fas1["varav medicinskt/särskilt orsakad väntan"][2] == "–"
    assert fas1["Andel genomförda inom 90 dagar"][2] == "–"   # over 2 completed
    assert fas1["Andel väntat högst 60 dagar"][2] == "33,3 %"
    set_setting(configured.db, "reports.min_count", 1)
    table = national_report(configured, OCT).table
    assert all(row[4].endswith(" p.e.") for row in table.rows if row[4])


def test_the_scope_line_follows_the_setting(configured, region):
    from app.export.national import national_report
    from app.reports.coverage import WHOLE_LISTS
    from app.settings import set_setting

    assert national_report(configured, OCT).notes[0].startswith("Omfattning: ärendena i Lotsen")
    set_setting(configured.db, WHOLE_LISTS, True)
    assert national_report(configured, OCT).notes[0] == "Omfattning: regionens hela väntelistor, som de finns i Lotsen."


def test_fhir_measure_reports_validate_as_r4(configured, region, tmp_path):
    import json

    from fhir.resources.R4B.measurereport import MeasureReport  # R4B: R4's MeasureReport with its corrections

    from app.export.fhir import measure_url, write_measure_reports

    month = national_months(configured, [OCT])[OCT]
    paths = write_measure_reports(month, tmp_path / "fhir")
    assert len(paths) == sum(len(s.measures) for s in month.steps)
    reports = {}
    for path in paths:
        raw = json.loads(path.read_text("utf-8"))
        MeasureReport.model_validate(raw)  # raises on any structural error
        reports[raw["measure"]] = raw
    share = reports[measure_url("SV_FORSTA_BESOK", "waiting_le60")]
    assert share["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    populations = {p["code"]["coding"][0]["code"]: p["count"] for p in share["group"][0]["population"]}
    assert populations == {"denominator": 3, "numerator": 1}
    assert share["group"][0]["measureScore"]["value"] == 33.3
    assert "Omfattning" in share["text"]["div"]
    broken = {k: v for k, v in share.items() if k != "status"}  # the validator does check: status is required
    with pytest.raises(ValueError):
        MeasureReport.model_validate(broken)


def test_facts_only_gives_the_records_facts(configured, region):
    from app.export.config import load_config
    from app.export.service import build_records
    from app.reports.source import load_months

    with configured.db.transaction() as session:
        data = load_months(session, [OCT], configured.rules, wide=True)[OCT]
    config = load_config(configured.db)
    full, lean = build_records(data, config, configured.rules), build_records(data, config, configured.rules, True)
    for kind in Kind:
        assert sorted((r.facts for r in full.records[kind]), key=repr) == sorted(
            (r.facts for r in lean.records[kind]), key=repr)
    assert lean.issues == full.issues
