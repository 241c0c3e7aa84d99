"""Damaged list files, as the EHR, Excel, a full disk or an e-mail gateway leave them: a generator for the
importer's robustness test. Every file is built from a good list and damaged one way; the same seed gives the
same files."""

from __future__ import annotations

import codecs
import csv
import io
import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.importer.lists import HEADINGS, waiting_rows


@dataclass(frozen=True)
class Damaged:
    name: str       # what was done to the file
    filename: str
    data: bytes


def _csv(rows: list[list[str]], delimiter: str = ";") -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([HEADINGS, *rows])
    return out.getvalue()


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in [HEADINGS, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(rng: random.Random, rows: list[list[str]], value: str) -> list[list[str]]:
    rows = [list(r) for r in rows]
    rows[rng.randrange(len(rows))][rng.choice([1, 7, 8])] = value
    return rows


def _bom_cp1252(rng, rows):
    return b"\xef\xbb\xbf" + _csv(rows).encode("cp1252")


def _cut_in_a(rng, rows):
    data = _csv(rows).encode("utf-8")
    cuts = [i + 1 for i in range(len(data) - 1) if data[i:i + 2] in ("å".encode(), "ä".encode(), "ö".encode(),
                                                                        "Å".encode(), "Ö".encode())]
    return data[:rng.choice(cuts)]


def _cut_in_a_middle(rng, rows):
    """A multi-byte letter with its second byte lost in the middle of the file (a broken transfer)."""
    data = bytearray(_csv(rows).encode("utf-8"))
    cuts = [i + 1 for i in range(len(data) - 1) if data[i] == 0xC3]
    for cut in sorted(rng.sample(cuts, min(len(cuts), rng.randint(1, 3))), reverse=True):
        del data[cut]
    return bytes(data)


def _utf16_odd(rng, rows):
    data = _csv(rows).encode("utf-16")
    return data[:len(data) - rng.choice([1, 3, 5])] if len(data) % 2 == 0 else data


def _utf16_no_bom(rng, rows):
    return _csv(rows).encode(rng.choice(["utf-16-le", "utf-16-be"]))


def _utf16_swapped_bom(rng, rows):
    return codecs.BOM_UTF16_BE + _csv(rows).encode("utf-16-le")


def _xlsx_zip_damage(rng, rows):
    data = bytearray(_xlsx(rows))
    how = rng.choice(["truncate", "flip", "zero"])
    if how == "truncate":
        return bytes(data[:rng.randint(30, len(data) - 1)])
    for _ in range(rng.randint(1, 40)):
        at = rng.randrange(len(data))
        data[at] = 0 if how == "zero" else data[at] ^ (1 << rng.randrange(8))
    return bytes(data)


def _xlsx_xml_damage(rng, rows):
    """A readable zip whose sheet or shared-strings XML is broken."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx(rows)))
    target_name = rng.choice([n for n in source.namelist() if n.endswith(".xml")])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == target_name:
                how = rng.choice(["cut", "garbage", "tag", "entity"])
                if how == "cut":
                    content = content[:rng.randint(1, max(1, len(content) - 1))]
                elif how == "garbage":
                    content = content.replace(b">", b">\x00\xff<", 1)
                elif how == "tag":
                    content = content.replace(b"</", b"<", 1)
                else:
                    content = content.replace(b">", b">&nbsp;&#xD800;", 2)
            target.writestr(name, content)
    return out.getvalue()


def _xlsx_missing_part(rng, rows):
    source = zipfile.ZipFile(io.BytesIO(_xlsx(rows)))
    drop = rng.choice(source.namelist())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name != drop:
                target.writestr(name, source.read(name))
    return out.getvalue()


def _long_name(rng, rows):
    return _csv(_cell(rng, rows, "Å" * rng.choice([100_000, 140_000, 5_000]))).encode("utf-8")


def _nul(rng, rows):
    rows = _cell(rng, rows, "Karin\x00Berg")
    return _csv(rows).encode(rng.choice(["utf-8", "cp1252"])).replace(b";", b"\x00;", rng.randint(0, 3))


def _huge_field(rng, rows):
    return _csv(_cell(rng, rows, "x" * rng.choice([131_073, 300_000]))).encode("utf-8")


def _unbalanced_quote(rng, rows):
    text = _csv(rows)
    at = rng.randrange(len(HEADINGS[0]) + 2, len(text))
    return (text[:at] + '"' + text[at:]).encode("utf-8")


def _flipped_bytes(rng, rows):
    data = bytearray(_csv(rows).encode(rng.choice(["utf-8", "cp1252", "utf-8-sig"])))
    for _ in range(rng.randint(1, 30)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _truncated(rng, rows):
    data = _csv(rows).encode(rng.choice(["utf-8", "cp1252"]))
    return data[:rng.randint(0, len(data))]


def _garbage(rng, rows):
    return rng.randbytes(rng.randint(1, 3000))


def _control_characters(rng, rows):
    return _csv(_cell(rng, rows, "Per\x1b[31mEk\x7f\x0c")).encode("utf-8")


def _only_headings(rng, rows):
    return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"", b"\r\n\r\n", _csv([]).encode()])


def _wide(rng, rows):
    extra = [f"Extra {i}" for i in range(rng.choice([300, 5000]))]
    lines = [";".join([*HEADINGS, *extra]), *(";".join(r) for r in rows)]
    return "\n".join(lines).encode("utf-8")


def _odd_dates(rng, rows):
    bad = rng.choice(["2026-02-30", "99999999", "0000-00-00", "31.12.9999", "1.1.1", "2026-10-01T25:99", "١٢٣"])
    rows = [list(r) for r in rows]
    rows[rng.randrange(len(rows))][3] = bad
    return _csv(rows).encode("utf-8")


def _lone_surrogate(rng, rows):
    return _csv(rows).encode("utf-8").replace("Å".encode(), b"\xed\xa0\x80", 1)


def _cr_only_and_mixed(rng, rows):
    return _csv(rows).replace("\r\n", rng.choice(["\r", "\n\r", "\r\r\n"])).encode("cp1252")


def _xls_named_csv(rng, rows):
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(500)


KINDS: dict[str, tuple[Callable, str]] = {
    "BOM framför Windows-1252": (_bom_cp1252, "csv"),
    "avkortad mitt i å": (_cut_in_a, "csv"),
    "byte borttappad i ett å": (_cut_in_a_middle, "csv"),
    "UTF-16 med udda längd": (_utf16_odd, "csv"),
    "UTF-16 utan BOM": (_utf16_no_bom, "csv"),
    "UTF-16 med fel BOM": (_utf16_swapped_bom, "txt"),
    "trasig xlsx (zip)": (_xlsx_zip_damage, "xlsx"),
    "trasig xlsx (XML)": (_xlsx_xml_damage, "xlsx"),
    "xlsx utan en del": (_xlsx_missing_part, "xlsx"),
    "mycket långt namn": (_long_name, "csv"),
    "NUL-tecken": (_nul, "csv"),
    "jättestort fält": (_huge_field, "csv"),
    "ensamt citattecken": (_unbalanced_quote, "csv"),
    "slumpade byte": (_flipped_bytes, "csv"),
    "avkortad fil": (_truncated, "csv"),
    "skräp": (_garbage, "csv"),
    "styrtecken": (_control_characters, "csv"),
    "bara rubriker": (_only_headings, "csv"),
    "tusentals kolumner": (_wide, "csv"),
    "konstiga datum": (_odd_dates, "csv"),
    "ensamt surrogattecken": (_lone_surrogate, "csv"),
    "blandade radslut": (_cr_only_and_mixed, "csv"),
    "gammal Excel-fil": (_xls_named_csv, "csv"),
}


def damaged_files(count: int, today: date, seed: int = 15) -> Iterator[Damaged]:
    """`count` damaged files, every kind in turn."""
    rng = random.Random(seed)
    good = waiting_rows(12, today, seed=seed)
    names = list(KINDS)
    for index in range(count):
        name = names[index % len(names)]
        make, suffix = KINDS[name]
        yield Damaged(name, f"{index:03d}.{suffix}", make(rng, good))


def write_all(folder: Path, count: int, today: date) -> list[tuple[Damaged, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for damaged in damaged_files(count, today):
        path = folder / damaged.filename
        path.write_bytes(damaged.data)
        written.append((damaged, path))
    return written
