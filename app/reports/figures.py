"""The follow-up figures as SKR computes them (DOMAIN.md §5): pure calculations over the plain rows of
app.reports.source. No database, no Qt.

Where SKR publishes a figure both with and without patientvald/medicinskt orsakad väntan, both are computed
and labelled: waiting figures for all waiting and for those actively waiting (neither PvV nor MoV/SoV holding
at month end); completed figures for all and without PvV (PvV out of numerator and denominator).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from statistics import median

from app.reports.months import Month
from app.reports.source import Deviation, Meta, MonthData, Offer, StepAt

ALL = "inkl. PvV/MoV"
ACTIVE = "exkl. PvV/MoV"       # waiting: actively waiting at month end
ALL_DONE = "inkl. PvV"
NO_PVV = "exkl. PvV"           # completed: PvV out of numerator and denominator

BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 120), (121, 180), (181, 365), (366, None))
AGE_BANDS = ((0, 17), (18, 44), (45, 64), (65, 79), (80, None))
SEX_LABEL = {"K": "Kvinnor", "M": "Män", None: "Okänt"}


@dataclass(frozen=True)
class ReportSettings:
    min_count: int = 10          # counts below this are not shown (SKR)
    strict_60: bool = False      # "waited < 60" instead of "<= 60", as some SKR texts have it
    cap_days: int = 730          # the mean wait counts at most two years per patient
    bup_days: int = 30


@dataclass(frozen=True)
class Scope:
    """Which steps a report covers; None means all."""

    region: str | None = None    # the patient's home region
    unit: str | None = None
    mvo: str | None = None
    step: str | None = None

    def matches(self, meta: Meta) -> bool:
        return ((self.region is None or meta.home_region == self.region)
                and (self.unit is None or meta.unit == self.unit)
                and (self.mvo is None or meta.mvo == self.mvo)
                and (self.step is None or meta.code == self.step))

    def apply(self, data: MonthData) -> MonthData:
        return MonthData(
            data.month, [r for r in data.waiting if self.matches(r.meta)],
            [r for r in data.completed if self.matches(r.meta)], [o for o in data.offers if self.matches(o.meta)],
            [n for n in data.notices if self.matches(n.meta)],
        )


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    variant: str        # which population: ALL, ACTIVE, ALL_DONE, NO_PVV or ""
    unit: str           # "antal", "procent" or "dagar"
    value: float | None  # None: nothing to measure
    base: int           # the number of patients the figure is computed over
    suppressed: bool = False
    last_year: float | None = None
    last_year_suppressed: bool = False

    @property
    def difference(self) -> float | None:
        """Against the same month last year: percentage points for shares, the plain difference otherwise."""
        if self.value is None or self.last_year is None or self.suppressed or self.last_year_suppressed:
            return None
        return self.value - self.last_year


@dataclass(frozen=True)
class Bucket:
    label: str
    all: int
    active: int


@dataclass(frozen=True)
class BreakdownRow:
    group: str
    waiting: int
    over_90: float | None        # share of the actively waiting who waited more than 90 days
    completed: int               # without PvV
    within_limit: float | None   # share of completed (without PvV) within the limit
    suppressed: bool


@dataclass(frozen=True)
class TrendPoint:
    month: Month
    waiting: int
    active_over_90: float | None
    completed: int
    within_limit: float | None


@dataclass
class Report:
    month: Month
    scope: Scope
    settings: ReportSettings
    figures: list[Figure]
    buckets: list[Bucket]
    breakdowns: dict[str, list[BreakdownRow]]
    trend: list[TrendPoint] = field(default_factory=list)


# --- small helpers ---

def _share(numerator: int, base: int) -> float | None:
    return 100.0 * numerator / base if base else None


def _suppress(base: int, settings: ReportSettings) -> bool:
    return 0 < base < settings.min_count


def bucket_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high is not None else f"> {low - 1}"


def age_band(birth_year: int, on: date) -> str:
    age = on.year - birth_year  # birth year only: the age the patient turns during the year
    for low, high in AGE_BANDS:
        if low <= age and (high is None or age <= high):
            return f"{low}–{high} år" if high is not None else f"{low} år och äldre"
    return "Okänd ålder"


def _count(key: str, label: str, variant: str, n: int, s: ReportSettings) -> Figure:
    return Figure(key, label, variant, "antal", float(n), n, _suppress(n, s))


def _share_fig(key: str, label: str, variant: str, hits: int, base: int, s: ReportSettings) -> Figure:
    return Figure(key, label, variant, "procent", _share(hits, base), base, _suppress(base, s))


def _days_fig(key: str, label: str, variant: str, values: Sequence[float], s: ReportSettings,
              how: Callable[[Sequence[float]], float]) -> Figure:
    return Figure(key, label, variant, "dagar", how(values) if values else None, len(values),
                  _suppress(len(values), s))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


# --- the figures of one month ---

def waiting_figures(rows: Sequence[StepAt], s: ReportSettings) -> list[Figure]:
    figures = []
    at_most_60 = (lambda w: w < 60) if s.strict_60 else (lambda w: w <= 60)
    label_60 = "Andel väntat < 60 dagar" if s.strict_60 else "Andel väntat högst 60 dagar"
    for variant, population in ((ALL, rows), (ACTIVE, [r for r in rows if r.active])):
        waits = [r.waited for r in population]
        n = len(waits)
        suffix = "" if variant == ALL else "_active"
        figures += [
            _count("waiting" + suffix, "Väntande vid månadens slut", variant, n, s),
            _share_fig("le60" + suffix, label_60, variant, sum(1 for w in waits if at_most_60(w)), n, s),
            _share_fig("gt90" + suffix, "Andel väntat mer än 90 dagar", variant, sum(1 for w in waits if w > 90),
                       n, s),
            _share_fig("gt150" + suffix, "Andel väntat mer än 150 dagar", variant,
                       sum(1 for w in waits if w > 150), n, s),
            _days_fig("mean_wait" + suffix, f"Medelväntetid (högst {s.cap_days} dagar per patient)", variant,
                      [min(w, s.cap_days) for w in waits], s, _mean),
        ]
    return figures


def completed_figures(rows: Sequence[StepAt], s: ReportSettings) -> list[Figure]:
    figures = []
    for variant, population in ((ALL_DONE, rows), (NO_PVV, [r for r in rows if r.deviation is not Deviation.PVV])):
        suffix = "" if variant == ALL_DONE else "_no_pvv"
        n = len(population)
        figures += [
            _count("completed" + suffix, "Genomförda under månaden", variant, n, s),
            _share_fig("met" + suffix, "Andel genomförda inom tidsgränsen", variant,
                       sum(1 for r in population if r.met), n, s),
        ]
    return figures


def bup_figures(data: MonthData, s: ReportSettings) -> list[Figure]:
    waiting = [r for r in data.waiting if r.meta.bup and r.active]
    done = [r for r in data.completed if r.meta.bup and r.deviation is not Deviation.PVV]
    return [
        _share_fig("bup_waiting_le30", f"BUP: andel väntande som väntat högst {s.bup_days} dagar", ACTIVE,
                   sum(1 for r in waiting if r.waited <= s.bup_days), len(waiting), s),
        _share_fig("bup_completed_le30", f"BUP: andel genomförda inom {s.bup_days} dagar", NO_PVV,
                   sum(1 for r in done if r.waited <= s.bup_days), len(done), s),
    ]


def notice_figures(data: MonthData, s: ReportSettings) -> list[Figure]:
    n = len(data.notices)
    return [_share_fig("notice", "Andel som fått tid eller besked inom 14 dagar", "",
                       sum(1 for x in data.notices if x.given), n, s)]


def _elsewhere_group(offer_region: str | None, ownership: str | None, home: str | None) -> str:
    region = "okänd region" if offer_region is None else ("egen region" if offer_region == home else "annan region")
    kind = {"offentlig": "offentlig", "privat": "privat"}.get(ownership or "", "okänd driftsform")
    return f"{region}, {kind}"


def offer_figures(data: MonthData, s: ReportSettings) -> list[Figure]:
    month = data.month
    made = [o for o in data.offers if month.contains(o.on)]
    accepted = [o for o in data.offers if o.answer == "accepted" and o.answered_on and month.contains(o.answered_on)]
    accepted_steps = {o.meta.step_id: o for o in data.offers if o.answer == "accepted"}
    treated = [(r, accepted_steps[r.meta.step_id]) for r in data.completed if r.meta.step_id in accepted_steps]
    figures = [
        _count("offered", "Patienter som erbjudits vård hos annan vårdgivare", "",
               len({o.meta.step_id for o in made}), s),
        _count("accepted", "Erbjudanden som patienten tackat ja till", "", len(accepted), s),
        _count("treated_elsewhere", "Genomförda hos annan vårdgivare", "", len(treated), s),
    ]
    groups: dict[str, int] = {}
    for row, offer in treated:
        key = _elsewhere_group(offer.provider_region, offer.ownership, row.meta.home_region)
        groups[key] = groups.get(key, 0) + 1
    for key in sorted(groups):
        figures.append(_count("treated_elsewhere:" + key, f"Genomförda hos annan vårdgivare: {key}", "",
                              groups[key], s))
    # Days from the risk flag to the first offer made in the month, for steps offered after the flag.
    first: dict[int, Offer] = {}
    for o in sorted(made, key=lambda o: o.on):
        first.setdefault(o.meta.step_id, o)
    risk_of = {r.meta.step_id: r.risk_from for r in (*data.waiting, *data.completed)}
    days = [(o.on - risk_of[i]).days for i, o in first.items()
            if risk_of.get(i) is not None and risk_of[i] <= o.on]
    figures.append(_days_fig("risk_to_offer", "Dagar från riskmarkering till erbjudande (median)", "", days, s,
                             median))
    return figures


def bucket_counts(rows: Sequence[StepAt]) -> list[Bucket]:
    lows = [low for low, _ in BUCKETS]
    all_, active = [0] * len(BUCKETS), [0] * len(BUCKETS)
    for r in rows:  # one pass: a month holds 100 000 waiting at full scale
        i = bisect_right(lows, r.waited) - 1
        all_[i] += 1
        active[i] += r.active
    return [Bucket(bucket_label(low, high), a, b) for (low, high), a, b in zip(BUCKETS, all_, active, strict=True)]


def breakdown(data: MonthData, key: Callable[[Meta], str], s: ReportSettings) -> list[BreakdownRow]:
    # Per group: waiting, actively waiting, of them > 90 days, completed without PvV, of them within the limit.
    groups: dict[str, list[int]] = {}
    for r in data.waiting:
        g = groups.setdefault(key(r.meta), [0, 0, 0, 0, 0])
        g[0] += 1
        if r.active:
            g[1] += 1
            g[2] += r.waited > 90
    for r in data.completed:
        g = groups.setdefault(key(r.meta), [0, 0, 0, 0, 0])
        if r.deviation is not Deviation.PVV:
            g[3] += 1
            g[4] += bool(r.met)
    return [
        BreakdownRow(group, waiting, _share(over, active), done, _share(met, done),
                     suppressed=_suppress(waiting, s) or _suppress(active, s) or _suppress(done, s))
        for group, (waiting, active, over, done, met) in sorted(groups.items())
    ]


def breakdowns(data: MonthData, s: ReportSettings, names: dict[str, dict[str, str]] | None = None
               ) -> dict[str, list[BreakdownRow]]:
    names = names or {}
    mvo_names, region_names = names.get("mvo", {}), names.get("region", {})
    day = data.month.last
    bands = {year: age_band(year, day) for year in range(day.year - 130, day.year + 1)}
    return {
        "Kön": breakdown(data, lambda m: SEX_LABEL.get(m.sex, "Okänt"), s),
        "Åldersgrupp": breakdown(data, lambda m: bands.get(m.birth_year) or age_band(m.birth_year, day), s),
        "Verksamhetsområde": breakdown(
            data, lambda m: f"{m.mvo} {mvo_names.get(m.mvo, '')}".strip() if m.mvo else "Saknas", s),
        "Vårdenhet": breakdown(data, lambda m: m.unit or "Ingen vårdenhet angiven", s),
        "Hemregion": breakdown(data, lambda m: region_names.get(m.home_region or "", m.home_region or "Okänd"), s),
    }


def month_figures(data: MonthData, s: ReportSettings) -> list[Figure]:
    return [*waiting_figures(data.waiting, s), *completed_figures(data.completed, s), *bup_figures(data, s),
            *notice_figures(data, s), *offer_figures(data, s)]


def with_last_year(current: Iterable[Figure], last_year: Iterable[Figure]) -> list[Figure]:
    earlier = {f.key: f for f in last_year}
    out = []
    for f in current:
        before = earlier.get(f.key)
        out.append(f if before is None else replace(f, last_year=before.value,
                                                    last_year_suppressed=before.suppressed))
    return out


def trend_point(data: MonthData) -> TrendPoint:
    active = [r for r in data.waiting if r.active]
    done = [r for r in data.completed if r.deviation is not Deviation.PVV]
    return TrendPoint(data.month, len(data.waiting), _share(sum(1 for r in active if r.waited > 90), len(active)),
                      len(done), _share(sum(1 for r in done if r.met), len(done)))


def build_report(current: MonthData, last_year: MonthData, s: ReportSettings, scope: Scope | None = None,
                 names: dict[str, dict[str, str]] | None = None, trend: Sequence[MonthData] = ()) -> Report:
    scope = scope or Scope()
    current, last_year = scope.apply(current), scope.apply(last_year)
    figures = with_last_year(month_figures(current, s), month_figures(last_year, s))
    return Report(current.month, scope, s, figures, bucket_counts(current.waiting), breakdowns(current, s, names),
                  [trend_point(scope.apply(d)) for d in trend])
