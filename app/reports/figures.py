"""The follow-up figures as SKR computes them (DOMAIN.md §5): pure calculations over the counted steps
(app.reports.source.Tally) and the month's offers and notices (app.reports.activity). No database, no Qt.

Where SKR publishes a figure both with and without patientvald/medicinskt orsakad väntan, both are computed
and labelled: waiting figures for all waiting and for those actively waiting (neither PvV nor MoV/SoV holding
at month end); completed figures for all and without PvV (PvV out of numerator and denominator).

Steps are counted by wait class rather than by wait (wait_bounds): every limit a figure compares a wait with
starts a class, so a class lies wholly on one side of each limit and its least wait stands for all of it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from statistics import median

from app.care_kind import CARE_KIND_LABEL, CareKind
from app.reports.activity import Activity
from app.reports.coverage import PART
from app.reports.months import Month
from app.reports.source import Scope, Tally

ALL = "inkl. PvV/MoV"
ACTIVE = "exkl. PvV/MoV"       # waiting: actively waiting at month end
ALL_DONE = "inkl. PvV"
NO_PVV = "exkl. PvV"           # completed: PvV out of numerator and denominator

BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 120), (121, 180), (181, 365), (366, None))
SHARE_LIMITS = (60, 90, 150)   # the waiting shares: <= 60 (or < 60), > 90, > 150 days
AGE_BANDS = ((0, 17), (18, 44), (45, 64), (65, 79), (80, None))
AGE_UNKNOWN = "Okänd ålder"
SEX_LABEL = {"K": "Kvinnor", "M": "Män", None: "Okänt"}


@dataclass(frozen=True)
class ReportSettings:
    min_count: int = 10          # counts below this are not shown (SKR)
    strict_60: bool = False      # "waited < 60" instead of "<= 60", as some SKR texts have it
    cap_days: int = 730          # the mean wait counts at most two years per patient
    bup_days: int = 30


def wait_bounds(s: ReportSettings) -> tuple[int, ...]:
    """The least wait of each wait class, ascending from 0: each bucket's lower end, and for each limit L a
    figure compares a wait with, L + 1 (compared as <= L or > L) or L (compared as < L)."""
    le60, gt90, gt150 = SHARE_LIMITS
    starts = {0, *(low for low, _ in BUCKETS), le60 if s.strict_60 else le60 + 1, gt90 + 1, gt150 + 1,
              s.bup_days + 1}
    return tuple(sorted(starts))


def wait_class(bounds: Sequence[int], waited: int) -> int:
    return bounds[bisect_right(bounds, waited) - 1]


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
    coverage: str = PART  # the scope line (app.reports.coverage)


# --- small helpers ---

def _share(numerator: int, base: int) -> float | None:
    return 100.0 * numerator / base if base else None


def _suppress(base: int, settings: ReportSettings) -> bool:
    return 0 < base < settings.min_count


def bucket_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high is not None else f"> {low - 1}"


def age_band_label(low: int, high: int | None) -> str:
    return f"{low}–{high} år" if high is not None else f"{low} år och äldre"


def age_band(birth_year: int, on: date) -> str:
    age = on.year - birth_year  # birth year only: the age the patient turns during the year
    for low, high in AGE_BANDS:
        if low <= age and (high is None or age <= high):
            return age_band_label(low, high)
    return AGE_UNKNOWN


def _count(key: str, label: str, variant: str, n: int, s: ReportSettings) -> Figure:
    return Figure(key, label, variant, "antal", float(n), n, _suppress(n, s))


def _share_fig(key: str, label: str, variant: str, hits: int, base: int, s: ReportSettings) -> Figure:
    return Figure(key, label, variant, "procent", _share(hits, base), base, _suppress(base, s))


def _days_fig(key: str, label: str, variant: str, value: float | None, base: int, s: ReportSettings) -> Figure:
    return Figure(key, label, variant, "dagar", value if base else None, base, _suppress(base, s))


def _n(tallies: Iterable[Tally], test: Callable[[Tally], bool] | None = None) -> int:
    """How many steps, of those counted in `tallies` that pass `test`."""
    return sum(t.n for t in tallies if test is None or test(t))


# --- the figures of one month ---

@dataclass
class MonthFacts:
    """What the figures of one month (in one scope) are computed from."""

    month: Month
    tallies: list[Tally]
    activity: Activity = field(default_factory=Activity)

    @property
    def waiting(self) -> list[Tally]:
        return [t for t in self.tallies if t.waiting]

    @property
    def completed(self) -> list[Tally]:
        return [t for t in self.tallies if not t.waiting]


def waiting_figures(waiting: Sequence[Tally], s: ReportSettings) -> list[Figure]:
    figures = []
    le60, gt90, gt150 = SHARE_LIMITS
    at_most_60 = (lambda t: t.wait < le60) if s.strict_60 else (lambda t: t.wait <= le60)
    label_60 = "Andel väntat < 60 dagar" if s.strict_60 else "Andel väntat högst 60 dagar"
    for variant, population in ((ALL, waiting), (ACTIVE, [t for t in waiting if t.active])):
        n = _n(population)
        suffix = "" if variant == ALL else "_active"
        figures += [
            _count("waiting" + suffix, "Väntande vid månadens slut", variant, n, s),
            _share_fig("le60" + suffix, label_60, variant, _n(population, at_most_60), n, s),
            _share_fig("gt90" + suffix, "Andel väntat mer än 90 dagar", variant,
                       _n(population, lambda t: t.wait > gt90), n, s),
            _share_fig("gt150" + suffix, "Andel väntat mer än 150 dagar", variant,
                       _n(population, lambda t: t.wait > gt150), n, s),
            _days_fig("mean_wait" + suffix, f"Medelväntetid (högst {s.cap_days} dagar per patient)", variant,
                      sum(t.capped for t in population) / n if n else None, n, s),
        ]
    return figures


def completed_figures(completed: Sequence[Tally], s: ReportSettings) -> list[Figure]:
    figures = []
    for variant, population in ((ALL_DONE, completed), (NO_PVV, [t for t in completed if not t.pvv])):
        suffix = "" if variant == ALL_DONE else "_no_pvv"
        n = _n(population)
        figures += [
            _count("completed" + suffix, "Genomförda under månaden", variant, n, s),
            _share_fig("met" + suffix, "Andel genomförda inom tidsgränsen", variant,
                       _n(population, lambda t: bool(t.met)), n, s),
        ]
    return figures


def bup_figures(data: MonthFacts, s: ReportSettings) -> list[Figure]:
    waiting = [t for t in data.waiting if t.bup and t.active]
    done = [t for t in data.completed if t.bup and not t.pvv]
    within = lambda t: t.wait <= s.bup_days
    return [
        _share_fig("bup_waiting_le30", f"BUP: andel väntande som väntat högst {s.bup_days} dagar", ACTIVE,
                   _n(waiting, within), _n(waiting), s),
        _share_fig("bup_completed_le30", f"BUP: andel genomförda inom {s.bup_days} dagar", NO_PVV,
                   _n(done, within), _n(done), s),
    ]


def notice_figures(activity: Activity, s: ReportSettings) -> list[Figure]:
    return [_share_fig("notice", "Andel som fått tid eller besked inom 14 dagar", "",
                       activity.notices.in_time, activity.notices.due, s)]


def _elsewhere_group(offer_region: str | None, ownership: str | None, home: str | None) -> str:
    region = "okänd region" if offer_region is None else ("egen region" if offer_region == home else "annan region")
    kind = {"offentlig": "offentlig", "privat": "privat"}.get(ownership or "", "okänd driftsform")
    return f"{region}, {kind}"


def offer_figures(activity: Activity, s: ReportSettings) -> list[Figure]:
    # An accepted time at the clinic where the patient already waits is not care elsewhere (DOMAIN §3).
    elsewhere = [t for t in activity.treated if t.care_kind != CareKind.HOME_UNIT]
    figures = [
        _count("offered", "Patienter som erbjudits vård hos annan vårdgivare", "",
               len({o.step_id for o in activity.offers}), s),
        _count("accepted", "Erbjudanden som patienten tackat ja till", "", activity.accepted, s),
        _count("treated_elsewhere", "Genomförda hos annan vårdgivare", "", len(elsewhere), s),
    ]
    groups: dict[str, int] = {}
    for t in elsewhere:
        key = (CARE_KIND_LABEL[CareKind(t.care_kind)].lower() if t.care_kind
               else _elsewhere_group(t.provider_region, t.ownership, t.home_region))
        groups[key] = groups.get(key, 0) + 1
    for key in sorted(groups):
        figures.append(_count("treated_elsewhere:" + key, f"Genomförda hos annan vårdgivare: {key}", "",
                              groups[key], s))
    # Days from the risk flag to the first offer made in the month, for steps offered after the flag.
    first = {}
    for o in activity.offers:  # by date
        first.setdefault(o.step_id, o)
    days = [(o.on - o.risk_from).days for o in first.values() if o.risk_from is not None and o.risk_from <= o.on]
    figures.append(_days_fig("risk_to_offer", "Dagar från riskmarkering till erbjudande (median)", "",
                             median(days) if days else None, len(days), s))
    return figures


def bucket_counts(waiting: Sequence[Tally]) -> list[Bucket]:
    lows = [low for low, _ in BUCKETS]
    all_, active = [0] * len(BUCKETS), [0] * len(BUCKETS)
    for t in waiting:
        i = bisect_right(lows, t.wait) - 1
        all_[i] += t.n
        active[i] += t.n if t.active else 0
    return [Bucket(bucket_label(low, high), a, b) for (low, high), a, b in zip(BUCKETS, all_, active, strict=True)]


def breakdown(data: MonthFacts, key: Callable[[Tally], str], s: ReportSettings) -> list[BreakdownRow]:
    # Per group: waiting, actively waiting, of them > 90 days, completed without PvV, of them within the limit.
    over = SHARE_LIMITS[1]
    groups: dict[str, list[int]] = {}
    for t in data.tallies:
        g = groups.get(k := key(t)) or groups.setdefault(k, [0, 0, 0, 0, 0])
        if t.waiting:
            g[0] += t.n
            if t.active:
                g[1] += t.n
                if t.wait > over:
                    g[2] += t.n
        elif not t.pvv:
            g[3] += t.n
            if t.met:
                g[4] += t.n
    return [
        BreakdownRow(group, waiting, _share(over_90, active), done, _share(met, done),
                     suppressed=_suppress(waiting, s) or _suppress(active, s) or _suppress(done, s))
        for group, (waiting, active, over_90, done, met) in sorted(groups.items())
    ]


def breakdowns(data: MonthFacts, s: ReportSettings, names: dict[str, dict[str, str]] | None = None
               ) -> dict[str, list[BreakdownRow]]:
    names = names or {}
    mvo_names, region_names = names.get("mvo", {}), names.get("region", {})
    return {
        "Kön": breakdown(data, lambda t: SEX_LABEL.get(t.sex, "Okänt"), s),
        "Åldersgrupp": breakdown(data, lambda t: t.age, s),
        "Verksamhetsområde": breakdown(
            data, lambda t: f"{t.mvo} {mvo_names.get(t.mvo, '')}".strip() if t.mvo else "Saknas", s),
        "Vårdenhet": breakdown(data, lambda t: t.unit or "Ingen vårdenhet angiven", s),
        "Hemregion": breakdown(data, lambda t: region_names.get(t.region or "", t.region or "Okänd"), s),
    }


def month_figures(data: MonthFacts, s: ReportSettings) -> list[Figure]:
    return [*waiting_figures(data.waiting, s), *completed_figures(data.completed, s), *bup_figures(data, s),
            *notice_figures(data.activity, s), *offer_figures(data.activity, s)]


def with_last_year(current: Iterable[Figure], last_year: Iterable[Figure]) -> list[Figure]:
    earlier = {f.key: f for f in last_year}
    out = []
    for f in current:
        before = earlier.get(f.key)
        out.append(f if before is None else replace(f, last_year=before.value,
                                                    last_year_suppressed=before.suppressed))
    return out


def trend_point(month: Month, tallies: Sequence[Tally]) -> TrendPoint:
    active = [t for t in tallies if t.waiting and t.active]
    done = [t for t in tallies if not t.waiting and not t.pvv]
    over = SHARE_LIMITS[1]
    return TrendPoint(month, _n(tallies, lambda t: t.waiting), _share(_n(active, lambda t: t.wait > over),
                                                                      _n(active)),
                      _n(done), _share(_n(done, lambda t: bool(t.met)), _n(done)))


def build_report(current: MonthFacts, last_year: MonthFacts, s: ReportSettings, scope: Scope | None = None,
                 names: dict[str, dict[str, str]] | None = None, trend: Sequence[TrendPoint] = ()) -> Report:
    """The report of `current` beside `last_year`, both already limited to `scope`."""
    figures = with_last_year(month_figures(current, s), month_figures(last_year, s))
    return Report(current.month, scope or Scope(), s, figures, bucket_counts(current.waiting),
                  breakdowns(current, s, names), list(trend))
