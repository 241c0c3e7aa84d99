"""The criteria of an agreement year, read from resources/criteria/<year>.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files

from app.errors import InputError


@dataclass(frozen=True)
class Level:
    """The absolute route: a measure at least (or at most) a level, in per cent."""

    measure: str
    at_least: Decimal | None = None
    at_most: Decimal | None = None
    when_more_than: int | None = None  # applies only when the measure's base is larger (BUP: > 20 waiting)

    def holds(self, percent) -> bool:
        if percent is None:
            return False
        if self.at_least is not None:
            return percent >= self.at_least
        return percent <= self.at_most

    @property
    def text(self) -> str:
        value = self.at_least if self.at_least is not None else self.at_most
        sign = "≥" if self.at_least is not None else "≤"
        return f"{sign} {str(value).replace('.', ',')} %"


@dataclass(frozen=True)
class Criterion:
    number: int
    name: str
    step: str
    measure: str
    kind: str                      # "väntande" (stock at month end) or "genomförda" (flow in the month)
    tiers: tuple[tuple[Decimal, int], ...]  # (improvement in p.e. at least, per cent of the pot), ascending
    absolute: Level
    pot_share: Decimal             # per cent of the month's pot
    lower_is_better: bool = False
    also_waiting: Level | None = None
    what_if_days: int | None = None  # the "what if" column: seen within this many days


@dataclass(frozen=True)
class Agreement:
    year: int
    name: str
    months: tuple[int, ...]
    pot_mnkr: Decimal | None
    return_visit_tolerance: int
    change_decimals: int
    criteria: tuple[Criterion, ...]
    assumed: bool = False  # the sources do not list this year's criteria: an assumption, said in the window

    @property
    def month_pot_kr(self) -> Decimal | None:
        if self.pot_mnkr is None:
            return None
        return self.pot_mnkr * 1_000_000 / len(self.months)


def _level(raw: dict | None) -> Level | None:
    if raw is None:
        return None
    dec = lambda key: Decimal(str(raw[key])) if key in raw else None
    return Level(raw["measure"], dec("at_least"), dec("at_most"), raw.get("when_more_than"))


def parse(text: str) -> Agreement:
    raw = tomllib.loads(text)
    tiers = {name: tuple((Decimal(str(pe)), int(pay)) for pe, pay in rows) for name, rows in raw["tiers"].items()}
    criteria = tuple(
        Criterion(c["number"], c["name"], c["step"], c["measure"], c["kind"], tiers[c["tiers"]],
                  _level(c["absolute"]), Decimal(str(c["pot_share"])), c.get("lower_is_better", False),
                  _level(c.get("also_waiting")), c.get("what_if_days"))
        for c in raw["criteria"])
    pot = raw.get("pot_mnkr")
    return Agreement(raw["year"], raw["name"], tuple(raw["months"]), Decimal(str(pot)) if pot else None,
                     raw.get("return_visit_tolerance", 10), raw.get("change_decimals", 1), criteria,
                     raw.get("assumed", False))


def available_years() -> list[int]:
    folder = files("resources") / "criteria"
    return sorted(int(f.name.removesuffix(".toml")) for f in folder.iterdir() if f.name.endswith(".toml"))


@cache
def agreement(year: int) -> Agreement:
    if year not in available_years():
        known = ", ".join(str(y) for y in available_years())
        raise InputError("År", f"det finns inga prestationskrav för {year} (finns för {known}).")
    return parse((files("resources") / "criteria" / f"{year}.toml").read_text("utf-8"))
