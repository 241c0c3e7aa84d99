"""One criterion in one month, from the month's and last year's national measures: value, change in p.e.,
tier, absolute route, what it pays, and the "what if" (how many more seen in time for the next tier). Pure.

The change is rounded half up to the agreement's decimals before the tiers (the bands are given to one
decimal: 2.94 p.e. is 2.9, 2.95 is 3.0). The absolute levels are compared with the exact share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from app.criteria.definitions import Agreement, Criterion, Level
from app.export.measures import Count, StepMeasures
from app.reports.months import Month

ABSOLUTE, IMPROVEMENT = "nivå", "förbättring"


@dataclass(frozen=True)
class WhatIf:
    more: int                # patients more seen in time (or fewer over the limit) this month
    pays: int                # per cent of the pot it would then pay
    candidates: tuple[tuple[int, int], ...] = ()  # waiting now, close to the limit: (case id, days)


@dataclass(frozen=True)
class Result:
    criterion: Criterion
    month: Month
    value: Fraction | None        # per cent
    base: int
    last_year: Fraction | None
    change: Decimal | None        # improvement in p.e. (positive: better), rounded
    tier: int                     # per cent the improvement route pays
    absolute: bool                # the absolute route holds (with BUP's waiting condition)
    waiting_condition: str        # BUP: what the waiting condition says this month ("" when not applied)
    pays: int                     # per cent of the criterion's month pot: the absolute route first
    money_kr: Decimal | None      # given the region's share of the pot (None: unknown)
    what_if: WhatIf | None

    @property
    def route(self) -> str:
        return ABSOLUTE if self.absolute else (IMPROVEMENT if self.tier else "")


def rounded(value: Fraction, decimals: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def tier_for(change: Decimal | None, tiers: tuple[tuple[Decimal, int], ...]) -> int:
    if change is None:
        return 0  # no value to compare with: the improvement route cannot be judged
    paid = 0
    for at_least, pays in tiers:
        if change >= at_least:
            paid = pays
    return paid


def _holds(level: Level, count: Count) -> bool:
    p = count.percent
    if p is None:
        return False
    return p >= Fraction(level.at_least) if level.at_least is not None else p <= Fraction(level.at_most)


def _needed(criterion: Criterion, count: Count, target: Fraction) -> int | None:
    """How many patients more in time would bring the share to `target` per cent (None: cannot)."""
    n, b = count.n, count.base or 0
    t = target / 100
    if criterion.lower_is_better:  # seen before they passed the limit: out of numerator and denominator
        if Fraction(n, b or 1) <= t:
            return 0
        return None if t >= 1 else min(n, math.ceil((n - t * b) / (1 - t)))
    if criterion.kind == "väntande":  # seen in time: out of the waiting stock, from those over the limit
        if t == 0 or Fraction(n, b or 1) >= t:
            return 0
        k = math.ceil(b - n / t)
        return k if k <= b - n else None
    k = max(0, math.ceil(t * b - n))  # completed: that many of the late ones in time
    return k if k <= b - n else None


def _improvement_target(criterion: Criterion, last: Fraction, at_least: Decimal, decimals: int) -> Fraction:
    """The least exact share whose change, rounded, reaches `at_least` p.e."""
    half = Fraction(1, 2 * 10**decimals)
    needed = Fraction(at_least) - half
    return last - needed if criterion.lower_is_better else last + needed


def evaluate(criterion: Criterion, agreement: Agreement, month: Month, now: StepMeasures | None,
             before: StepMeasures | None, region_share: Decimal | None,
             near: list[tuple[int, int]] = ()) -> Result:
    count = now[criterion.measure] if now else Count(0, 0)
    last = before[criterion.measure].percent if before else None
    value = count.percent
    change = None
    if value is not None and last is not None:
        diff = (last - value) if criterion.lower_is_better else (value - last)
        change = rounded(diff, agreement.change_decimals)
    tier = tier_for(change, criterion.tiers)
    absolute = now is not None and _holds(criterion.absolute, now[criterion.absolute.measure])
    condition = ""
    also = criterion.also_waiting
    if also and now is not None:
        waiting = now[also.measure]
        if waiting.base is not None and waiting.base > (also.when_more_than or 0):
            ok = _holds(also, waiting)
            share = "–" if waiting.percent is None else f"{float(waiting.percent):.1f}".replace(".", ",")
            condition = (f"{waiting.base} väntar; {share} % har väntat högst {_days(also.measure)} dagar "
                         f"({'uppfyllt' if ok else 'inte uppfyllt'}, krav {also.text})")
            absolute = absolute and ok
    pays = 100 if absolute else tier
    money = None
    if region_share is not None and agreement.month_pot_kr is not None:
        money = (agreement.month_pot_kr * criterion.pot_share / 100 * region_share / 100 * pays / 100
                 ).quantize(Decimal(1))
    what_if = _what_if(criterion, agreement, count, last, pays, near) if value is not None else None
    return Result(criterion, month, value, count.base or 0, last, change, tier, absolute, condition, pays, money,
                  what_if)


def _days(measure: str) -> str:
    return "30" if measure == "waiting_within_limit" else "60"


def _what_if(criterion: Criterion, agreement: Agreement, count: Count, last: Fraction | None, pays: int,
             near: list[tuple[int, int]]) -> WhatIf | None:
    """The cheapest way to the next higher payment: an improvement tier or, if the measure is the absolute
    one, its level."""
    options: list[tuple[int, Fraction]] = []
    if last is not None:
        options += [(p, _improvement_target(criterion, last, pe, agreement.change_decimals))
                    for pe, p in criterion.tiers if p > pays]
    level = criterion.absolute
    if level.measure == criterion.measure and pays < 100 and criterion.also_waiting is None:
        options.append((100, Fraction(level.at_least if level.at_least is not None else level.at_most)))
    best: WhatIf | None = None
    for p, target in sorted(options):
        k = _needed(criterion, count, target)
        if k is not None and k > 0 and (best is None or p == best.pays and k < best.more):
            best = WhatIf(k, p, tuple(near[:k]))
        if best is not None and p > best.pays:
            break
    return best
