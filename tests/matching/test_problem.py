"""The assignment problem alone: who gets the scarce slot, travel and dates, the patient's limits, the
contract's ceiling, no slot given twice."""

from __future__ import annotations

from datetime import date, timedelta

from app.matching.problem import Patient, Week, one_at_a_time, solve

TODAY = date(2026, 11, 23)  # a Monday
MONDAY = TODAY + timedelta(days=7)
G = ("311", None, "12")


def week(key: int, unit: int, municipality: str, free: int = 1, weeks_ahead: int = 1, contract: int | None = None,
         route: int = 0) -> Week:
    starts = TODAY + timedelta(weeks=weeks_ahead)
    return Week(key, unit, municipality, starts, starts + timedelta(days=6), free, contract, route)


def patient(key: int, remaining: int = 30, priority: str | None = "3", municipality: str | None = "1280",
            **extra) -> Patient:
    return Patient(key, G, TODAY + timedelta(days=remaining), remaining, priority, municipality, **extra)


def test_one_slot_goes_to_the_most_urgent_then_the_highest_priority():
    weeks = {G: [week(1, 10, "1281")]}
    got = solve([patient(1, remaining=40), patient(2, remaining=-5), patient(3, remaining=20)], weeks, TODAY)
    assert [a.patient for a in got] == [2]
    got = solve([patient(1, remaining=20, priority="4"), patient(2, remaining=20, priority="1")], weeks, TODAY)
    assert [a.patient for a in got] == [2]


def test_least_travel_and_every_slot_once():
    weeks = {G: [week(1, 10, "1281", free=1), week(2, 11, "0180", free=1), week(3, 12, "2584", free=3)]}
    got = solve([patient(1), patient(2), patient(3), patient(4)], weeks, TODAY)
    by_week = {}
    for a in got:
        by_week.setdefault(a.week, []).append(a.patient)
    assert len(got) == 4 and len(by_week[1]) == 1 and len(by_week[2]) == 1 and len(by_week[3]) == 2
    lund = next(a for a in got if a.week == 1)
    assert lund.travel_km < 60 and lund.day == MONDAY


def test_the_deadline_the_travel_limit_unavailable_days_and_the_home_unit():
    weeks = {G: [week(1, 10, "1281", weeks_ahead=1), week(2, 11, "1281", weeks_ahead=3)]}
    # deadline before the only slots: none; an overdue patient still gets the earliest
    assert solve([patient(1, remaining=5)], weeks, TODAY) == []
    assert solve([patient(1, remaining=-3)], weeks, TODAY)[0].week == 1
    # too far
    assert solve([patient(1, max_travel_km=20)], {G: [week(1, 10, "0180")]}, TODAY) == []
    # away the whole first week: the later one, on its first day
    away = ((MONDAY, MONDAY + timedelta(days=6)),)
    got = solve([patient(1, unavailable=away)], weeks, TODAY)
    assert got[0].week == 2 and got[0].day == TODAY + timedelta(weeks=3)
    # away Monday and Tuesday: Wednesday of the first week
    got = solve([patient(1, unavailable=((MONDAY, MONDAY + timedelta(days=1)),))], weeks, TODAY)
    assert got[0].week == 1 and got[0].day == MONDAY + timedelta(days=2)
    # the unit where the patient already waits is not care elsewhere
    assert solve([patient(1, excluded_units=frozenset({10}))], weeks, TODAY)[0].week == 2


def test_a_contracts_remaining_volume_caps_its_places():
    weeks = {G: [week(1, 10, "1281", free=5, contract=7, route=1)]}
    got = solve([patient(i) for i in range(5)], weeks, TODAY, contract_room={7: 2})
    assert len(got) == 2
    assert solve([patient(1)], weeks, TODAY, contract_room={7: 0}) == []


def test_groups_only_see_their_own_units():
    other = ("511", None, "12")
    weeks = {G: [week(1, 10, "1281")], other: [week(2, 11, "1281")]}
    got = solve([patient(1), Patient(2, other, TODAY + timedelta(days=30), 30, "3", "1280")], weeks, TODAY)
    assert {(a.patient, a.week) for a in got} == {(1, 1), (2, 2)}


def test_one_at_a_time_loses_who_the_list_wide_matching_serves():
    # the first in line could go anywhere and takes the near place; the second could only have used that one
    weeks = {G: [week(1, 10, "1281", weeks_ahead=1), week(2, 11, "1380", weeks_ahead=3)]}
    patients = [patient(1, remaining=-2), patient(2, remaining=12)]
    assert {a.patient for a in one_at_a_time(patients, weeks, TODAY, {G: {10: 0, 11: 1}})} == {1}
    assert {(a.patient, a.week) for a in solve(patients, weeks, TODAY)} == {(1, 2), (2, 1)}
