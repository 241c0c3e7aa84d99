"""The agreement's criteria for a chosen year: each month and criterion evaluated from the national measures
(app.export.national, the export's own records) of the month and of the same month the year before."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.context import AppContext
from app.criteria.definitions import Agreement, agreement
from app.criteria.evaluate import Result, evaluate
from app.errors import InputError
from app.export.national import national_months
from app.reports.coverage import coverage_line
from app.reports.months import Month
from app.roles import Permission, require
from app.settings import get_setting, set_setting

REGION_SHARE = "criteria.region_share"  # the region's share of each month's pot, per cent (its population share)


@dataclass(frozen=True)
class YearResult:
    agreement: Agreement
    months: list[Month]
    results: dict[Month, list[Result]]   # per month, in the criteria's order
    region_share: Decimal | None
    coverage: str
    held_back: int                       # records of the year's months the file leaves out until corrected

    def month_total(self, month: Month) -> Decimal | None:
        money = [r.money_kr for r in self.results[month]]
        return None if any(m is None for m in money) else sum(money, Decimal(0))

    def earned_share(self, month: Month) -> Decimal:
        """Per cent of the region's reserved pot of the month that its results earn."""
        return sum((r.criterion.pot_share * r.pays / 100 for r in self.results[month]), Decimal(0))

    @property
    def year_total(self) -> Decimal | None:
        totals = [self.month_total(m) for m in self.months]
        return None if any(t is None for t in totals) else sum(totals, Decimal(0))


def parse_share(raw: object) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise InputError("Regionens andel av potten", f"”{raw}” är inte ett tal i procent.") from None
    if not value.is_finite() or not 0 < value <= 100:
        raise InputError("Regionens andel av potten", "ska vara mellan 0 och 100 procent.")
    return value


def region_share(ctx: AppContext) -> Decimal | None:
    return parse_share(get_setting(ctx.db, REGION_SHARE))


def set_region_share(ctx: AppContext, text: str) -> Decimal | None:
    """The region's share of each month's pot (its population share), as typed: "13,4". Empty: unknown."""
    require(ctx.role, Permission.CHANGE_SETTINGS)
    value = parse_share(text)
    set_setting(ctx.db, REGION_SHARE, None if value is None else str(value), ctx.user_id)
    return value


def criteria_year(ctx: AppContext, year: int, until: Month | None = None) -> YearResult:
    """The year's criteria for its months up to `until` (default: the last whole month before today)."""
    terms = agreement(year)
    share = region_share(ctx)
    until = until or Month.of(ctx.today()).previous
    months = [m for m in (Month(year, n) for n in terms.months) if m <= until]
    if not months:
        raise InputError("År", f"ingen av {year} års mätmånader är avslutad ännu.")
    measured = national_months(ctx, [*months, *(m.a_year_earlier for m in months)], terms.return_visit_tolerance)
    results = {}
    for m in months:
        now, before = measured[m], measured[m.a_year_earlier]
        results[m] = [evaluate(c, terms, m, now.step(c.step), before.step(c.step), share, now.near.get(c.step, []))
                      for c in terms.criteria]
    held_back = sum(measured[m].held_back for m in months)
    return YearResult(terms, months, results, share, coverage_line(ctx.db), held_back)
