"""Read a list file into headings and rows of text: CSV (UTF-8, UTF-8 with BOM or Windows-1252; semicolon,
comma or tab separated) or Excel .xlsx. Errors are InputErrors with a Swedish message for the user."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.errors import InputError

FIELD = "Fil"
DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "semikolon", ",": "komma", "\t": "tabb"}
# NUL and the bytes Windows-1252 leaves undefined: a file containing them is neither UTF-8 nor Windows-1252.
_NOT_1252 = re.compile(rb"[\x00\x81\x8d\x8f\x90\x9d]")


@dataclass(frozen=True)
class Table:
    headings: list[str]
    rows: list[list[str]]   # every row as long as the headings; missing cells are ""
    row_numbers: list[int]  # the row as Excel numbers it: the headings are row 1
    encoding: str           # "UTF-8", "UTF-8 med BOM", "Windows-1252" or "Excel"
    delimiter: str | None   # None for Excel
    ragged: dict[int, int]  # row number -> cell count, for rows longer than the headings

    def describe(self) -> str:
        kind = "Excel-fil" if self.delimiter is None else (
            f"textfil, {self.encoding}, avgränsad med {DELIMITER_NAMES[self.delimiter]}")
        return f"{kind}, {len(self.rows)} rader, {len(self.headings)} kolumner"


def read_table(path: Path) -> Table:
    if not path.is_file():
        raise InputError(FIELD, f"filen {path} finns inte.")
    suffix = path.suffix.lower()
    if suffix in (".xls", ".xlsb", ".ods"):
        raise InputError(FIELD, f"filformatet {suffix} kan inte läsas. Spara filen som Excel-arbetsbok (.xlsx) "
                                "eller CSV i Excel och försök igen.")
    data = path.read_bytes()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(path)
    return read_csv_bytes(data)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding. UTF-8 is tried first: Windows-1252 text with å, ä or ö is
    practically never valid UTF-8, while the reverse always decodes (to the wrong letters)."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8", errors="strict"), "UTF-8 med BOM"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), "UTF-16"  # strict: a lone surrogate is refused here, not stored
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].decode(exc.encoding, errors="replace").count("\n") + 1
        raise InputError(FIELD, f"filen har tecken som inte kan läsas (rad {line}). Spara filen som CSV UTF-8 i "
                                "Excel och försök igen.") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    bad = _NOT_1252.search(data)
    if bad is not None:
        line = data[:bad.start()].count(b"\n") + 1
        raise InputError(FIELD, f"filens teckenkodning känns inte igen (rad {line}). Spara filen som "
                                "CSV UTF-8 i Excel och försök igen.")
    return data.decode("cp1252"), "Windows-1252"


def sniff_delimiter(first_line: str) -> str:
    """The separator that splits the heading row into the most columns (quotes respected)."""
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best] < 2:
        raise InputError(FIELD, "filen har bara en kolumn. Kolumnerna ska avgränsas med semikolon, komma eller "
                                "tabb, och första raden ska innehålla kolumnrubrikerna.")
    return best


def read_csv_bytes(data: bytes) -> Table:
    text, encoding = decode(data)
    if not text.strip():
        raise InputError(FIELD, "filen är tom.")
    text = text.lstrip("\r\n")
    delimiter = sniff_delimiter(text.splitlines()[0])
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise InputError(FIELD, f"filen kunde inte läsas som CSV ({exc}). Kontrollera citattecknen.") from None
    return _table(records, encoding, delimiter)


def _read_xlsx(path: Path) -> Table:
    from zipfile import BadZipFile

    from openpyxl import load_workbook  # heavy: only when an Excel file is read
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(FIELD, f"Excel-filen kunde inte öppnas ({type(exc).__name__}). Kontrollera att den inte "
                                "är skadad eller lösenordsskyddad.") from None
    try:
        sheet = book.worksheets[0]
        records = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(records, "Excel", None)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(records: list[list[str]], encoding: str, delimiter: str | None) -> Table:
    numbered = [(n, [c.strip() for c in r]) for n, r in enumerate(records, start=1)]
    numbered = [(n, r) for n, r in numbered if any(r)]  # blank lines, and Excel's empty formatted rows
    if not numbered:
        raise InputError(FIELD, "filen är tom.")
    heading_row, headings = numbered[0]
    while headings and not headings[-1]:
        headings.pop()
    blank = [i + 1 for i, h in enumerate(headings) if not h]
    if blank:
        raise InputError(FIELD, f"kolumn {blank[0]} på rad {heading_row} saknar rubrik. Första raden ska "
                                "innehålla en rubrik för varje kolumn.")
    seen: set[str] = set()
    for heading in headings:
        if heading.casefold() in seen:
            raise InputError(FIELD, f"kolumnrubriken ”{heading}” finns två gånger på rad {heading_row}.")
        seen.add(heading.casefold())
    width = len(headings)
    rows, numbers, ragged = [], [], {}
    for number, record in numbered[1:]:
        while len(record) > width and not record[-1]:
            record.pop()
        if len(record) > width:
            ragged[number] = len(record)
        rows.append((record + [""] * width)[:width])
        numbers.append(number)
    return Table(headings, rows, numbers, encoding, delimiter, ragged)
