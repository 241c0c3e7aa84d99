"""The national measures of a month, computed from the records the export makes (app.export.service.
build_records → app.export.measures): one code path, so the dashboard shows what SKR computes from Lotsen's file.
Primary care, which the file does not carry, is measured from the same month's rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from app.access import log_list_view
from app.context import AppContext
from app.export.config import ExportConfig, UnitCodes, load_config
from app.export.measures import MEASURED_STEPS, StepMeasures, national_measures
from app.export.records import Facts, Kind
from app.export.service import build_records
from app.guarantee import RuleBook
from app.reports.coverage import coverage_line
from app.reports.months import Month
from app.reports.source import MonthData, StepAt, load_months

RETURN_VISIT_TOLERANCE = 10  # per cent; the 2023 agreement's tolerance (criteria files may say otherwise)


@dataclass(frozen=True)
class NationalMonth:
    month: Month
    steps: list[StepMeasures]
    held_back: int          # records the file leaves out until their data are corrected
    coverage: str
    incomplete_settings: bool  # the export is not set up: the measures show what would be sent

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


def _unexported(rows: Iterable[StepAt], rules: RuleBook, completed: bool) -> list[Facts]:
    """Facts for the rows the file does not carry (no Fas: primary care), measured the same way."""
    out = []
    for row in rows:
        meta = row.meta
        if rules.for_date(meta.first_start).step(meta.code).fas is None and meta.code in MEASURED_STEPS:
            out.append(Facts(meta.code, 0, row.start, row.stopped_on if completed else None, None, None))
    return out


def measure_month(data: MonthData, config: ExportConfig, rules: RuleBook, coverage: str, incomplete: bool,
                  tolerance_percent: int = RETURN_VISIT_TOLERANCE) -> NationalMonth:
    prepared = build_records(data, config, rules)
    facts = {kind: [r.facts for r in prepared.records[kind]] for kind in Kind}
    waiting = facts[Kind.WAITING] + _unexported(data.waiting, rules, False)
    completed = facts[Kind.COMPLETED] + _unexported(data.completed, rules, True)
    held_back = len({i.step_id for i in prepared.issues if i.blocking})
    steps = national_measures(waiting, completed, data.month.last, step_names(rules, data.month),
                              tolerance_percent)
    return NationalMonth(data.month, steps, held_back, coverage, incomplete)


def national_months(ctx: AppContext, months: Iterable[Month],
                    tolerance_percent: int = RETURN_VISIT_TOLERANCE) -> dict[Month, NationalMonth]:
    """The months' national measures; one list view in the access log."""
    months = sorted(set(months))
    config, incomplete = measuring_config(load_config(ctx.db))
    coverage = coverage_line(ctx.db)
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, "nationella mått " + ", ".join(str(m) for m in months))
        data = load_months(session, months, ctx.rules, wide=True)
    return {m: measure_month(data[m], config, ctx.rules, coverage, incomplete, tolerance_percent) for m in months}
