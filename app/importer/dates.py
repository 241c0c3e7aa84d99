"""Dates as clinics write them. Day-first for slashes and dots: Swedish and European lists, never US order."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

_FORMATS = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"), ("y", "m", "d")),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), ("y", "m", "d")),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{2})(\d{2})(\d{2})"), ("y2", "m", "d")),
]
FORMATS_TEXT = "ÅÅÅÅ-MM-DD, ÅÅÅÅMMDD, ÅÅMMDD eller DD.MM.ÅÅÅÅ"


@lru_cache(maxsize=8192)  # a list of 100 000 rows holds a few hundred distinct dates
def parse_date(text: str, today: date) -> date:
    """ValueError with a Swedish message if the text is not a date in one of the accepted forms."""
    cleaned = text.strip()
    for pattern, order in _FORMATS:
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
        if "y2" in parts:  # six digits: the latest year ending in those digits that is not after this year
            parts["y"] = today.year - (today.year - parts.pop("y2")) % 100
        try:
            return date(parts["y"], parts["m"], parts["d"])
        except ValueError:
            raise ValueError(f"datumet {cleaned} finns inte.") from None
    raise ValueError(f"”{cleaned}” är inte ett datum. Skriv datum som {FORMATS_TEXT}.")
