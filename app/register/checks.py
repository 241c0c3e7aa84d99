"""Checks of register input, each failing with an InputError naming the field in Swedish."""

from __future__ import annotations

import re
from datetime import date

from app import reference
from app.errors import InputError
from app.identity import luhn_check_digit
from app.text_input import CODE_LIMIT, LINE_LIMIT, check_text

_ORG = re.compile(r"([0-9]{6})-?([0-9]{4})", re.ASCII)
_HSA = re.compile(r"SE[0-9A-Z]{10}-[0-9A-Z]+", re.ASCII)
_KVA = re.compile(r"[A-Z]{3}[0-9]{2}|[A-Z]{2}[0-9]{3}", re.ASCII)  # KVÅ: five characters, e.g. NFB49 or DV011
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def text(value: str | None, field: str, required: bool = False, limit: int = LINE_LIMIT) -> str | None:
    """`limit`: the column's length (app.text_input.limit_of)."""
    check_text(value, field, limit)
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InputError(field, "fyll i fältet.")
    return cleaned or None


def org_number(value: str | None) -> str | None:
    """Organisationsnummer NNNNNN-NNNN with a Luhn check digit, as Bolagsverket issues them."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    match = _ORG.fullmatch(cleaned)
    if match is None:
        raise InputError("Organisationsnummer", "skriv tio siffror, till exempel 232100-0016.")
    digits = match.group(1) + match.group(2)
    if luhn_check_digit(digits[:9]) != int(digits[9]):
        raise InputError("Organisationsnummer", "kontrollsiffran stämmer inte.")
    return f"{digits[:6]}-{digits[6:]}"


def hsa_id(value: str | None) -> str:
    cleaned = (value or "").strip().upper()
    if not _HSA.fullmatch(cleaned):
        raise InputError("HSA-id", "skriv enhetens HSA-id, till exempel SE2321000016-15CV.")
    return cleaned


def email(value: str | None) -> str | None:
    check_text(value, "E-post", 160)
    cleaned = (value or "").strip()
    if cleaned and not _EMAIL.fullmatch(cleaned):
        raise InputError("E-post", "adressen ser inte ut som en e-postadress.")
    return cleaned or None


def region(code: str | None, field: str = "Region") -> str:
    check_text(code, field, CODE_LIMIT)
    cleaned = (code or "").strip()
    if cleaned not in {r.code for r in reference.regions()}:
        raise InputError(field, f"okänd regionkod ({cleaned or 'tom'}).")
    return cleaned


def regions(codes: list[str], field: str) -> list[str]:
    return sorted({region(code, field) for code in codes})


def municipality(code: str | None) -> str | None:
    check_text(code, "Kommun", CODE_LIMIT)
    cleaned = (code or "").strip()
    if cleaned and cleaned not in {m.code for m in reference.municipalities()}:
        raise InputError("Kommun", f"okänd kommunkod ({cleaned}).")
    return cleaned or None


def specialties(codes: list[str], field: str = "Verksamhetsområden (MVO)") -> list[str]:
    known = {s.code for s in reference.specialties()}
    return _codes(codes, field, lambda c: c in known, "okänd MVO-kod")


def activities(codes: list[str], field: str = "Åtgärder") -> list[str]:
    known = {a.code for a in reference.activities()}
    return _codes(codes, field, lambda c: c in known, "okänd åtgärdskod")


def kva(codes: list[str], field: str = "KVÅ-koder") -> list[str]:
    return _codes(codes, field, _KVA.fullmatch, "en KVÅ-kod har fem tecken, till exempel NFB49")


def services(codes: list[str], field: str = "Tjänster") -> list[str]:
    """A contract's services: MVO, activity or KVÅ codes."""
    known = {s.code for s in reference.specialties()} | {a.code for a in reference.activities()}
    return _codes(codes, field, lambda c: c in known or _KVA.fullmatch(c), "okänd kod")


def _codes(codes: list[str], field: str, ok, problem: str) -> list[str]:
    for code in codes:
        check_text(code, field, CODE_LIMIT)
    cleaned = sorted({c.strip().upper() for c in codes if c.strip()})
    for code in cleaned:
        if not ok(code):
            raise InputError(field, f"{problem} ({code}).")
    return cleaned


def count(value: int | None, field: str) -> int | None:
    if value is not None and value < 0:
        raise InputError(field, "antalet kan inte vara negativt.")
    return value


def period(start: date | None, end: date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise InputError(field, f"{end.isoformat()} ligger före {start.isoformat()}.")


def split_codes(value: str) -> list[str]:
    """Codes as users type them: separated by commas, semicolons or spaces."""
    return [part for part in re.split(r"[,;\s]+", value or "") if part]
