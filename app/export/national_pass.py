"""The national measures of many months in one pass over the steps (the year's criteria: 22 months).

The measures are defined by the export's records (app.export.records → app.export.measures); this only avoids
building the same record again for every month. A step whose cached clock is exact (app.reports.source) waits
from started_on at the end of every month from its start to its stop, and its waiting record is then the same
in each of those months (only the birth year's check reads the month: its year). So such a step is read once,
in one query for all the months, its record built once per kind and year by the export's own RecordBuilder, and
its facts counted in every month it spans. The other steps (fresh, interrupted: a few per cent) go through
the month's records as before (build_records). tests/export/test_national_pass.py holds this equal to the
per-month record path."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from sqlalchemy import and_
from sqlalchemy.orm import Session

from app.export.config import ExportConfig
from app.export.measures import MEASURED_STEPS
from app.export.records import Facts, Kind, RecordBuilder
from app.guarantee import RuleBook
from app.many_objects import many_objects
from app.reports.months import Month
from app.reports.source import (
    _META,
    _WIDTH,
    Meta,
    MonthData,
    StepAt,
    fresh,
    interrupted,
    joined,
)
from db.exports import CLOCK_UNINTERRUPTED
from db.models import Step


def unexported_fact(row: StepAt, completed: bool) -> Facts:
    """The facts of a row the file does not carry (no Fas: primary care), measured the same way."""
    meta = row.meta
    return Facts(meta.code, 0, row.start, row.stopped_on if completed else None, None, None, meta.case_id)


def _built(builder: RecordBuilder, rows: Sequence[StepAt], kind: Kind) -> list[tuple[Facts | None, bool]]:
    """Per row (each step once): its record's facts (or a primary-care row's unexported facts; None: no
    record), and whether its record is held back until corrected. build_all writes one record per row that is
    reported and not held back, in the rows' order."""
    records, issues, _ = builder.build_all(rows, kind, facts_only=True)
    blocked = {i.step_id for i in issues if i.blocking}
    made = iter(records)
    completed = kind is Kind.COMPLETED
    out: list[tuple[Facts | None, bool]] = []
    reported: dict[tuple, bool] = {}
    for row in rows:
        meta = row.meta
        key = (meta.first_start, meta.code)
        in_file = reported.get(key)
        if in_file is None:  # the rule's Fas: primary care has none and is not in the file
            in_file = reported[key] = builder.step_codes(*key).fas is not None
        if not in_file:
            out.append((unexported_fact(row, completed) if meta.code in MEASURED_STEPS else None, False))
        elif meta.step_id in blocked:
            out.append((None, True))
        else:
            out.append((next(made).facts, False))
    if next(made, None) is not None:
        raise AssertionError("build_all wrote more records than rows it reports")
    return out


def month_facts(session: Session, months: Sequence[Month], config: ExportConfig, rules: RuleBook
                ) -> dict[Month, tuple[list[Facts], list[Facts], set[int]]]:
    """Per month: the facts of the records waiting at its end and completed in it (with the primary-care
    rows'), and the ids of the steps whose records are held back."""
    with many_objects():  # millions of small tuples that all live to the end
        return _month_facts(session, months, config, rules)


def _month_facts(session: Session, months: Sequence[Month], config: ExportConfig, rules: RuleBook
                 ) -> dict[Month, tuple[list[Facts], list[Facts], set[int]]]:
    months = sorted(set(months))
    if not months:
        return {}
    lasts = [m.last for m in months]
    builders = [RecordBuilder(config, rules, m) for m in months]
    # A waiting record reads its month only for the birth year's check (the year) and start <= the month's
    # end: one build per year, by the builder of the year's last month, holds for each month of the year.
    year_builder = {m.year: builders[k] for k, m in enumerate(months)}
    waiting: dict[int, tuple[list[StepAt], list[range]]] = {y: ([], []) for y in year_builder}
    completed: list[list[StepAt]] = [[] for _ in months]
    for branch in _spanning(months):
        for row in session.connection().execute(joined(*_META, Step.stopped_on, Step.met).where(branch)).all():
            started_on, (stopped_on, met) = row[_WIDTH - 1], row[_WIDTH:]
            i = bisect_left(lasts, started_on)  # the first month ending on or after the start
            j = len(months) if stopped_on is None else bisect_left(lasts, stopped_on)  # months i..j-1: waiting
            if i < j:
                at = StepAt(Meta(*row[:_WIDTH]), True, True, started_on, 0, None, None, None, None)
                lo = i
                while lo < j:
                    year = lasts[lo].year
                    hi = lo
                    while hi < j and lasts[hi].year == year:
                        hi += 1
                    rows, spans = waiting[year]
                    rows.append(at)
                    spans.append(range(lo, hi))
                    lo = hi
            if (stopped_on is not None and met is not None and j < len(months) and months[j].first <= stopped_on
                    and started_on <= lasts[j]):
                completed[j].append(StepAt(Meta(*row[:_WIDTH]), False, True, started_on, 0, stopped_on, met, None,
                                           None))
    out = {m: ([], [], set()) for m in months}
    for year, (rows, spans) in waiting.items():
        for at, (facts, held), span in zip(rows, _built(year_builder[year], rows, Kind.WAITING), spans,
                                           strict=True):
            for k in span:
                if facts is not None:
                    out[months[k]][0].append(facts)
                elif held:
                    out[months[k]][2].add(at.meta.step_id)
    # The steps whose cached clock is not exact, month by month as the export reads them.
    others = {m: MonthData(m) for m in months}
    for m in months:
        for row in session.connection().execute(joined(*_META).where(fresh(m))).all():
            others[m].waiting.append(StepAt(Meta(*row), True, True, row[_WIDTH - 1], 0, None, None, None, None))
    for m, rows in interrupted(session, months, rules, wide=True).items():
        for at in rows:
            (others[m].waiting if at.waiting else others[m].completed).append(at)
    for k, m in enumerate(months):
        for kind, rows in ((Kind.WAITING, others[m].waiting), (Kind.COMPLETED, completed[k] + others[m].completed)):
            facts_of_kind = out[m][0 if kind is Kind.WAITING else 1]
            for at, (facts, held) in zip(rows, _built(builders[k], rows, kind), strict=True):
                if facts is not None:
                    facts_of_kind.append(facts)
                elif held:
                    out[m][2].add(at.meta.step_id)
    return out


def _spanning(months: Sequence[Month]) -> tuple:
    """The exact steps that may wait at the end of, or be completed in, any of the months: the open ones and
    those stopped since the first month began, as two ranges of the index (source.exact_branches)."""
    started = Step.started_on <= months[-1].last
    return (and_(CLOCK_UNINTERRUPTED, Step.stopped_on.is_(None), started),
            and_(CLOCK_UNINTERRUPTED, Step.stopped_on >= months[0].first, started))
