"""The patient's preferences on a case (issue 18): periods they cannot come, how far they will travel, an
interpreter and its language, and whether they want a letter or a phone call. Read with the case (app.cases
.view_case), changed here like any change of a case (version check, access log), and used by app.matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.access import Action, patient_access
from app.context import AppContext
from app.errors import InputError
from db.models import utcnow
from db.preferences import CasePreferences

CONTACT_BY = {"brev": "Brev", "telefon": "Telefon"}
MAX_TRAVEL_KM = 2_000  # further than Smygehuk to Treriksröset: a typing error
LANGUAGE_LIMIT = 40
_PERIOD = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:[–—-]|till|to)?\s*(\d{4}-\d{2}-\d{2})?\s*$")


@dataclass(frozen=True)
class Preferences:
    unavailable: tuple[tuple[date, date], ...] = ()  # both days included
    max_travel_km: int | None = None
    interpreter: bool = False
    interpreter_language: str | None = None
    contact_by: str | None = None  # a key of CONTACT_BY

    def available(self, day: date) -> bool:
        return not any(start <= day <= end for start, end in self.unavailable)

    def first_available(self, day: date) -> date:
        """The first day on or after `day` outside every unavailable period."""
        moved = True
        while moved:
            moved = False
            for start, end in self.unavailable:
                if start <= day <= end:
                    day, moved = date.fromordinal(end.toordinal() + 1), True
        return day

    def describe(self) -> str:
        """One line for the case window."""
        parts = []
        if self.unavailable:
            parts.append("Kan inte: " + ", ".join(_period_text(p) for p in self.unavailable))
        if self.max_travel_km is not None:
            parts.append(f"Reser högst {self.max_travel_km} km")
        if self.interpreter:
            parts.append(f"Behöver tolk ({self.interpreter_language})")
        if self.contact_by:
            parts.append(f"Vill helst kontaktas per {CONTACT_BY[self.contact_by].lower()}")
        return "; ".join(parts) or "Inga önskemål registrerade"


def parse_periods(text: str) -> tuple[tuple[date, date], ...]:
    """One period a line, "2026-12-20 – 2027-01-06" (or a single day); a clear message naming the line otherwise."""
    periods = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        match = _PERIOD.match(line)
        try:
            start = date.fromisoformat(match.group(1)) if match else None
            end = date.fromisoformat(match.group(2)) if match and match.group(2) else start
        except ValueError:
            start = end = None
        if start is None:
            raise InputError("Perioder då patienten inte kan komma", f"rad {number} ({line.strip()}) är inte en period "
                                                               "som 2026-12-20 – 2027-01-06.")
        if end < start:
            raise InputError("Perioder då patienten inte kan komma", f"rad {number}: slutdatumet ligger före startdatumet.")
        periods.append((start, end))
    return tuple(sorted(periods))


def parse_km(text: str) -> int | None:
    text = (text or "").strip().removesuffix("km").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InputError("Längsta resväg (km)", f"{text} är inte ett antal kilometer; skriv till exempel 50.")
    return int(text)


def periods_text(periods: tuple[tuple[date, date], ...]) -> str:
    return "\n".join(_period_text(p) for p in periods)


def _period_text(period: tuple[date, date]) -> str:
    start, end = period
    return start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"


def checked(p: Preferences) -> Preferences:
    if p.max_travel_km is not None and not 1 <= p.max_travel_km <= MAX_TRAVEL_KM:
        raise InputError("Längsta resväg (km)", f"ange ett avstånd mellan 1 och {MAX_TRAVEL_KM} km, eller lämna "
                                                "fältet tomt.")
    language = (p.interpreter_language or "").strip() or None
    if p.interpreter and language is None:
        raise InputError("Tolkspråk", "ange vilket språk tolken ska tala.")
    if language is not None and len(language) > LANGUAGE_LIMIT:
        raise InputError("Tolkspråk", f"högst {LANGUAGE_LIMIT} tecken.")
    if p.contact_by is not None and p.contact_by not in CONTACT_BY:
        raise InputError("Kontaktsätt", "välj brev, telefon eller inget önskemål.")
    return Preferences(tuple(sorted(p.unavailable)), p.max_travel_km, p.interpreter,
                       language if p.interpreter else None, p.contact_by)


def of_row(row: CasePreferences | None) -> Preferences:
    if row is None:
        return Preferences()
    return Preferences(tuple((date.fromisoformat(a), date.fromisoformat(b)) for a, b in row.unavailable or ()),
                       row.max_travel_km, row.interpreter, row.interpreter_language, row.contact_by)


def save_preferences(ctx: AppContext, case_id: int, preferences: Preferences, *,
                     expected_version: int | None = None) -> None:
    """One transaction: the version check of the case, the row, and the access-log entry for the change."""
    from app.cases import _changing  # the one version check of a case change

    p = checked(preferences)
    with ctx.db.transaction() as session:
        case = _changing(session, ctx, case_id, expected_version)
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, "patientens önskemål")
        store(session, case_id, p, ctx.user_id)


def store(session: Session, case_id: int, p: Preferences, user_id: int | None) -> None:
    row = session.get(CasePreferences, case_id) or CasePreferences(case_id=case_id)
    row.unavailable = [[a.isoformat(), b.isoformat()] for a, b in p.unavailable]
    row.max_travel_km, row.interpreter = p.max_travel_km, p.interpreter
    row.interpreter_language, row.contact_by, row.changed_by = p.interpreter_language, p.contact_by, user_id
    row.changed_at = utcnow()
    session.add(row)
