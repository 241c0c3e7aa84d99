"""No file can make the importer crash: 300 damaged files (tests/importer/damaged.py) each end in a Swedish
message naming what is wrong, with the row (and column) where there is one, and a refused file leaves the
database exactly as it was."""

from __future__ import annotations

import re

from app import importer
from app.errors import InputError
from tests.conftest import TODAY
from tests.importer.damaged import write_all
from tests.importer.lists import HEADINGS, waiting_rows, write_csv
from tests.importer.snapshot import snapshot

# Words and names that only Python's or a library's own (English) messages would bring along.
ENGLISH = re.compile(r"\b(the|field|line|error|expected|limit|invalid|unexpected|codec|position|object|None|"
                     r"Traceback|[A-Za-z]*(Error|Exception)|not|of|at|in string)\b")
# Damage a reader can place: its message names the row.
ROWED = {"BOM framför Windows-1252", "avkortad mitt i å", "byte borttappad i ett å", "NUL-tecken", "ensamt surrogattecken", "slumpade byte",
         "jättestort fält", "ensamt citattecken", "mycket långt namn", "konstiga datum", "styrtecken"}


def swedish(message: str) -> None:
    assert message and not message[0].isupper() or message.startswith("Excel"), message  # "Fält: text"
    assert message.rstrip()[-1] in ".)", message
    assert ENGLISH.search(message) is None, message


def test_300_damaged_files_get_a_swedish_message_and_change_nothing(ctx, tmp_path):
    columns = importer.guess_columns("waiting-list", HEADINGS)
    good = write_csv(tmp_path / "bra.csv", waiting_rows(12, TODAY, seed=15))
    assert importer.import_file(ctx, "waiting-list", good, columns, "Klinik").created == 12
    outcomes: dict[str, set[str]] = {}
    for damaged, path in write_all(tmp_path / "skadade", 300, TODAY):
        before = snapshot(ctx)
        try:
            table = importer.read_table(path)
            result = importer.import_file(ctx, "waiting-list", path, columns, "Klinik",
                                          rejected_path=tmp_path / "avvisade" / f"{path.stem}.xlsx")
        except InputError as exc:
            outcomes.setdefault(damaged.name, set()).add("refused")
            assert exc.field in ("Fil", "Kolumner"), (damaged.name, exc.field)
            swedish(exc.message)
            if damaged.name in ROWED and exc.field == "Fil":
                assert re.search(r"\b(rad|post) \d+", exc.message), (damaged.name, exc.message)
            assert snapshot(ctx) == before, damaged.name  # row for row, the access log included
            continue
        outcomes.setdefault(damaged.name, set()).add("read")
        assert table.rows is not None
        for problem in result.problems:
            assert problem.row >= 2 and problem.column, (damaged.name, problem)
            swedish(problem.message)
        if result.problems:
            assert result.rejected_file.is_file()
        if not (result.created or result.updated):  # nothing taken: only the comparison itself is logged
            assert snapshot(ctx, skip=("access_log",)) == {k: v for k, v in before.items() if k != "access_log"}
    assert len(outcomes) == 23  # every kind of damage was tried
    # The damage the issue names is refused as a whole, never read into wrong letters.
    for name in ("BOM framför Windows-1252", "avkortad mitt i å", "byte borttappad i ett å", "UTF-16 med udda längd",
                 "trasig xlsx (zip)"):
        assert outcomes[name] == {"refused"}, name


def test_a_bom_in_front_of_windows_1252_is_refused_naming_the_row(tmp_path):
    path = tmp_path / "lista.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "Namn;Ort\nPer Ek;Lund\nÅsa Öhman;Hässleholm\n".encode("cp1252"))
    try:
        importer.read_table(path)
    except InputError as exc:
        swedish(exc.message)
        assert exc.message.startswith("filen har tecken som inte kan läsas (rad 3): den börjar med UTF-8-märket")
    else:
        raise AssertionError("read into the wrong letters")


def test_utf16_without_bom_is_read(tmp_path):
    path = tmp_path / "lista.txt"
    path.write_bytes("Namn\tOrt\nÅsa Öhman\tHässleholm\n".encode("utf-16-le"))
    assert importer.read_table(path).rows == [["Åsa Öhman", "Hässleholm"]]


def test_a_100000_character_name_and_a_nul_are_refused_naming_the_column_and_the_limit(ctx, tmp_path):
    rows = waiting_rows(3, TODAY)
    rows[0][1] = "Å" * 100_000
    rows[1][1] = "Karin\x00Berg"
    path = write_csv(tmp_path / "lista.csv", rows)
    result = importer.import_file(ctx, "waiting-list", path, importer.guess_columns("waiting-list", HEADINGS),
                                  "Klinik")
    long, nul = result.problems
    assert (long.row, long.column, nul.row, nul.column) == (2, "Namn", 3, "Namn")
    assert "för lång (100\u00a0000 tecken). Högst" in long.message
    assert "NUL" in nul.message and result.created == 1


def test_csv_errors_are_in_swedish_with_the_row(tmp_path):
    path = tmp_path / "lista.csv"
    path.write_bytes(b'Namn;Ort\n"Per;Lund\nEva;Malm\xc3\xb6\n')
    try:
        importer.read_table(path)
    except InputError as exc:
        swedish(exc.message)
        assert "citattecken på rad 2 stängs aldrig" in exc.message
    else:
        raise AssertionError("an unclosed quote was read")
