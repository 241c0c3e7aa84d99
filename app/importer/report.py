"""What an import tells the user: problems by row and column, counts, and the file of rejected rows."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from app.importer.reading import Table

EXCEL_CELL = 32_767  # characters an Excel cell holds


@dataclass(frozen=True)
class Problem:
    row: int     # as Excel numbers it: the headings are row 1
    column: str  # the file's heading, or the field's label when the column is missing
    message: str

    def text(self) -> str:
        return f"Rad {self.row}, kolumn ”{self.column}”: {self.message}"


@dataclass
class Result:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int | None = None  # a whole list: the source's open steps it no longer holds
    booked_late: int = 0  # the list's steps it books after their deadlines (app.worklist.booked_late_sql)
    problems: list[Problem] = field(default_factory=list)
    rejected_file: Path | None = None

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems})

    def summary(self) -> str:
        text = (f"{self.rows} rader lästes: {self.created} nya, {self.updated} uppdaterade, "
                f"{self.unchanged} oförändrade, {self.rejected_rows} avvisade.")
        if self.missing is not None:
            text += (f" {self.missing} öppna steg saknas i listan; de står på listan ”Saknas i senaste listan” "
                     "för granskning." if self.missing else " Inga öppna steg saknas i listan.")
        if self.booked_late:
            text += (f" {self.booked_late} " + ("steg är bokat" if self.booked_late == 1 else "steg är bokade") +
                     " efter tidsgränsen; de visas i arbetslistan under ”Bokad efter tidsgränsen”.")
        if self.rejected_file is not None:
            text += f" De avvisade raderna och orsakerna finns i {self.rejected_file}."
        return text


def write_rejected(table: Table, problems: list[Problem], path: Path) -> Path:
    """The rejected rows as they were, with the row number and every reason: .xlsx, or .csv that Swedish
    Excel opens directly (UTF-8 with BOM, semicolon)."""
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        reasons.setdefault(problem.row, []).append(f"Kolumn ”{problem.column}”: {problem.message}")
    by_number = dict(zip(table.row_numbers, table.rows, strict=True))
    headings = ["Rad i filen", "Orsak", *table.headings]
    lines = [[number, "; ".join(texts), *by_number.get(number, [])] for number, texts in sorted(reasons.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def shown(value: object) -> object:
            # A worksheet cannot hold NUL and other control characters (often the very reason the row was
            # rejected): they are shown as U+FFFD instead of failing the whole file. Nor can an Excel cell hold
            # more than 32 767 characters: a longer one is cut, marked with an ellipsis.
            if not isinstance(value, str):
                return value
            value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
            return value if len(value) <= EXCEL_CELL else value[:EXCEL_CELL - 1] + "…"

        book = Workbook()
        sheet = book.active
        sheet.title = "Avvisade rader"
        sheet.append([shown(h) for h in headings])
        for line in lines:
            sheet.append([shown(v) for v in line])
        sheet.column_dimensions["B"].width = 70
        sheet.freeze_panes = "A2"
        book.save(path)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(headings)
            writer.writerows(lines)
    return path
