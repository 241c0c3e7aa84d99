"""Swedish patient identifiers: personnummer, samordningsnummer and reservnummer.

Pure validation and normalisation; no database and no Qt. Every accepted identifier is normalised to
12 characters, "YYYYMMDDNNNC", so that the same patient always gets the same key.

Rules, as published by Skatteverket:

* The check digit C is the Luhn (mod 10) digit over YYMMDDNNN, the ten-digit form without C, computed on
  the digits as written, i.e. with the day + 60 for a samordningsnummer.
* The ten-digit form omits the century. Written with "-" (or without separator) the person is younger
  than 100 in the current year, with "+" the person turns 100 or more this year. Skatteverket switches
  the separator at the start of the year the person turns 100, so the century is chosen by year alone:
  the latest year ending in YY that is not after this year, minus 100 for "+".
* The birth date must exist (leap years included) and must not lie after `today`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.guarantee.errors import InputError

FIELD = "Personnummer"
EXAMPLE = "19121212-1212"
SAMORDNING_DAY_OFFSET = 60

# ASCII classes on purpose: str.isdigit() and \d also accept e.g. Arabic-Indic digits.
_TWELVE = re.compile(r"([0-9]{8})[-+]?([0-9]{4})", re.ASCII)
_TEN = re.compile(r"([0-9]{6})([-+]?)([0-9]{4})", re.ASCII)
_RESERV = re.compile(r"([0-9]{8})-?([0-9A-Z]{4})", re.ASCII)


class IdKind(StrEnum):
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVNUMMER = "reservnummer"


class InvalidPatientId(InputError):
    """The text is not a usable patient identifier; `message` is Swedish and ready to show."""

    def __init__(self, message: str) -> None:
        super().__init__(FIELD, message.removeprefix(f"{FIELD}: "))


@dataclass(frozen=True)
class PatientId:
    value: str  # normalised, 12 characters
    kind: IdKind
    birth_date: date  # for a samordningsnummer the real date, i.e. day minus 60
    sex: str | None  # "M" or "K"; None for reservnummer

    def display(self) -> str:
        return display_id(self.value)


def display_id(value: str) -> str:
    """The usual written form of a normalised id, "YYYYMMDD-NNNN"."""
    return f"{value[:8]}-{value[8:]}"


def luhn_check_digit(nine_digits: str) -> int:
    """Luhn check digit for YYMMDDNNN (weights 2, 1, 2, ... from the left)."""
    if len(nine_digits) != 9 or not nine_digits.isascii() or not nine_digits.isdigit():
        raise ValueError(f"expected nine digits, got {nine_digits!r}")
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def make_personnummer(birth: date, serial: int, samordning: bool = False) -> str:
    """A valid 12-digit identifier for `birth` with birth number `serial` (0..999)."""
    if not 0 <= serial <= 999:
        raise ValueError(f"serial must be 0..999, got {serial}")
    day = birth.day + (SAMORDNING_DAY_OFFSET if samordning else 0)
    date_part = _ymd(birth.year, birth.month, day)
    serial_part = f"{serial:03d}"
    return f"{date_part}{serial_part}{luhn_check_digit(date_part[2:] + serial_part)}"


def parse_patient_id(text: str, today: date | None = None) -> PatientId:
    """Validate and normalise a personnummer, samordningsnummer or reservnummer.

    Accepted forms: YYYYMMDD-NNNC, YYYYMMDDNNNC, YYMMDD-NNNC, YYMMDD+NNNC, YYMMDDNNNC and reservnummer
    (see `_parse_reservnummer`). Raises InvalidPatientId with a Swedish message.
    """
    if today is None:
        today = date.today()
    cleaned = text.strip().upper()
    if not cleaned:
        raise InvalidPatientId(f"{FIELD}: fyll i ett personnummer, till exempel {EXAMPLE}.")
    # the usual case first: only ASCII digits and a separator, so no letter to look for
    plain = cleaned.replace("-", "").replace("+", "")
    if not (plain.isascii() and plain.isdigit()) and any(char.isalpha() for char in cleaned):
        return _parse_reservnummer(cleaned, today)

    if match := _TWELVE.fullmatch(cleaned):
        digits = match.group(1) + match.group(2)
        year = int(digits[:4])
    elif match := _TEN.fullmatch(cleaned):
        short = match.group(1) + match.group(3)
        year = _resolve_year(int(short[:2]), centenarian=match.group(2) == "+", today=today)
        digits = f"{year:04d}{short[2:]}"
    else:
        raise InvalidPatientId(f"{FIELD}: ska ha 10 eller 12 siffror, till exempel {EXAMPLE}.")

    month, day = int(digits[4:6]), int(digits[6:8])
    kind = IdKind.PERSONNUMMER
    if day > SAMORDNING_DAY_OFFSET:
        kind = IdKind.SAMORDNINGSNUMMER
        day -= SAMORDNING_DAY_OFFSET
    birth = _birth_date(year, month, day, digits[:8], kind)
    _check_not_future(birth, today)

    if luhn_check_digit(digits[2:11]) != int(digits[11]):
        raise InvalidPatientId(f"{FIELD}: kontrollsiffran stämmer inte.")
    sex = "M" if int(digits[10]) % 2 == 1 else "K"
    return PatientId(value=digits, kind=kind, birth_date=birth, sex=sex)


def _parse_reservnummer(cleaned: str, today: date) -> PatientId:
    """Reservnummer: YYYYMMDD followed by four letters or digits, at least one of them a letter.

    There is no national reservnummer standard; each region uses its own scheme and many of them embed
    letters precisely so that the number can never collide with a personnummer. We accept the common
    12-character shape (e.g. "19800101RA12", also written "19800101-RA12"), require a real, non-future
    birth date in the first eight digits and skip the Luhn check, which most regional schemes lack.
    The letter requirement is what keeps a mistyped personnummer from being accepted as a reservnummer.
    Sex is not encoded reliably, so it is left as None.
    """
    match = _RESERV.fullmatch(cleaned)
    if match is None or not any(char.isalpha() for char in match.group(2)):
        raise InvalidPatientId(
            f"{FIELD}: ett reservnummer skrivs som födelsedatum med 8 siffror följt av 4 tecken "
            "där minst ett är en bokstav, till exempel 19800101-RA12."
        )
    date_digits = match.group(1)
    birth = _birth_date(
        int(date_digits[:4]), int(date_digits[4:6]), int(date_digits[6:]), date_digits, IdKind.RESERVNUMMER
    )
    _check_not_future(birth, today)
    return PatientId(value=date_digits + match.group(2), kind=IdKind.RESERVNUMMER, birth_date=birth, sex=None)


def _resolve_year(yy: int, centenarian: bool, today: date) -> int:
    year = today.year - (today.year - yy) % 100  # latest year ending in yy, not after this year
    return year - 100 if centenarian else year


def _birth_date(year: int, month: int, day: int, written: str, kind: IdKind) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if kind is IdKind.SAMORDNINGSNUMMER:
            raise InvalidPatientId(
                f"{FIELD}: datumet {_ymd(year, month, day)} i samordningsnumret finns inte (dagen minus 60)."
            ) from None
        raise InvalidPatientId(f"{FIELD}: datumet {written} finns inte.") from None


def _check_not_future(birth: date, today: date) -> None:
    if birth > today:
        raise InvalidPatientId(
            f"{FIELD}: födelsedatumet {_ymd(birth.year, birth.month, birth.day)} ligger i framtiden."
        )


def _ymd(year: int, month: int, day: int) -> str:
    # Not strftime: %Y does not zero-pad years before 1000 on every platform.
    return f"{year:04d}{month:02d}{day:02d}"
