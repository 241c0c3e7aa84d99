"""Import waiting lists, capacity and contract lists from CSV or Excel: read, map columns (remembered per
source), check every row, write all valid rows in one transaction, and list the rejected rows in a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.context import AppContext
from app.importer import register_lists, waiting_list
from app.importer.fields import CAPACITY, CONTRACTS, FIELDS, KIND_LABELS, WAITING_LIST, Field, guess_columns
from app.importer.mappings import (
    check_columns,
    inbox_of,
    is_whole_list,
    load_mapping,
    mapping_names,
    save_mapping,
)
from app.importer.reading import Table, read_table
from app.importer.report import Problem, Result, write_rejected
from app.importer.rows import rows
from app.importer.start_dates import describe as start_columns
from app.many_objects import many_objects
from app.text_input import check_text, limit_of
from db.register import ImportLink

KINDS = (WAITING_LIST, CAPACITY, CONTRACTS)


@dataclass(frozen=True)
class PreviewRow:
    number: int
    cells: dict[str, str]  # field label -> the cell's text
    problems: list[Problem]


def preview(ctx: AppContext, kind: str, table: Table, columns: dict[str, str]) -> list[PreviewRow]:
    """Every row with the problems found without writing. Waiting lists are checked in full (identity, codes,
    dates, clock rules, duplicates); what depends on the database (an open case, an unknown unit) shows at
    import."""
    check_columns(kind, table, columns)
    if kind == WAITING_LIST:
        with many_objects():
            _, problems = waiting_list.parse(ctx, table, columns)
    else:
        result = Result(kind)
        _run_register_list(ctx, kind, table, columns, "förhandsgranskning", result, dry_run=True)
        problems = result.problems
    by_row: dict[int, list[Problem]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, []).append(problem)
    labels = {f.key: f.label for f in FIELDS[kind]}
    return [
        PreviewRow(row.number, {labels[key]: row.text(key) for key in columns if key in labels},
                   by_row.get(row.number, []))
        for row in rows(table, kind, columns, ctx.today())
    ]


def import_table(ctx: AppContext, kind: str, table: Table, columns: dict[str, str], source: str,
                 whole_list: bool | None = None) -> Result:
    """`whole_list`: the file is the source's whole waiting list (None: as the source's mapping says)."""
    check_text(source, "Källa", limit_of(ImportLink.source))
    check_columns(kind, table, columns)
    result = Result(kind, rows=len(table.rows))
    if kind == WAITING_LIST:
        if whole_list is None:
            whole_list = is_whole_list(ctx, kind, source)
        with many_objects():
            entries, result.problems = waiting_list.parse(ctx, table, columns)
            file_ids = frozenset(row.text("external_id") for row in rows(table, kind, columns, ctx.today()))
            waiting_list.write(ctx, entries, source, result, whole_list, file_ids - {""})
    else:
        _run_register_list(ctx, kind, table, columns, source, result)
    result.problems.sort(key=lambda p: p.row)
    return result


def import_file(ctx: AppContext, kind: str, path: Path, columns: dict[str, str], source: str,
                rejected_path: Path | None = None, whole_list: bool | None = None) -> Result:
    """Import a file; rejected rows go to `rejected_path` (default: beside the file, "<name>-avvisade.xlsx")."""
    with many_objects():
        table = read_table(path)
    result = import_table(ctx, kind, table, columns, source, whole_list)
    if result.problems:
        target = rejected_path or path.with_name(f"{path.stem}-avvisade.xlsx")
        result.rejected_file = write_rejected(table, result.problems, target)
    return result


def _run_register_list(ctx: AppContext, kind: str, table: Table, columns: dict[str, str], source: str,
                       result: Result, dry_run: bool = False) -> None:
    run = register_lists.import_capacity if kind == CAPACITY else register_lists.import_contracts
    run(ctx, table, columns, source, result, dry_run)


__all__ = [
    "CAPACITY", "CONTRACTS", "FIELDS", "KINDS", "KIND_LABELS", "WAITING_LIST", "Field", "PreviewRow", "Problem",
    "Result", "Table", "check_columns", "guess_columns", "import_file", "import_table", "inbox_of",
    "is_whole_list",
    "load_mapping",
    "mapping_names", "preview", "read_table", "save_mapping", "start_columns",
]
