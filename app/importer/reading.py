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
# The csv module stops at 131 072 characters a field; a longer name should still be refused by its own column
# and limit (app.text_input), so the reader takes up to this much and only a larger field stops the file.
FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
DELIMITER_NAMES = {";": "semikolon", ",": "komma", "\t": "tabb"}
# NUL and the bytes Windows-1252 leaves undefined: a file containing them is neither UTF-8 nor Windows-1252.
_NOT_1252 = re.compile(rb"[\x00\x81\x8d\x8f\x90\x9d]")


@dataclass(frozen=True)
class Table:
    headings: list[str]
    rows: list[list[str]]   # every row as long as the headings, cells stripped; missing cells are ""
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
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 container: Excel 97-2003, or an encrypted workbook
        raise InputError(FIELD, "filen är en Excel-fil i det gamla formatet (.xls) eller en lösenordsskyddad "
                                "arbetsbok. Ta bort lösenordet och spara filen som Excel-arbetsbok (.xlsx) eller "
                                "CSV i Excel och försök igen.")
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(path)
    return read_csv_bytes(data)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding. UTF-8 is tried first: Windows-1252 text with å, ä or ö is
    practically never valid UTF-8, while the reverse always decodes (to the wrong letters). So a file that is
    UTF-8 in one place and not in another is damaged, not Windows-1252: reading it as such would store "Ã¥"
    for "å" without a word."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _utf16(data, "utf-16", data[2:])
        if _mostly_not_latin(text):
            raise InputError(FIELD, "filen är UTF-16, men byteordningen i dess inledning (BOM) stämmer inte med "
                                    "texten. Spara filen som CSV UTF-8 i Excel och försök igen.")
        return text, "UTF-16"
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _utf16(data, utf16, data), "UTF-16"
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8"), "UTF-8 med BOM" if bom else "UTF-8"
    except UnicodeDecodeError as exc:
        line = _line(body, exc.start)
        utf8 = _UTF8_LETTER.search(body) is not None
        # the first byte of a multi-byte letter (Ã in Windows-1252, never a list's last letter), then nothing
        if exc.reason == "unexpected end of data" and (utf8 or body[exc.start] == 0xC3):
            raise InputError(FIELD, f"filen slutar mitt i ett tecken (rad {line}): den verkar avkortad. "
                                    "Exportera eller hämta filen på nytt och försök igen.") from None
        if bom and not utf8:  # a tool put the UTF-8 mark on text it did not convert: which letters were meant?
            raise InputError(FIELD, f"filen har tecken som inte kan läsas (rad {line}): den börjar med UTF-8-märket "
                                    "(BOM), men texten är inte UTF-8 utan troligen Windows-1252. Spara filen som "
                                    "CSV UTF-8 i Excel och försök igen.") from None
        if utf8:
            raise InputError(FIELD, f"filen är skadad: rad {line} har ett tecken som inte kan läsas, fast resten "
                                    "av filen är UTF-8. Exportera eller hämta filen på nytt och försök igen.") from None
    bad = _NOT_1252.search(body)
    if bad is not None:
        line = _line(body, bad.start())
        if body[bad.start()] == 0:
            raise InputError(FIELD, f"filen innehåller NUL-tecken (rad {line}), som inte hör hemma i en textfil. "
                                    "Spara filen som CSV UTF-8 i Excel och försök igen.")
        raise InputError(FIELD, f"filens teckenkodning känns inte igen (rad {line}). Spara filen som "
                                "CSV UTF-8 i Excel och försök igen.")
    return body.decode("cp1252"), "Windows-1252"


# A UTF-8 å, ä, ö, é, ü ... (C3 followed by a continuation byte): proof that a file is meant as UTF-8.
_UTF8_LETTER = re.compile(rb"\xc3[\x80-\xbf]")


def _line(data: bytes, position: int) -> int:
    return data[:position].count(b"\n") + 1


def _mostly_not_latin(text: str) -> bool:
    """Latin text read with the wrong byte order turns into CJK and other far-away letters."""
    head = text[:200]
    return bool(head) and sum(ord(c) > 0x24F for c in head) > len(head) / 2


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: every other byte of its first line is NUL."""
    head = data[:200]
    if len(head) < 8:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) * 0.4 and even == 0:
        return "utf-16-le"
    if even > len(head) * 0.4 and odd == 0:
        return "utf-16-be"
    return None


def _utf16(data: bytes, encoding: str, body: bytes) -> str:
    if len(body) % 2:
        raise InputError(FIELD, f"filen är UTF-16 men har ett udda antal byte ({len(data)}): den verkar "
                                "avkortad. Exportera eller hämta filen på nytt och försök igen.")
    try:
        return data.decode(encoding)  # strict: a lone surrogate is refused here, not stored
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise InputError(FIELD, f"filen har tecken som inte kan läsas (rad {line}). Spara filen som CSV UTF-8 i "
                                "Excel och försök igen.") from None


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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    started = 1  # the line the record being read starts on (a quoted field can span lines)
    try:
        for record in reader:
            records.append(record)
            started = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(FIELD, _csv_problem(str(exc), reader.line_num, started)) from None
    return _table(records, encoding, delimiter)


def _csv_problem(error: str, line: int, started: int) -> str:
    """The csv module's English error in Swedish, with the line it stopped on."""
    if "field larger than field limit" in error:
        return (f"ett fält på rad {line} är längre än {FIELD_LIMIT:,} tecken, mer än någon lista behöver. "
                "Kontrollera citattecknen.").replace(",", "\u00a0")
    if "expected after" in error:
        return (f"rad {line} har ett citattecken mitt i ett fält. Ett citattecken i ett fält skrivs dubbelt (\"\"), "
                "och fältet omges av citattecken. Kontrollera citattecknen.")
    if "unexpected end of data" in error or "newline inside string" in error:
        return (f"ett citattecken på rad {started} stängs aldrig: filen tar slut inne i ett citerat fält. "
                "Kontrollera citattecknen.")
    return f"rad {line} kunde inte läsas som CSV. Kontrollera avgränsare och citattecken."


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook  # heavy: only when an Excel file is read

    book = None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        if not book.worksheets:
            raise InputError(FIELD, "Excel-filen har inget kalkylblad.")
        sheet = book.worksheets[0]
        records = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file can fail anywhere in a foreign parser; say what
        raise InputError(FIELD, f"Excel-filen kunde inte läsas: {_xlsx_problem(exc)} Kontrollera att den inte är "
                                "skadad eller lösenordsskyddad; öppna den i Excel och spara den på nytt, eller "
                                "spara den som CSV UTF-8.") from None
    finally:
        if book is not None:
            book.close()
    return _table(records, "Excel", None)


def _xlsx_problem(exc: Exception) -> str:
    """What a reading error of openpyxl, zipfile, zlib or the XML parser means for the user."""
    import zlib
    from zipfile import BadZipFile, LargeZipFile

    from openpyxl.utils.exceptions import InvalidFileException

    if isinstance(exc, InvalidFileException):
        return "filen är inte en Excel-arbetsbok (.xlsx)."
    if isinstance(exc, (BadZipFile, LargeZipFile, zlib.error, EOFError)):
        return "arkivet som arbetsboken är packad i är trasigt eller avkortat."
    if isinstance(exc, SyntaxError):  # xml.etree's ParseError and lxml's XMLSyntaxError
        return "innehållet i arbetsboken (XML) är trasigt."
    if isinstance(exc, KeyError):
        return "en del av arbetsboken saknas."
    if isinstance(exc, MemoryError):
        return "arbetsboken är för stor för att läsas."
    return "arbetsboken är skadad."


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
