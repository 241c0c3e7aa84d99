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


def _built(builder: RecordBuilder, row: StepAt, kind: Kind) -> tuple[Facts | None, bool]:
    """The row's record's facts (or the unexported facts of a primary-care row; None: no record), and whether
    the record is held back until corrected."""
    records, issues, not_reported = builder.build_all((row,), kind, facts_only=True)
    if records:
        return records[0].facts, False
    if not_reported:
        return (unexported_fact(row, kind is Kind.COMPLETED) if row.meta.code in MEASURED_STEPS else None), False
    return None, any(i.blocking for i in issues)


def month_facts(session: Session, months: Sequence[Month], config: ExportConfig, rules: RuleBook
                ) -> dict[Month, tuple[list[Facts], list[Facts], set[int]]]:
    """Per month: the facts of the records waiting at its end and completed in it (with the primary-care
    rows'), and the ids of the steps whose records are held back."""
    months = sorted(set(months))
    if not months:
        return {}
    lasts = [m.last for m in months]
    builders = [RecordBuilder(config, rules, m) for m in months]
    out = {m: ([], [], set()) for m in months}
    columns = (*_META, Step.stopped_on, Step.met)
    for branch in _spanning(months):
        for row in session.connection().execute(joined(*columns).where(branch)).all():
            started_on, (stopped_on, met) = row[_WIDTH - 1], row[_WIDTH:]
            i = bisect_left(lasts, started_on)  # the first month ending on or after the start
            j = len(months) if stopped_on is None else bisect_left(lasts, stopped_on)  # months i..j-1: waiting
            if i < j:
                at = StepAt(_meta(row), True, True, started_on, 0, None, None, None, None)
                by_year: dict[int, tuple[Facts | None, bool]] = {}
                for k in range(i, j):
                    year = lasts[k].year
                    got = by_year.get(year)
                    if got is None:
                        got = by_year[year] = _built(builders[k], at, Kind.WAITING)
                    facts, held = got
                    if facts is not None:
                        out[months[k]][0].append(facts)
                    elif held:
                        out[months[k]][2].add(at.meta.step_id)
            if (stopped_on is not None and met is not None and j < len(months) and months[j].first <= stopped_on
                    and started_on <= lasts[j]):
                at = StepAt(_meta(row), False, True, started_on, 0, stopped_on, met, None, None)
                facts, held = _built(builders[j], at, Kind.COMPLETED)
                if facts is not None:
                    out[months[j]][1].append(facts)
                elif held:
                    out[months[j]][2].add(at.meta.step_id)
    others = {m: MonthData(m) for m in months}
    for m in months:
        for row in session.connection().execute(joined(*_META, Step.started_on).where(fresh(m))).all():
            started_on = row[_WIDTH]
            others[m].waiting.append(StepAt(_meta(row), True, True, started_on, 0, None, None, None, None))
    for m, rows in interrupted(session, months, rules, wide=True).items():
        for at in rows:
            (others[m].waiting if at.waiting else others[m].completed).append(at)
    for k, m in enumerate(months):
        waiting, completed, held = out[m]
        for rows, kind, facts in ((others[m].waiting, Kind.WAITING, waiting),
                                  (others[m].completed, Kind.COMPLETED, completed)):
            for at in rows:
                got, blocked = _built(builders[k], at, kind)
                if got is not None:
                    facts.append(got)
                elif blocked:
                    held.add(at.meta.step_id)
    return out


def _meta(row) -> Meta:
    return Meta(*row[:_WIDTH])


def _spanning(months: Sequence[Month]) -> tuple:
    """The exact steps that may wait at the end of, or be completed in, any of the months: the open ones and
    those stopped since the first month began, as two ranges of the index (source.exact_branches)."""
    started = Step.started_on <= months[-1].last
    return (and_(CLOCK_UNINTERRUPTED, Step.stopped_on.is_(None), started),
            and_(CLOCK_UNINTERRUPTED, Step.stopped_on >= months[0].first, started))
