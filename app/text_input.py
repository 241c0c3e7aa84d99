"""Free text from users and files, checked once at each service's boundary: refused with an InputError
naming the field when it cannot be stored or shown. NUL ends a string in the C code behind Qt, PDF and some
SQLite tools; a lone surrogate (half of a UTF-16 pair, e.g. from a broken file or a command-line argument)
cannot be encoded as UTF-8, so SQLite, logs and PDFs would fail on it later, far from the form. Over-long text
is refused rather than cut, so nothing the user typed is lost silently."""

from __future__ import annotations

import re

from app.guarantee.errors import InputError

LINE_LIMIT = 500      # one-line text without a column of its own (JSON details, settings)
TEXT_LIMIT = 10_000   # notes and other running text in Text or JSON columns
PATH_LIMIT = 4096     # a file or folder path typed or pasted (Linux PATH_MAX; Windows allows less)
CODE_LIMIT = 40       # longer than any code; an unknown code is quoted back in its message, so keep it short

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def limit_of(column: object, default: int = LINE_LIMIT) -> int:
    """The length of a String column (e.g. Patient.name: 160), or `default` for Text, JSON and the like."""
    length = getattr(getattr(column, "type", None), "length", None)
    return length if isinstance(length, int) else default


def storable(value: str) -> bool:
    """True when the text holds no NUL and no lone surrogate."""
    return _UNSTORABLE.search(value) is None


def stored_form(value: str) -> str:
    """`value` with what cannot be stored (NUL, lone surrogates) replaced by U+FFFD: for logging what was typed."""
    return _UNSTORABLE.sub("\ufffd", value)


def check_text(value: str | None, field: str, limit: int = LINE_LIMIT) -> str | None:
    """`value` unchanged when it can be stored; InputError naming `field` otherwise. The length counts what is
    left after trimming spaces, as the services store it. None passes (the field was left out)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(field, "ska vara text.")
    bad = _UNSTORABLE.search(value)
    if bad is not None:
        char = bad.group()
        name = "NUL" if char == "\x00" else f"U+{ord(char):04X}"
        raise InputError(field, f"innehåller ett tecken som inte kan sparas ({name}, tecken {bad.start() + 1}). "
                                "Ta bort tecknet, eller skriv texten i stället för att klistra in den.")
    length = len(value.strip())
    if length > limit:
        raise InputError(field, f"texten är för lång ({_number(length)} tecken). Högst {_number(limit)} tecken "
                                "får plats.")
    return value


def check_texts(fields: dict[str, tuple[str | None, int]]) -> None:
    """Several fields at once: label -> (value, limit); the first bad one is named."""
    for field, (value, limit) in fields.items():
        check_text(value, field, limit)


def _number(n: int) -> str:
    """Swedish thousands separator: 100 000."""
    return f"{n:,}".replace(",", "\u00a0")
