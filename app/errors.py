"""Errors the user can act on. InputError (bad input) lives with the clock; storage errors live here."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from app.guarantee.errors import InputError
from db.backend import Failure, failure

__all__ = ["ConflictError", "CorruptDatabase", "InputError", "NotFoundError", "PermissionDenied", "StorageError",
           "storage_error_from"]


class StorageError(RuntimeError):
    """A known storage problem (disk full, locked, read-only, corrupt): say what to do, lose nothing."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConflictError(StorageError):
    """Someone else saved the same case in between; the user must look at the current data."""


class LoginRefused(StorageError):
    """The server refused the user's name or password."""


class ConnectionLost(StorageError):
    """The server could not be reached, or the connection broke (app.database says whether a save got in)."""


class NotFoundError(InputError):
    pass


READ_ONLY_MESSAGE = "Databasfilen är skrivskyddad. Kontrollera behörigheten till filen och mappen, eller kontakta IT."
CORRUPT_MESSAGE = "Databasfilen är skadad. Återställ den senaste säkerhetskopian."
_MESSAGES = {
    Failure.FULL: "Disken är full. Frigör utrymme och försök igen; inget av det som redan sparats har gått förlorat.",
    Failure.LOCKED: "Databasen används av någon annan just nu. Vänta en stund och försök igen.",
    Failure.READ_ONLY: READ_ONLY_MESSAGE,
    Failure.IO: "Det gick inte att läsa eller skriva databasfilen. Kontrollera disken eller nätverket.",
    Failure.CORRUPT: CORRUPT_MESSAGE,
    Failure.APPEND_ONLY: "Loggen över åtkomst till patientuppgifter kan inte ändras eller tas bort.",
    Failure.CANNOT_OPEN: "Databasen kunde inte öppnas. Kontrollera att den finns och att du har behörighet.",
    Failure.CONNECTION: "Förbindelsen med databasservern bröts eller kunde inte upprättas. Kontrollera nätverket "
                        "och försök igen; kontakta IT om det inte går.",
    Failure.LOGIN: "Servern godtog inte din inloggning. Kontrollera lösenordet, eller kontakta IT om du inte har "
                   "fått behörighet till Lotsen.",
    Failure.NOT_ALLOWED: "Du har inte behörighet att göra det här i Lotsen. Kontakta den som är administratör.",
}


def storage_error_from(exc: Exception) -> StorageError | None:
    """The user's message for a known storage failure (db.backend); None for anything else (a bug: log and
    report it)."""
    if isinstance(exc, StaleDataError):
        return ConflictError("Ärendet har ändrats av någon annan medan du arbetade. Öppna det igen för att se "
                             "de senaste uppgifterna; din ändring sparades inte.")
    kind = failure(exc)
    if kind is None:
        return None
    if kind is Failure.CORRUPT:
        return CorruptDatabase(CORRUPT_MESSAGE)
    if kind is Failure.LOGIN:
        return LoginRefused(_MESSAGES[kind])
    return ConnectionLost(_MESSAGES[kind]) if kind is Failure.CONNECTION else StorageError(_MESSAGES[kind])


class PermissionDenied(InputError):
    """The signed-in user's role does not allow the action (app.roles)."""

    def __init__(self, action: str, message: str):
        super().__init__(action, message)


class CorruptDatabase(StorageError):
    """The database file failed its integrity check; the user is offered the latest good backup."""

    def __init__(self, message: str, path: object = None):
        super().__init__(message)
        self.path = path
