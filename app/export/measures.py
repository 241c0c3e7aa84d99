"""SKR's calculation of the national measures (Nationella mått, DOMAIN §5), over the records Lotsen exports:
the dashboard and the agreement's criteria read these, so they show what Väntetidsdatabasen will compute from
Lotsen's own file. Pure: no database, no Qt.

Days are calendar days from BeslutAktivitet: waiting = month end − BeslutAktivitet, completed = StartAktivitet −
BeslutAktivitet. Shares leave records with an Avvikelse (PvV, MoV, SoV) out of numerator and denominator; the
long-waiter counts "inklusive PvV" take PvV records in and MoV/SoV records never. Per step kind, never pooled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from app.export.records import Facts

PVV, MOV, SOV = "1", "2", "3"
CAP_DAYS = 730  # the mean wait counts at most two years per patient

# The step kinds measured, in the order shown. Primary care is not in the SKR file (its records have no Fas);
# its measure comes from the same rows, as facts of the same shape.
MEASURED_STEPS = ("SV_FORSTA_BESOK", "SV_BEHANDLING", "BUP_FORSTA", "BUP_UTREDNING", "BUP_BEHANDLING",
                  "ATERBESOK", "PV_BEDOMNING")
RETURN_VISIT = "ATERBESOK"


@dataclass(frozen=True)
class Count:
    """A count, or a share: `n` of `base` (base None: a plain count)."""

    n: int
    base: int | None = None

    @property
    def percent(self) -> Fraction | None:
        if self.base is None:
            return Fraction(self.n)
        return Fraction(100 * self.n, self.base) if self.base else None


@dataclass(frozen=True)
class Measure:
    key: str      # e.g. "waiting_lt60"
    label: str    # Swedish
    count: Count

    @property
    def is_share(self) -> bool:
        return self.count.base is not None


@dataclass(frozen=True)
class StepMeasures:
    step: str
    name: str
    limit_days: int | None   # None: the medicinskt måldatum
    measures: tuple[Measure, ...]

    def __getitem__(self, key: str) -> Count:
        for m in self.measures:
            if m.key == key:
                return m.count
        raise KeyError(key)


def waited(fact: Facts, month_last: date) -> int:
    """Calendar days as SKR counts them: to the stop for a completed record, else to the month's end."""
    return ((fact.start or month_last) - fact.beslut).days


def late_days(fact: Facts) -> int | None:
    """A completed return visit: days after the medicinskt måldatum (0 or less: by the target date)."""
    if fact.maldatum is None or fact.start is None:
        return None
    return (fact.start - fact.maldatum).days


def within_tolerance(fact: Facts, tolerance_percent: int) -> bool:
    """By the target date, or late by at most `tolerance_percent` of the days from the decision to the target
    date (the agreement's absolute route for return visits)."""
    late = late_days(fact)
    if late is None:
        return False
    return late <= 0 or 100 * late <= tolerance_percent * (fact.maldatum - fact.beslut).days


def step_measures(step: str, name: str, limit_days: int | None, waiting: Iterable[Facts],
                  completed: Iterable[Facts], month_last: date, tolerance_percent: int = 10) -> StepMeasures:
    waiting, completed = list(waiting), list(completed)
    counted = [f for f in waiting if f.avvikelse is None]   # shares: no PvV, MoV or SoV
    days = [waited(f, month_last) for f in counted]
    with_pvv = [waited(f, month_last) for f in waiting if f.avvikelse in (None, PVV)]
    done = [f for f in completed if f.avvikelse is None]
    base, base_done = len(counted), len(done)

    def share(hits: int) -> Count:
        return Count(hits, base)

    out = [
        Measure("waiting", "Väntande vid månadens slut (alla)", Count(len(waiting))),
        Measure("waiting_pvv", "varav patientvald väntan (PvV)", Count(sum(f.avvikelse == PVV for f in waiting))),
        Measure("waiting_mov", "varav medicinskt/särskilt orsakad väntan",
                Count(sum(f.avvikelse in (MOV, SOV) for f in waiting))),
        Measure("waiting_counted", "Väntande utan PvV/MoV/SoV", Count(base)),
    ]
    if limit_days is not None and limit_days >= 60:
        out += [
            Measure("waiting_lt60", "Andel väntat kortare än 60 dagar", share(sum(d < 60 for d in days))),
            Measure("waiting_le60", "Andel väntat högst 60 dagar", share(sum(d <= 60 for d in days))),
            Measure("waiting_gt90", "Andel väntat mer än 90 dagar", share(sum(d > 90 for d in days))),
            Measure("waiting_gt150", "Andel väntat mer än 150 dagar", share(sum(d > 150 for d in days))),
            Measure("gt90_incl_pvv", "Väntat mer än 90 dagar, inklusive PvV (antal)",
                    Count(sum(d > 90 for d in with_pvv))),
            Measure("gt150_incl_pvv", "Väntat mer än 150 dagar, inklusive PvV (antal)",
                    Count(sum(d > 150 for d in with_pvv))),
        ]
    if limit_days is not None:
        out.append(Measure("waiting_within_limit", f"Andel väntat högst {limit_days} dagar",
                           share(sum(d <= limit_days for d in days))))
    if days:
        out.append(Measure("mean_wait", f"Medelväntetid i dagar (högst {CAP_DAYS} per patient)",
                           Count(round(sum(min(d, CAP_DAYS) for d in days) / len(days)))))
    out.append(Measure("completed", "Genomförda under månaden (alla)", Count(len(completed))))
    out.append(Measure("completed_counted", "Genomförda utan PvV/MoV/SoV", Count(base_done)))
    if limit_days is not None:
        out.append(Measure("completed_within_limit", f"Andel genomförda inom {limit_days} dagar",
                           Count(sum(waited(f, month_last) <= limit_days for f in done), base_done)))
    else:
        out += [
            Measure("completed_by_target", "Andel genomförda senast medicinskt måldatum",
                    Count(sum((late_days(f) or 0) <= 0 for f in done if f.maldatum), base_done)),
            Measure("completed_by_target_tolerance",
                    f"Andel genomförda senast måldatum, med {tolerance_percent} % tolerans",
                    Count(sum(within_tolerance(f, tolerance_percent) for f in done), base_done)),
        ]
    return StepMeasures(step, name, limit_days, tuple(out))


def national_measures(waiting: Iterable[Facts], completed: Iterable[Facts], month_last: date,
                      steps: Mapping[str, tuple[str, int | None]], tolerance_percent: int = 10
                      ) -> list[StepMeasures]:
    """Per step kind in MEASURED_STEPS that `steps` names ({code: (name, limit_days)}), in that order."""
    by_step: dict[str, tuple[list[Facts], list[Facts]]] = {code: ([], []) for code in steps}
    for f in waiting:
        if f.step in by_step:
            by_step[f.step][0].append(f)
    for f in completed:
        if f.step in by_step:
            by_step[f.step][1].append(f)
    return [step_measures(code, *steps[code], *by_step[code], month_last, tolerance_percent)
            for code in MEASURED_STEPS if code in steps]


def read_file_facts(xml: str) -> list[Facts]:
    """The facts of each Besok in an exported file, as SKR reads them (step kind unknown: ""): for tests that
    hold the calculation on the file itself to the calculation on Lotsen's records."""
    import re

    def day(text: str | None) -> date | None:
        return date.fromisoformat(text[:10]) if text else None

    out = []
    for line in xml.splitlines():
        if "<Besok " not in line:
            continue
        a = dict(re.findall(r'(\w+)="([^"]*)"', line))
        out.append(Facts("", int(a["Fas"]), day(a["BeslutAktivitet"]), day(a.get("StartAktivitet")),
                         a.get("Avvikelse"), day(a.get("MedicinsktMaldatum"))))
    return out
