"""List-wide matching as one assignment problem (issue 18): waiting patients (rows) against free appointment
slots (columns), solved with scipy's sparse Jonker–Volgenant (`min_weight_full_bipartite_matching`).

Pure: no database. Every row also has its own "no proposal" column, so a full matching always exists and a
patient is only given a slot when that lowers the total cost. Costs:

    cost(patient, slot) = travel and delay penalties − value(patient)
    value(patient)      = BASE + medical priority + urgency (days past or near the deadline)

so the solver first serves as many patients as it can, preferring the most urgent and highest priority when
slots are scarce, and among equal claims chooses the least travel, the earliest date and the search order of
DOMAIN §3 (own units, own contracts, other regions). A slot is a unit's free place in one week; a week with
n free places is n identical columns. Hard rules (offered service, contract terms, staleness, before the
deadline, the patient's unavailable days and travel limit) decide which edges exist at all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from app.travel import distance_km

BASE = 10_000.0
PRIORITY_VALUE = {"1": 4_000.0, "2": 3_000.0, "3": 2_000.0, "4": 1_000.0, None: 1_500.0}  # 1 is the most urgent
URGENCY_PER_DAY = 40.0        # a day closer to (or further past) the deadline
URGENCY_HORIZON = 120         # days remaining from which urgency starts to count
TRAVEL_PER_KM = 1.0
DELAY_PER_DAY = 4.0
ROUTE_PENALTY = (0.0, 30.0, 80.0)  # own unit, own contract, other region (app.register.Route)
UNKNOWN_TRAVEL_KM = 100.0    # a patient without a known municipality (protected identity)
BEST_WEEKS_PER_PATIENT = 24  # edges kept per patient: its cheapest unit-weeks; more never change the answer much
NO_PROPOSAL = 1.0            # the cost of a patient's own "no proposal" column (weights must be non-zero)


@dataclass(frozen=True)
class Patient:
    """A step to match: what makes it urgent, where the patient lives, what they said they can do."""

    key: int                     # the caller's id (the step id)
    group: tuple                 # which units may treat it (same group, same eligible units and routes)
    deadline: date
    remaining: int
    priority: str | None
    municipality: str | None     # where the patient lives (None: unknown or protected)
    max_travel_km: int | None = None
    unavailable: tuple[tuple[date, date], ...] = ()
    excluded_units: frozenset[int] = frozenset()  # the unit where the patient already waits: not elsewhere


@dataclass(frozen=True)
class Week:
    """Free places of one unit in one week (a capacity report), as open to one patient group."""

    key: int                # the caller's id (the capacity report)
    unit: int
    municipality: str | None
    starts: date
    ends: date
    free: int
    contract: int | None    # the contract whose remaining volume the places count against
    route: int


@dataclass(frozen=True)
class Assignment:
    patient: int
    week: int
    day: date
    travel_km: float | None
    cost: float


def value(p: Patient) -> float:
    urgency = max(0, URGENCY_HORIZON - p.remaining) * URGENCY_PER_DAY
    return BASE + PRIORITY_VALUE.get(p.priority, PRIORITY_VALUE[None]) + urgency


def solve(patients: Sequence[Patient], weeks_by_group: dict[tuple, Sequence[Week]], today: date,
          contract_room: dict[int, int] | None = None, earliest_days: int = 7) -> list[Assignment]:
    """The cheapest assignment. `weeks_by_group`: the weeks each patient group may use (its eligible units'
    fresh reports), `contract_room`: places left under each contract's volume ceiling; `earliest_days`: the
    first proposal lies this many days ahead (time to send the letter and answer)."""
    earliest = (today + timedelta(days=earliest_days)).toordinal()
    by_group: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(patients):
        by_group[p.group].append(i)
    edges: list[tuple[int, int, int, float | None, float]] = []  # patient, week index, day ordinal, km, cost
    weeks: list[Week] = []
    for group, members in by_group.items():
        offered = list(weeks_by_group.get(group, ()))
        if not offered:
            continue
        first = len(weeks)
        weeks.extend(offered)
        starts = np.array([w.starts.toordinal() for w in offered])
        ends = np.array([w.ends.toordinal() for w in offered])
        route = np.array([ROUTE_PENALTY[w.route] for w in offered])
        unit = np.array([w.unit for w in offered])
        places = [w.municipality for w in offered]
        day = np.maximum(starts, earliest)
        weekday = (day - 1) % 7  # date.fromordinal(1) is a Monday
        day = np.where(weekday >= 5, day + 7 - weekday, day)  # a weekend: the Monday after
        travel: dict[str | None, np.ndarray] = {}  # patients of a group live in few municipalities
        for i in members:
            p = patients[i]
            km = travel.get(p.municipality)
            if km is None:
                km = travel[p.municipality] = distances(p.municipality, places)
            if p.unavailable:  # rare: day by day
                days = np.array([_first_day(p, w, earliest) for w in offered])
            else:
                days = np.where(day <= ends, day, -1)
            ok = days > 0
            if p.excluded_units:
                ok &= ~np.isin(unit, list(p.excluded_units))
            if p.remaining >= 0:
                ok &= days <= p.deadline.toordinal()
            if p.max_travel_km is not None:
                ok &= ~(km > p.max_travel_km)  # NaN (unknown) passes
            index = np.flatnonzero(ok)
            if not index.size:
                continue
            known = np.where(np.isnan(km[index]), UNKNOWN_TRAVEL_KM, km[index])
            cost = (known * TRAVEL_PER_KM + (days[index] - today.toordinal()) * DELAY_PER_DAY + route[index]
                    - value(p))
            if index.size > BEST_WEEKS_PER_PATIENT:
                best = np.argpartition(cost, BEST_WEEKS_PER_PATIENT)[:BEST_WEEKS_PER_PATIENT]
                index, cost = index[best], cost[best]
            for j, c in zip(index.tolist(), cost.tolist(), strict=True):
                k = km[j]
                edges.append((i, first + j, int(days[j]), None if np.isnan(k) else float(k), c))
    if not edges:
        return []
    # Columns: n copies of a week, n = its free places, no more than the patients who could use it, and the
    # places under one contract no more than the volume left under its ceiling (earliest weeks first). A report
    # open to several groups is one set of columns.
    users: dict[int, int] = defaultdict(int)
    for _, j, *_ in edges:
        users[weeks[j].key] += 1
    report: dict[int, Week] = {}
    for _, j, *_ in edges:
        report.setdefault(weeks[j].key, weeks[j])
    room = dict(contract_room or {})
    copies: dict[int, range] = {}
    column = 0
    for key in sorted(report, key=lambda k: (report[k].starts, k)):
        w = report[key]
        n = min(w.free, users[key])
        if w.contract is not None and w.contract in room:
            n = min(n, max(0, room[w.contract]))
            room[w.contract] -= n
        copies[key] = range(column, column + n)
        column += n
    rows, cols, costs = [], [], []
    for i, j, _, _, cost in edges:
        for c in copies[weeks[j].key]:
            rows.append(i)
            cols.append(c)
            costs.append(cost)
    n = len(patients)
    rows.extend(range(n))
    cols.extend(range(column, column + n))  # each patient's own "no proposal" column
    costs.extend([NO_PROPOSAL] * n)
    graph = coo_array((np.array(costs), (np.array(rows), np.array(cols))), shape=(n, column + n)).tocsr()
    _, col_ind = min_weight_full_bipartite_matching(graph)
    chosen = {i: c for i, c in enumerate(col_ind.tolist()) if c < column}
    out = []
    for i, j, day, km, cost in edges:
        c = chosen.get(i)
        if c is not None and c in copies[weeks[j].key]:
            out.append(Assignment(patients[i].key, weeks[j].key, date.fromordinal(day), km, cost))
            del chosen[i]
    return out


def one_at_a_time(patients: Sequence[Patient], weeks_by_group: dict[tuple, Sequence[Week]], today: date,
                  contract_room: dict[int, int] | None = None, earliest_days: int = 7) -> list[Assignment]:
    """The comparison for the matching's effect: each patient in the given order takes the best place left for
    them alone (the same rules and costs as `solve`), as a search one patient at a time does."""
    free = {w.key: w.free for ws in weeks_by_group.values() for w in ws}
    room = dict(contract_room or {})
    out = []
    for p in patients:
        left = [replace(w, free=free[w.key]) for w in weeks_by_group.get(p.group, ())
                if free[w.key] > 0 and (w.contract is None or room.get(w.contract, 1) > 0)]
        got = solve([p], {p.group: left}, today, None, earliest_days)
        if got:
            week = next(w for w in left if w.key == got[0].week)
            free[week.key] -= 1
            if week.contract in room:
                room[week.contract] -= 1
            out.append(got[0])
    return out


def distances(municipality: str | None, places: list[str | None]) -> np.ndarray:
    """Road km from a municipality to each place; NaN where either is unknown."""
    return np.array([np.nan if (km := distance_km(municipality, place)) is None else km for place in places])


def _first_day(p: Patient, w: Week, earliest: int) -> int:
    """The first weekday of the week, not before `earliest`, that the patient can come; -1 if none."""
    day = date.fromordinal(max(w.starts.toordinal(), earliest))
    while day <= w.ends:
        if day.weekday() < 5 and not any(a <= day <= b for a, b in p.unavailable):
            return day.toordinal()
        day += timedelta(days=1)
    return -1
