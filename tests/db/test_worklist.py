"""The worklist query: order, every filter, sorting, and agreement with the clock itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app import cases, worklist
from app.guarantee import Flag, PauseKind, State
from app.identity import make_personnummer
from app.worklist import Filter, Sort, SortOrder
from tests.conftest import TODAY


def add(ctx, serial: int, name: str, days_ago: int, *, step="SV_FORSTA_BESOK", mvo="311", unit="Ortopeden Lund",
        region="12", priority=None) -> cases.Opened:
    return cases.open_case(
        ctx,
        cases.NewPatient(make_personnummer(date(1950, 1, 1) + timedelta(days=serial * 40), serial), name, region),
        cases.NewCase(step, TODAY - timedelta(days=days_ago), mvo, waiting_unit=unit, medical_priority=priority),
    )


@pytest.fixture
def region(ctx):
    """A small region with one step in each state and a mix of units, steps and flags."""
    s = {}
    s["ok"] = add(ctx, 1, "Olle Ok", 5)
    s["risk"] = add(ctx, 2, "Rita Risk", 65, unit="Ögon Malmö", mvo="511")
    s["akut"] = add(ctx, 3, "Åsa Akut", 80, step="SV_BEHANDLING")
    s["over"] = add(ctx, 4, "Östen Över", 160, region="13", priority="1")
    s["long"] = add(ctx, 5, "Lång Väntan", 400)
    s["paus"] = add(ctx, 6, "Paula Paus", 40)
    cases.start_pause(ctx, s["paus"].step_id, TODAY - timedelta(days=3), PauseKind.MOV)
    s["bup"] = add(ctx, 7, "Bo Bup", 25, step="BUP_FORSTA", mvo="960")
    cases.record_notice(ctx, s["ok"].step_id, TODAY - timedelta(days=2))
    cases.record_contact(ctx, s["risk"].step_id, TODAY - timedelta(days=1), "telefon")
    return s


def names(ctx, flt=Filter(), order=SortOrder()):  # noqa: B008
    ids = worklist.open_step_ids(ctx, flt, order)
    return [r.patient_name for r in worklist.rows_for(ctx, ids)]


def test_default_order_is_state_then_remaining(ctx, region):
    assert names(ctx) == ["Lång Väntan", "Östen Över", "Bo Bup", "Åsa Akut", "Rita Risk", "Olle Ok", "Paula Paus"]


def test_rows_agree_with_the_clock_today_and_later(ctx, region):
    for offset in (0, 9, 31, 200):
        day = TODAY + timedelta(days=offset)
        ids = worklist.open_step_ids(ctx, today=day)
        for row in worklist.rows_for(ctx, ids, day):
            clock = cases.step_clock(ctx, row.step_id, day)
            assert (row.state, row.deadline, row.waited, row.remaining, row.flags) == (
                clock.state, clock.deadline, clock.waited, clock.remaining, clock.flags), row.patient_name


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (Filter(states=frozenset({State.OVERDUE})), {"Lång Väntan", "Östen Över"}),
        (Filter(states=frozenset({State.PAUSED, State.RISK})), {"Paula Paus", "Rita Risk"}),
        (Filter(steps=frozenset({"SV_BEHANDLING"})), {"Åsa Akut"}),
        (Filter(specialties=frozenset({"511"})), {"Rita Risk"}),
        (Filter(units=frozenset({"Ögon Malmö"})), {"Rita Risk"}),
        (Filter(home_regions=frozenset({"13"})), {"Östen Över"}),
        (Filter(waited_over=150), {"Lång Väntan", "Östen Över"}),
        (Filter(waited_over=365), {"Lång Väntan"}),
        (Filter(waited_over=730), set()),
        (Filter(lapsing_within=14), {"Åsa Akut", "Bo Bup"}),
        (Filter(flags=frozenset({Flag.NO_CONTACT})), {"Lång Väntan", "Östen Över", "Åsa Akut"}),
        (Filter(text="åsa"), {"Åsa Akut"}),
        (Filter(text="ÖSTEN"), {"Östen Över"}),
        (Filter(text="väntan"), {"Lång Väntan"}),
    ],
)
def test_each_filter(ctx, region, flt, expected):
    assert set(names(ctx, flt)) == expected


def test_no_notice_flag_filter(ctx, region):
    found = set(names(ctx, Filter(flags=frozenset({Flag.NO_NOTICE}))))
    assert "Olle Ok" not in found and "Paula Paus" in found and "Lång Väntan" in found


def test_search_by_personnummer_digits(ctx, region):
    pnr = make_personnummer(date(1950, 1, 1) + timedelta(days=80), 2)
    assert names(ctx, Filter(text=f"{pnr[2:8]}-{pnr[8:]}")) == ["Rita Risk"]


def test_assigned_to_me(ctx, region):
    assert len(names(ctx, Filter(assigned_to=ctx.user_id))) == 7
    assert names(ctx, Filter(assigned_to=ctx.user_id + 99)) == []


def test_sorting_by_columns(ctx, region):
    by_waited = worklist.rows_for(ctx, worklist.open_step_ids(ctx, order=SortOrder(Sort.WAITED, True)))
    assert [r.waited for r in by_waited] == sorted((r.waited for r in by_waited), reverse=True)
    assert names(ctx, order=SortOrder(Sort.PATIENT))[0] == "Bo Bup"
    assert names(ctx, order=SortOrder(Sort.PRIORITY, True))[0] == "Östen Över"
    for key in Sort:
        assert len(names(ctx, order=SortOrder(key))) == 7


def test_counts_by_state_follow_the_filter(ctx, region):
    counts = worklist.count_by_state(ctx)
    assert counts[State.OVERDUE] == 2 and counts[State.PAUSED] == 1 and sum(counts.values()) == 7
    assert worklist.count_by_state(ctx, Filter(steps=frozenset({"BUP_FORSTA"}))) == {State.AKUT: 1}


def test_filters_survive_a_round_trip_through_json(region):
    flt = Filter(states=frozenset({State.RISK}), flags=frozenset({Flag.NO_CONTACT}), waited_over=150, text="x")
    assert Filter.from_json(flt.to_json()) == flt


def test_saved_filters_are_kept_per_user(ctx, region):
    mine = Filter(states=frozenset({State.OVERDUE}), waited_over=365)
    worklist.save_filter(ctx, "Långa överskridna", mine)
    assert worklist.saved_filters(ctx) == {"Långa överskridna": mine}
    assert names(ctx, worklist.saved_filters(ctx)["Långa överskridna"]) == ["Lång Väntan"]


def test_summary_counts_open_the_matching_worklist(ctx, region):
    counts = {label: (flt, n) for label, flt, n in worklist.summary_counts(ctx)}
    assert counts["Överskridna"][1] == 2
    assert counts["Löper ut inom 14 dagar"][1] == 2
    assert counts["Väntat mer än 150 dagar"][1] == 2
    for flt, n in counts.values():
        assert len(worklist.open_step_ids(ctx, flt)) == n
