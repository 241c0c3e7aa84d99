"""The queue of one unit × step kind, 12 weeks ahead, by simulation (pure: numpy, no database).

Method (documented so that a reader can check it):
- Flows: the weekly number of new steps and of completed steps are drawn by bootstrap from the last
  HISTORY_WEEKS weeks of the unit's own history (each simulated week is one of the observed weeks, drawn at
  random), so the interval carries the real week-to-week variation, including holiday weeks. Patients who leave
  the list without care (PvV, closed) leave at the observed weekly rate.
- Who is served when: as the clinics book, by medical priority (1 first, unknown as 3) and first in, first out
  within a priority; a new patient of a higher priority goes before everyone of a lower one. A waiting patient is
  served in the week when the completions so far exceed the patients ahead of them still there (those ahead
  thin out at the leaving rate) plus the newcomers of higher priority.
- SIMULATIONS runs give, for every week, the queue in each run (its median and 10–90 % interval are the forecast
  and its uncertainty), and for every waiting patient the probability of still waiting at a given week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WEEKS = 12
HISTORY_WEEKS = 26
SIMULATIONS = 200
PRIORITY_CLASSES = ("1", "2", "3", "4")
DEFAULT_CLASS = 2  # no recorded priority: served as priority 3


def priority_class(priority: str | None) -> int:
    return PRIORITY_CLASSES.index(priority) if priority in PRIORITY_CLASSES else DEFAULT_CLASS


@dataclass(frozen=True)
class Flows:
    """A group's weekly history, oldest week first."""

    inflow: Sequence[int]
    completed: Sequence[int]
    left: Sequence[int]
    arrival_classes: Sequence[float]  # share of new steps in each priority class


@dataclass(frozen=True)
class Outlook:
    queue: np.ndarray           # (SIMULATIONS, WEEKS + 1): the queue in each run, week 0 = today
    waiting: np.ndarray         # (patients, WEEKS + 1): probability of still waiting at the end of week w
    over_days: np.ndarray       # (SIMULATIONS,) per simulation: expected number waiting over `days` at `at_week`


def simulate(waited: np.ndarray, classes: np.ndarray, flows: Flows, seed: int = 0, over: int = 90,
             at_week: int = 8) -> Outlook:
    """`waited`, `classes`: the waiting patients' days waited today and priority class, in any order."""
    rng = np.random.default_rng(seed)
    n = len(waited)
    history = min(len(flows.inflow), HISTORY_WEEKS)
    if history == 0:
        inflow = completed = np.zeros((SIMULATIONS, WEEKS))
        leave_rate = 0.0
    else:
        pick = rng.integers(0, history, size=(SIMULATIONS, WEEKS))
        inflow = np.asarray(flows.inflow[-history:], dtype=float)[pick]
        completed = np.asarray(flows.completed[-history:], dtype=float)[pick]
        queue_size = max(1.0, float(n))
        leave_rate = min(0.5, float(np.mean(flows.left[-history:])) / queue_size)
    keep = (1.0 - leave_rate) ** np.arange(1, WEEKS + 1)  # share of a group still there after w weeks

    # the queue as a whole
    q = np.full(SIMULATIONS, float(n))
    path = [q.copy()]
    for w in range(WEEKS):
        leaving = rng.binomial(q.astype(int), leave_rate) if leave_rate else 0
        q = np.maximum(0.0, q + inflow[:, w] - completed[:, w] - leaving)
        path.append(q)
    queue = np.stack(path, axis=1)

    if n == 0:
        return Outlook(queue, np.zeros((0, WEEKS + 1)), np.zeros(SIMULATIONS))
    # who is served when: order by class, then longest waited first
    order = np.lexsort((-waited, classes))
    ahead = np.empty(n)
    ahead[order] = np.arange(n)
    shares = np.asarray(flows.arrival_classes, dtype=float)
    shares = shares / shares.sum() if shares.sum() > 0 else np.array([0, 0, 1.0, 0])
    higher = np.concatenate([[0.0], np.cumsum(shares)[:-1]])[classes]  # share of newcomers that go before
    served_so_far = np.cumsum(completed, axis=1)             # (S, W)
    arrived_so_far = np.cumsum(inflow, axis=1)               # (S, W)
    # capacity left for the existing list after higher-priority newcomers: (S, W, n)
    room = served_so_far[:, :, None] - arrived_so_far[:, :, None] * higher[None, None, :]
    served = room >= (ahead[None, None, :] * keep[None, :, None] + 1.0)
    still = (1.0 - served.mean(axis=0)).T * keep[None, :]   # (n, W): neither served nor left
    waiting = np.concatenate([np.ones((n, 1)), still], axis=1)
    long = (waited + 7 * at_week) > over
    over_days = ((~served[:, at_week - 1, :]) * long[None, :]).sum(axis=1) * keep[at_week - 1]
    return Outlook(queue, waiting, over_days)
