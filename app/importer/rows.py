"""Reading the mapped cells of one row, collecting every problem with its row and column."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from app.importer.dates import parse_date
from app.importer.fields import FIELDS, Field
from app.importer.reading import Table
from app.importer.report import Problem


class Row:
    __slots__ = ("number", "_cells", "_index", "_specs", "_headings", "today", "problems")  # 100 000 at once

    def __init__(self, number: int, cells: list[str], index: dict[str, int], specs: dict[str, Field],
                 headings: list[str], today: date):
        self.number, self._cells, self._index, self._specs = number, cells, index, specs
        self._headings, self.today = headings, today
        self.problems: list[Problem] = []

    def key_for(self, label: str) -> str:
        """The field behind a Swedish label that a service's InputError names."""
        return next((k for k, spec in self._specs.items() if spec.label == label), label)

    def column(self, key: str) -> str:
        if key not in self._specs:
            return key
        position = self._index.get(key)
        return self._headings[position] if position is not None else self._specs[key].label

    def mapped(self, key: str) -> bool:
        return key in self._index

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.number, self.column(key), message))

    def text(self, key: str) -> str:
        position = self._index.get(key)
        return self._cells[position] if position is not None else ""  # stripped by the reader

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value and self._specs[key].required:
            self.problem(key, "värdet saknas.")
        return value

    def date(self, key: str) -> date | None:
        value = self.required(key)
        if not value:
            return None
        try:
            return parse_date(value, self.today)
        except ValueError as exc:
            self.problem(key, str(exc))
            return None

    def number_of(self, key: str) -> int | None:
        value = self.required(key).replace(" ", "").replace("\u00a0", "")
        if not value:
            return None
        try:
            decimal = float(value.replace(",", "."))  # Excel writes 12 as "12,0" in some exports
        except ValueError:
            decimal = 0.5
        if not decimal.is_integer():
            self.problem(key, f"”{value}” är inte ett heltal.")
            return None
        number = int(decimal)
        if number < 0:
            self.problem(key, "talet kan inte vara negativt.")
            return None
        return number


def rows(table: Table, kind: str, columns: dict[str, str], today: date) -> Iterator[Row]:
    specs = {f.key: f for f in FIELDS[kind]}
    index = {key: table.headings.index(heading) for key, heading in columns.items()
             if key in specs and heading in table.headings}
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        row = Row(number, cells, index, specs, table.headings, today)
        if number in table.ragged:
            row.problems.append(Problem(number, "–", f"raden har {table.ragged[number]} värden men filen har "
                                                     f"{len(table.headings)} kolumner. Kontrollera avgränsare "
                                                     "och citattecken."))
        yield row
