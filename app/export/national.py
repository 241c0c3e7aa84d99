"""The national measures of a month, computed from the records the export makes (app.export.service.
build_records → app.export.measures): one code path, so the dashboard shows what SKR computes from Lotsen's file.
Primary care, which the file does not carry, is measured from the same month's rows. Many months at once (the
year's criteria: 22) are read in one pass that builds each step's record once (app.export.national_pass)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction

from app.access import log_list_view
from app.context import AppContext
from app.export.config import ExportConfig, UnitCodes, load_config
from app.export.measures import MEASURED_STEPS, StepMeasures, national_measures, waited
from app.export.national_pass import month_facts, unexported_fact
from app.export.records import Facts, Kind
from app.export.service import build_records
from app.guarantee import RuleBook
from app.reports.care_elsewhere import care_elsewhere_table, care_elsewhere_year
from app.reports.coverage import coverage_line
from app.reports.months import Month
from app.reports.service import report_settings
from app.reports.source import MonthData
from app.reports.suppression import HIDDEN, hidden_parts, note, small
from app.reports.tables import Table

NEAR_DAYS, NEAR_KEPT = 60, 50
RETURN_VISIT_TOLERANCE = 10  # per cent; the 2023 agreement's tolerance (criteria files may say otherwise)


@dataclass(frozen=True)
class NationalMonth:
    month: Month
    steps: list[StepMeasures]
    held_back: int          # records the file leaves out until their data are corrected
    coverage: str
    incomplete_settings: bool  # the export is not set up: the measures show what would be sent
    # Per step kind, the longest waiters not yet past NEAR_DAYS (or the step's shorter limit), longest first:
    # (case id, days as SKR counts them). Those a "what if" could have seen in time.
    near: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def step(self, code: str) -> StepMeasures | None:
        return next((s for s in self.steps if s.step == code), None)


def measuring_config(config: ExportConfig) -> tuple[ExportConfig, bool]:
    """The export settings, with a stand-in unit code when none is set: the measures then show what would be
    sent once the settings are complete (said beside them)."""
    if not config.problems():
        return config, False  # as the file: records of a unit without codes are held back
    return replace(config, default_unit=config.default_unit or UnitCodes("SAKNAS")), True


def step_names(rules: RuleBook, month: Month) -> dict[str, tuple[str, int | None]]:
    rule_set = rules.for_date(month.last)
    return {code: (rule_set.steps[code].name, rule_set.steps[code].limit_days)
            for code in MEASURED_STEPS if code in rule_set.steps}


def measure_month(data: MonthData, config: ExportConfig, rules: RuleBook, coverage: str, incomplete: bool,
                  tolerance_percent: int = RETURN_VISIT_TOLERANCE) -> NationalMonth:
    """The month's measures from its records, built from all its rows (the export's path; national_months
    reaches the same in one pass over many months: app.export.national_pass)."""
    prepared = build_records(data, config, rules, facts_only=True)
    facts = {kind: [r.facts for r in prepared.records[kind]] for kind in Kind}
    unexported = {kind: [unexported_fact(row, kind is Kind.COMPLETED) for row in rows
                         if rules.for_date(row.meta.first_start).step(row.meta.code).fas is None
                         and row.meta.code in MEASURED_STEPS]
                  for kind, rows in ((Kind.WAITING, data.waiting), (Kind.COMPLETED, data.completed))}
    held = {i.step_id for i in prepared.issues if i.blocking}
    return measured(data.month, facts[Kind.WAITING] + unexported[Kind.WAITING],
                    facts[Kind.COMPLETED] + unexported[Kind.COMPLETED], len(held), rules, coverage, incomplete,
                    tolerance_percent)


def measured(month: Month, waiting: list[Facts], completed: list[Facts], held_back: int, rules: RuleBook,
             coverage: str, incomplete: bool, tolerance_percent: int = RETURN_VISIT_TOLERANCE) -> NationalMonth:
    """The month's measures from the facts of its records (and of the primary-care rows)."""
    names = step_names(rules, month)
    steps = national_measures(waiting, completed, month.last, names, tolerance_percent)
    return NationalMonth(month, steps, held_back, coverage, incomplete, _near(waiting, names, month))


def _near(waiting: list[Facts], names: dict[str, tuple[str, int | None]], month: Month
          ) -> dict[str, list[tuple[int, int]]]:
    last = month.last
    caps = {step: min(NEAR_DAYS, limit) for step, (_, limit) in names.items() if limit is not None}
    out: dict[str, list[tuple[int, int]]] = {}
    for f in waiting:
        cap = caps.get(f.step)
        if cap is not None and f.avvikelse is None:
            days = waited(f, last)
            if days <= cap:
                out.setdefault(f.step, []).append((-days, f.case_id))
    return {step: [(case_id, -days) for days, case_id in heapq.nsmallest(NEAR_KEPT, rows)]
            for step, rows in out.items()}


def national_months(ctx: AppContext, months: Iterable[Month],
                    tolerance_percent: int = RETURN_VISIT_TOLERANCE) -> dict[Month, NationalMonth]:
    """The months' national measures; one list view in the access log."""
    months = sorted(set(months))
    config, incomplete = measuring_config(load_config(ctx.db))
    coverage = coverage_line(ctx.db)
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, "nationella mått " + ", ".join(str(m) for m in months))
        facts = month_facts(session, months, config, ctx.rules)
    return {m: measured(m, waiting, completed, len(held), ctx.rules, coverage, incomplete, tolerance_percent)
            for m, (waiting, completed, held) in facts.items()}


NATIONAL_TITLE = "Nationella mått (som Väntetidsdatabasen räknar på Lotsens exportfil)"
NATIONAL_HEADERS = ("Stegtyp", "Mått", "Värde", "Samma månad i fjol", "Förändring")


def percent_text(value: Fraction) -> str:
    return f"{float(value):.1f}".replace(".", ",") + " %"


def change_text(points: Fraction) -> str:
    return f"{float(points):+.1f}".replace(".", ",") + " p.e."


def _cells(step: StepMeasures, min_count: int) -> dict[str, str]:
    """Each measure of a step kind as shown: shares over fewer than min_count and small counts as "–", with
    the parts of the waiting count suppressed together (app.reports.suppression)."""
    out: dict[str, str] = {}
    parts = ("waiting_counted", "waiting_pvv", "waiting_mov")
    hide = {parts[i] for i in hidden_parts(step["waiting"].n, [step[k].n for k in parts], min_count)}
    if small(step["waiting"].n, min_count):
        hide.add("waiting")
    for m in step.measures:
        c = m.count
        if m.key in hide or (m.is_share and small(c.base, min_count)) or (m.key == "mean_wait" and small(
                step["waiting_counted"].n, min_count)) or (not m.is_share and m.key not in parts
                                                             and m.key != "mean_wait" and small(c.n, min_count)):
            out[m.key] = HIDDEN
        elif m.is_share:
            out[m.key] = percent_text(c.percent) if c.percent is not None else ""
        else:
            out[m.key] = str(c.n)
    return out


def national_table(current: NationalMonth, last_year: NationalMonth | None, min_count: int) -> Table:
    rows = []
    for step in current.steps:
        before = last_year.step(step.step) if last_year else None
        now_cells = _cells(step, min_count)
        then_cells = _cells(before, min_count) if before else {}
        for i, m in enumerate(step.measures):
            change = ""
            if before and m.is_share and HIDDEN not in (now_cells[m.key], then_cells.get(m.key, HIDDEN)):
                a, b = m.count.percent, before[m.key].percent
                change = change_text(a - b) if a is not None and b is not None else ""
            rows.append((step.name if i == 0 else "", m.label, now_cells[m.key], then_cells.get(m.key, ""), change))
    return Table(NATIONAL_TITLE, NATIONAL_HEADERS, rows)


def national_notes(current: NationalMonth, min_count: int) -> list[str]:
    notes = [
        current.coverage,
        ("Dagar räknas som kalenderdagar från beslut om aktivitet (efter en ny start: den dagen), som SKR gör. "
         "Andelarna räknas utan patienter med patientvald (PvV), medicinskt eller särskilt orsakad väntan "
         "(MoV/SoV); antalen ”inklusive PvV” tar med PvV men aldrig MoV."),
        "Vårdgarantidagar (fliken Översikt) drar i stället av de dagar som inte räknas; därför kan de skilja sig.",
        note(min_count),
        "p.e. = procentenheter: skillnaden mot samma månad året innan.",
    ]
    if current.held_back:
        notes.append(f"{current.held_back} steg kommer inte med i filen förrän deras uppgifter är rättade (se "
                     "Nationell export) och finns därför inte heller i måtten.")
    if current.incomplete_settings:
        notes.append("Inställningarna för exporten är inte kompletta: måtten visar vad som skulle skickas.")
    return notes


@dataclass(frozen=True)
class NationalReport:
    current: NationalMonth
    last_year: NationalMonth
    table: Table
    notes: list[str]
    care_elsewhere: Table  # the patients helped elsewhere in the month's year, by kind


def national_report(ctx: AppContext, month: Month) -> NationalReport:
    """The month's national measures beside the same month last year, as shown and saved."""
    min_count = report_settings(ctx).min_count
    got = national_months(ctx, [month, month.a_year_earlier])
    current, before = got[month], got[month.a_year_earlier]
    elsewhere = care_elsewhere_table(care_elsewhere_year(ctx, month.year), min_count)
    return NationalReport(current, before, national_table(current, before, min_count),
                          national_notes(current, min_count), elsewhere)
