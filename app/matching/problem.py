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
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from app.travel import distance_matrix

BASE = 10_000.0
PRIORITY_VALUE = {"1": 4_000.0, "2": 3_000.0, "3": 2_000.0, "4": 1_000.0, None: 1_500.0}  # 1 is the most urgent
URGENCY_PER_DAY = 40.0        # a day closer to (or further past) the deadline
URGENCY_HORIZON = 120         # days remaining from which urgency starts to count
TRAVEL_PER_KM = 1.0
DELAY_PER_DAY = 4.0
ROUTE_PENALTY = (0.0, 30.0, 80.0)  # own unit, own contract, other region (app.register.Route)
UNKNOWN_TRAVEL_KM = 100.0    # a patient without a known municipality (protected identity)
# Edges kept per patient and round: their cheapest unit-weeks. Measured on the 5 000-case demo: 40 keeps 5 000
# steps near the time target; 64 found places for 4 % more of them where places were scarce.
BEST_WEEKS_PER_PATIENT = 40
ROUNDS = 4                   # rounds that offer patients left without a place the places still free
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
    first proposal lies this many days ahead (time to send the letter and answer).

    Each patient brings only their BEST_WEEKS_PER_PATIENT cheapest weeks to the problem, which keeps it small;
    where that leaves places unused that patients left without one could have had, further rounds offer those
    patients their best weeks among the places still free (at most ROUNDS in all)."""
    slots = _Slots(weeks_by_group, contract_room)
    options = _options(patients, weeks_by_group, slots, today, earliest_days)
    chosen: dict[int, tuple[int, int, float, float]] = {}  # patient -> (slot, day, km, cost)
    for _ in range(ROUNDS):
        open_slot = slots.open()
        parts = []
        for i, (slot, day, km, cost) in options.items():
            if i in chosen:
                continue
            usable = np.flatnonzero(open_slot[slot])[:BEST_WEEKS_PER_PATIENT]
            if usable.size:
                parts.append((np.full(usable.size, i), slot[usable], day[usable], km[usable], cost[usable]))
        if not parts:
            break
        edges = tuple(np.concatenate(column) for column in zip(*parts, strict=True))
        got = _assign(len(patients), edges, slots)
        if not got:
            break
        for i, edge in got.items():
            chosen[i] = edge
            slots.take(edge[0])
    return [Assignment(patients[i].key, slots.weeks[slot].key, date.fromordinal(day),
                       None if np.isnan(km) else float(km), cost)
            for i, (slot, day, km, cost) in sorted(chosen.items())]



class _Slots:
    """Each capacity report once, with its free places and the contract room left, as the rounds use them up."""

    def __init__(self, weeks_by_group: dict[tuple, Sequence[Week]], contract_room: dict[int, int] | None):
        self.index: dict[int, int] = {}
        self.weeks: list[Week] = []
        for ws in weeks_by_group.values():
            for w in ws:
                if w.key not in self.index:
                    self.index[w.key] = len(self.weeks)
                    self.weeks.append(w)
        self.free = np.array([w.free for w in self.weeks], dtype=int)
        self.room = dict(contract_room or {})
        self.contract = [w.contract if w.contract in self.room else None for w in self.weeks]

    def open(self) -> np.ndarray:
        rooms = np.array([1 if c is None else self.room[c] for c in self.contract], dtype=int)
        return (self.free > 0) & (rooms > 0)

    def take(self, slot: int) -> None:
        self.free[slot] -= 1
        if self.contract[slot] is not None:
            self.room[self.contract[slot]] -= 1


def _options(patients: Sequence[Patient], weeks_by_group: dict[tuple, Sequence[Week]], slots: _Slots,
             today: date, earliest_days: int) -> dict[int, tuple[np.ndarray, ...]]:
    """Every patient's feasible weeks, cheapest first: (slot, day ordinal, km, cost) arrays."""
    earliest = (today + timedelta(days=earliest_days)).toordinal()
    by_group: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(patients):
        by_group[p.group].append(i)
    out = {}
    for group, members in by_group.items():
        offered = list(weeks_by_group.get(group, ()))
        if not offered:
            continue
        slot = np.array([slots.index[w.key] for w in offered])
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
            for excluded in p.excluded_units:
                ok &= unit != excluded
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
            order = np.argsort(cost, kind="stable")
            index = index[order]
            out[i] = (slot[index], days[index], km[index], cost[order])
    return out


def _assign(n: int, edges: tuple[np.ndarray, ...], slots: _Slots) -> dict[int, tuple[int, int, float, float]]:
    """One round: columns are n copies of a slot, n = its free places, no more than the patients who could use
    it, and under one contract no more than the room left (earliest weeks first). `edges`: arrays of patient,
    slot, day, km and cost."""
    patient, slot, day, km, cost = edges
    used, users = np.unique(slot, return_counts=True)
    room = dict(slots.room)
    count = np.zeros(len(slots.weeks), dtype=int)
    for s, u in sorted(zip(used.tolist(), users.tolist(), strict=True), key=lambda su: (slots.weeks[su[0]].starts,
                                                                                       su[0])):
        c = min(int(slots.free[s]), u)
        contract = slots.contract[s]
        if contract is not None:
            c = min(c, max(0, room[contract]))
            room[contract] -= c
        count[s] = c
    offset = np.concatenate([[0], np.cumsum(count)])
    columns = int(offset[-1])
    copies = count[slot]
    if not copies.sum():
        return {}
    edge = np.repeat(np.arange(len(slot)), copies)
    first = np.repeat(np.cumsum(copies) - copies, copies)
    cols = offset[slot][edge] + (np.arange(len(edge)) - first)  # the k-th copy of the edge's slot
    rows = np.concatenate([patient[edge], np.arange(n)])
    cols = np.concatenate([cols, columns + np.arange(n)])  # each patient's own "no proposal" column
    weights = np.concatenate([cost[edge], np.full(n, NO_PROPOSAL)])
    graph = coo_array((weights, (rows, cols)), shape=(n, columns + n)).tocsr()
    _, col_ind = min_weight_full_bipartite_matching(graph)
    matched = np.flatnonzero(col_ind < columns)
    taken = np.searchsorted(offset, col_ind[matched], side="right") - 1  # the slot of each matched column
    key = patient.astype(np.int64) * len(slots.weeks) + slot  # (patient, slot) is unique among the edges
    order = np.argsort(key)
    found = order[np.searchsorted(key[order], matched.astype(np.int64) * len(slots.weeks) + taken)]
    return {int(i): (int(s), int(day[e]), float(km[e]), float(cost[e]))
            for i, s, e in zip(matched.tolist(), taken.tolist(), found.tolist(), strict=True)}


def one_at_a_time(patients: Sequence[Patient], weeks_by_group: dict[tuple, Sequence[Week]], today: date,
                  register_order: dict[tuple, dict[int, int]], contract_room: dict[int, int] | None = None,
                  earliest_days: int = 7) -> list[Assignment]:
    """The comparison for the matching's effect, the search a case worker does today: patients one at a time in
    the given order, each booked at the first unit in the register's order (`register_order`: group -> unit ->
    position, as "Hitta vård" lists them) that has a place the patient can take, in its earliest such week. The
    same rules decide what the patient can take as in `solve`."""
    slots = _Slots(weeks_by_group, contract_room)
    options = _options(patients, weeks_by_group, slots, today, earliest_days)
    out = []
    for i, p in enumerate(patients):
        if i not in options:
            continue
        slot, day, km, cost = options[i]
        usable = np.flatnonzero(slots.open()[slot])
        if not usable.size:
            continue
        order = register_order.get(p.group, {})
        best = min(usable, key=lambda u: (order.get(slots.weeks[slot[u]].unit, 10**6), day[u]))
        slots.take(int(slot[best]))
        k = km[best]
        out.append(Assignment(p.key, slots.weeks[slot[best]].key, date.fromordinal(int(day[best])),
                              None if np.isnan(k) else float(k), float(cost[best])))
    return out


def distances(municipality: str | None, places: list[str | None]) -> np.ndarray:
    """Road km from a municipality to each place; NaN where either is unknown."""
    index, matrix = distance_matrix()
    row = index.get(municipality or "")
    if row is None:
        return np.full(len(places), np.nan)
    columns = np.array([index.get(place or "", -1) for place in places])
    return np.where(columns >= 0, matrix[row, columns], np.nan)


def _first_day(p: Patient, w: Week, earliest: int) -> int:
    """The first weekday of the week, not before `earliest`, that the patient can come; -1 if none."""
    day = date.fromordinal(max(w.starts.toordinal(), earliest))
    while day <= w.ends:
        if day.weekday() < 5 and not any(a <= day <= b for a, b in p.unavailable):
            return day.toordinal()
        day += timedelta(days=1)
    return -1
