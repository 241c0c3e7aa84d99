"""The monthly national export to Väntetidsdatabasen: check, write, validate (optionally), log."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from app.access import log_list_view
from app.context import AppContext
from app.errors import InputError
from app.export import xml_writer
from app.export.config import ExportConfig, load_config
from app.export.log import log_export
from app.export.quality import group_issues
from app.export.records import NAMESPACE, ROOT, Issue, Kind, Record, RecordBuilder, replacement_id
from app.export.validate import validation_errors, xsd_namespace
from app.guarantee import RuleBook
from app.reports.coverage import PART, coverage_line
from app.reports.months import Month
from app.reports.source import MonthData, load_months
from app.text_input import PATH_LIMIT, check_text


@dataclass
class Prepared:
    month: Month
    config: ExportConfig
    records: dict[Kind, list[Record]]
    issues: list[Issue]
    not_reported: int  # steps outside specialised care (no SKR Fas), e.g. primary care


@dataclass(frozen=True)
class ExportFile:
    kind: Kind
    path: Path
    sha256: str
    rows: int
    replacement_id: str


@dataclass
class ExportResult:
    month: Month
    files: list[ExportFile]
    issues: list[Issue]
    issues_file: Path | None = None
    not_reported: int = 0
    validated_against: list[Path] = field(default_factory=list)
    coverage: str = PART  # the scope line (app.reports.coverage)


def prepare(ctx: AppContext, month: Month, config: ExportConfig | None = None) -> Prepared:
    """Build every record of the month and run the data-quality checks; nothing is written.
    `config` defaults to the settings (app.export.config.load_config)."""
    config = config or load_config(ctx.db)
    problems = config.problems()
    if problems:
        raise InputError(problems[0][0], " ".join(message for _, message in problems))
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, f"nationell export {month}")
        data = load_months(session, [month], ctx.rules, wide=True)[month]
    return build_records(data, config, ctx.rules)


def build_records(data: MonthData, config: ExportConfig, rules: RuleBook, facts_only: bool = False) -> Prepared:
    """The month's records from its rows: the export's files and the national measures (app.export.national)
    are both made from what this returns (`facts_only`: without writing out the records that pass the checks,
    which the measures do not read; RecordBuilder.build_all)."""
    records: dict[Kind, list[Record]] = {}
    issues: list[Issue] = []
    not_reported = 0
    builder = RecordBuilder(config, rules, data.month)
    for kind, rows in ((Kind.WAITING, data.waiting), (Kind.COMPLETED, data.completed)):
        out, found, left_out = builder.build_all(rows, kind, facts_only)
        issues += found
        not_reported += left_out
        if not facts_only:  # by VardkontaktId: a stable order that says nothing about the patient
            out.sort(key=attrgetter("vardkontakt_id"))
        records[kind] = out
    return Prepared(data.month, config, records, issues, not_reported)


def export_month(ctx: AppContext, month: Month, out_dir: Path, xsds: Sequence[Path] = (),
                 config: ExportConfig | None = None) -> ExportResult:
    """Write both files of the month (and a list of the cases to fix), validate them against `xsds` if given
    (each file against the XSD of its namespace), and log them. An invalid file is removed, not logged."""
    check_text(str(out_dir), "Mapp", PATH_LIMIT)  # typed or pasted: a NUL would fail deep in the file system
    for xsd in xsds:
        check_text(str(xsd), "XSD-filer", PATH_LIMIT)
    prepared = prepare(ctx, month, config)
    schemas = {xsd_namespace(x): x for x in xsds}
    for namespace, xsd in schemas.items():
        if namespace not in NAMESPACE.values():
            raise InputError("XSD-fil", f"{xsd.name} är inte ett schema för Väntetidsdatabasens väntande eller "
                                        "genomförda (fel targetNamespace).")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = ExportResult(month, [], prepared.issues, not_reported=prepared.not_reported,
                          coverage=coverage_line(ctx.db))
    for kind, records in prepared.records.items():
        ersattning = replacement_id(prepared.config, kind, month)
        content = xml_writer.render(kind, month, ersattning, f"lotsen-{kind.value}-{month}-{stamp}", records)
        path = out_dir / f"{ROOT[kind]}_{month}.xml"
        sha = xml_writer.write(path, content)
        xsd = schemas.get(NAMESPACE[kind])
        if xsd is not None:
            errors = validation_errors(path, xsd)
            if errors:
                path.unlink()
                raise InputError("XSD-validering", f"{path.name} följer inte {xsd.name}: " + "; ".join(errors))
            result.validated_against.append(xsd)
        result.files.append(ExportFile(kind, path, sha, len(records), ersattning))
    for f in result.files:
        log_export(ctx, month, f.kind, str(f.path), f.sha256, f.rows, f.replacement_id)
    if prepared.issues:
        result.issues_file = write_issues(out_dir / f"att-atgarda_{month}.csv", prepared.issues)
    return result


def write_issues(path: Path, issues: Sequence[Issue]) -> Path:
    """The cases to fix, for Excel (UTF-8 with BOM, semicolons), problem by problem (quality.group_issues) and
    each problem's cases in order. Case ids only: no patient data."""
    order = {(g.field, g.message, g.blocking): n for n, g in enumerate(group_issues(issues))}
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Ärende", "Steg", "Uppgift", "Problem", "Följd"])
        for i in sorted(issues, key=lambda i: (order[i.field, i.message, i.blocking], i.case_id, i.step_id)):
            writer.writerow([i.case_id, i.step_id, i.field, i.message,
                             "Skickas inte förrän felet är rättat" if i.blocking else "Skickas ändå"])
    return path
