"""Errors the user can act on. InputError (bad input) lives with the clock; storage errors live here."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from app.guarantee.errors import InputError

__all__ = ["ConflictError", "CorruptDatabase", "InputError", "NotFoundError", "PermissionDenied", "StorageError",
           "storage_error_from"]


class StorageError(RuntimeError):
    """A known storage problem (disk full, locked, read-only, corrupt): say what to do, lose nothing."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConflictError(StorageError):
    """Someone else saved the same case in between; the user must look at the current data."""


class NotFoundError(InputError):
    pass


_KNOWN = [
    ("database or disk is full", "Disken är full. Frigör utrymme och försök igen; inget av det som redan "
     "sparats har gått förlorat."),
    ("database is locked", "Databasen används av någon annan just nu. Vänta en stund och försök igen."),
    ("readonly database", "Databasfilen är skrivskyddad. Kontrollera behörigheten till filen eller kontakta IT."),
    ("attempt to write a readonly", "Databasfilen är skrivskyddad. Kontrollera behörigheten till filen eller "
     "kontakta IT."),
    ("disk i/o error", "Det gick inte att läsa eller skriva databasfilen. Kontrollera disken eller nätverket."),
    ("file is not a database", "Databasfilen är skadad. Återställ den senaste säkerhetskopian."),
    ("database disk image is malformed", "Databasfilen är skadad. Återställ den senaste säkerhetskopian."),
    ("access_log is append-only", "Loggen över åtkomst till patientuppgifter kan inte ändras eller tas bort."),
    ("unable to open database", "Databasfilen kunde inte öppnas. Kontrollera att mappen finns och att du har "
     "behörighet."),
]
_CORRUPT = ("file is not a database", "database disk image is malformed")


def storage_error_from(exc: Exception) -> StorageError | None:
    """The user's message for a known SQLite failure; None for anything else (a bug: log and report it)."""
    if isinstance(exc, StaleDataError):
        return ConflictError("Ärendet har ändrats av någon annan medan du arbetade. Öppna det igen för att se "
                             "de senaste uppgifterna; din ändring sparades inte.")
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    # sqlcipher3 (an encrypted file) raises its own classes with sqlite3's messages.
    if isinstance(original, sqlite3.Error) or type(original).__module__.startswith("sqlcipher3"):
        text = str(original).lower()
        for needle, message in _KNOWN:
            if needle in text:
                return CorruptDatabase(message) if needle in _CORRUPT else StorageError(message)
    return None


class PermissionDenied(InputError):
    """The signed-in user's role does not allow the action (app.roles)."""

    def __init__(self, action: str, message: str):
        super().__init__(action, message)


class CorruptDatabase(StorageError):
    """The database file failed its integrity check; the user is offered the latest good backup."""

    def __init__(self, message: str, path: object = None):
        super().__init__(message)
        self.path = path
