"""The queue simulation alone: service order by priority then first in, first out; the queue's path and its
interval; who will still be waiting."""

from __future__ import annotations

import numpy as np

from app.forecast.simulate import SIMULATIONS, WEEKS, Flows, priority_class, simulate


def flows(inflow, completed, left=None, classes=(0, 0, 1, 0)) -> Flows:
    return Flows(inflow, completed, left if left is not None else [0] * len(inflow), classes)


def test_a_steady_clinic_empties_its_list_in_order():
    waited = np.array([10.0, 50.0, 30.0, 80.0, 5.0, 60.0])
    classes = np.array([2, 2, 2, 2, 0, 2])  # the newest patient has priority 1
    out = simulate(waited, classes, flows([0] * 26, [2] * 26))
    assert out.queue.shape == (SIMULATIONS, WEEKS + 1)
    assert np.all(out.queue[:, 0] == 6) and np.all(out.queue[:, 3] == 0)
    week_served = (out.waiting[:, 1:] < 0.5).argmax(axis=1) + 1
    # priority 1 first, then the longest waited: 5 d (prio 1) and 80 d in week 1, 60 and 50 in week 2, ...
    assert list(week_served) == [3, 2, 3, 1, 1, 2]


def test_newcomers_of_higher_priority_go_before():
    waited = np.array([100.0])
    same = simulate(waited, np.array([2]), flows([1] * 26, [1] * 26, classes=(0, 0, 1, 0)))
    urgent_newcomers = simulate(waited, np.array([2]), flows([1] * 26, [1] * 26, classes=(1, 0, 0, 0)))
    assert same.waiting[0, 1] == 0.0
    assert urgent_newcomers.waiting[0, WEEKS] == 1.0  # every place goes to the priority-1 newcomers


def test_no_capacity_everyone_passes_90_days_and_the_interval_widens():
    waited = np.array([20.0, 40.0, 70.0, 85.0])
    out = simulate(waited, np.full(4, 2), flows([0] * 26, [0] * 26), over=90, at_week=8)
    assert np.all(out.over_days == 3)  # 40 + 56 > 90 and older; 20 + 56 is not
    history = [0, 6, 1, 9, 3, 0, 8, 2] * 3 + [4, 4]
    varied = simulate(np.arange(30.0), np.full(30, 2), flows(history, [4] * 26))
    low, high = np.percentile(varied.queue[:, WEEKS], [10, 90])
    assert high - low >= 5
    assert priority_class("1") == 0 and priority_class(None) == priority_class("3") == 2


def test_leavers_shrink_the_list():
    out = simulate(np.full(100, 30.0), np.full(100, 2), flows([0] * 26, [0] * 26, left=[10] * 26))
    assert 20 < np.median(out.queue[:, WEEKS]) < 40  # 10 % a week for 12 weeks: about 28 left
    assert 0.2 < out.waiting[0, WEEKS] < 0.4
