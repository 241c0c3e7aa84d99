"""Calendar months as reporting periods: first and last day (leap years included), a year back, parsing."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from app.errors import InputError

MONTH_NAMES = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
               "november", "december")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, field: str = "Månad") -> Month:
        match = re.fullmatch(r"\s*(\d{4})-(\d{2})\s*", text or "")
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise InputError(field, f"ange månaden som ÅÅÅÅ-MM, till exempel 2026-10 (inte {text!r}).")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        leap_day = self.month == 2 and calendar.isleap(self.year)
        return date(self.year, self.month, calendar.mdays[self.month] + leap_day)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def previous(self) -> Month:
        return self.plus(-1)

    @property
    def a_year_earlier(self) -> Month:
        return self.plus(-12)

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"
