"""Sent letters as kept, and the region's own letter texts, where every colleague finds them.

A letter's PDF: on the team server in the database (letter_document, written in the transaction that records the
letter), so that a colleague can open a letter another one sent; on a file in the letters folder beside it (a
single user's database: the folder is theirs, and PDFs would bloat the file and every backup of it). Either way
CaseEvent.details holds its sha256, checked when it is opened, and opening one is a logged read of the patient.

The region's own letter texts (<language>.toml, app.letters.templates) are stored as settings, on either backend,
so that they are the same for everyone; a file in the letters folder's mallar/ still works on a single computer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.access import Action, patient_access
from app.context import AppContext
from app.database import Database
from app.errors import InputError, NotFoundError, StorageError
from app.letters.kinds import LABEL, LetterType
from app.letters.templates import _parse
from app.paths import letters_folder
from app.roles import Permission, require
from app.settings import store_setting
from db.models import Case, CaseEvent, LetterDocument, Setting

TEMPLATE_KEY = "letters.template."  # + language: the TOML text of the region's own letter texts


def kept_in_database(db: Database) -> bool:
    return db.server is not None


def keep(session: Session, db: Database, event_id: int, path: Path) -> None:
    """The letter's PDF into the database, in the caller's transaction (the one that records the letter)."""
    if kept_in_database(db):
        session.add(LetterDocument(event_id=event_id, pdf=path.read_bytes()))


@dataclass(frozen=True)
class SentLetter:
    event_id: int
    case_id: int
    name: str  # a file name to save or show it under
    pdf: bytes


def open_letter(ctx: AppContext, event_id: int) -> SentLetter:
    """A sent letter's PDF, checked against the sha256 recorded when it was sent. A logged read of the patient."""
    require(ctx.role, Permission.CASE_WORK)
    with ctx.db.transaction() as session:
        event = session.get(CaseEvent, event_id)
        if event is None or event.kind != "letter":
            raise NotFoundError("Brev", "brevet finns inte.")
        details = event.details or {}
        case = session.get(Case, event.case_id)
        try:
            kind = LABEL[LetterType(details.get("type"))]
        except ValueError:
            kind = "brev"
        patient_access(session, ctx, case.patient_id, Action.READ, case.id, f"brev öppnat: {kind}")
        name = Path(details.get("file") or f"brev-{event_id}.pdf").name
        stored = session.get(LetterDocument, event_id)
        if stored is not None:
            pdf = stored.pdf
        else:
            path = letters_folder(ctx.db.folder) / details.get("file", "")
            if not details.get("file") or not path.is_file():
                raise NotFoundError("Brev", f"brevets PDF finns inte på den här datorn ({path}). Den skrevs på "
                                            "datorn där brevet skapades.")
            pdf = path.read_bytes()
        if details.get("sha256") and hashlib.sha256(pdf).hexdigest() != details["sha256"]:
            raise StorageError(f"Brevet {name} stämmer inte med det som skickades: filen har ändrats efteråt. "
                               "Kontakta den som är administratör för Lotsen.")
        return SentLetter(event_id, case.id, name, pdf)


def copy_letters(source, target, folder: Path) -> tuple[int, list[str]]:
    """`lotsen db copy`: the letters a file's user sent, from its letters folder into the server's database
    (Core connections, in the copy's transaction). Returns how many, and the files that were not there."""
    copied, missing = 0, []
    for event_id, details in source.execute(select(CaseEvent.id, CaseEvent.details).where(CaseEvent.kind == "letter")
                                            .order_by(CaseEvent.id)):
        path = folder / (details or {}).get("file", "")
        if not (details or {}).get("file") or not path.is_file():
            missing.append(str(path))
            continue
        target.execute(insert(LetterDocument.__table__).values(event_id=event_id, pdf=path.read_bytes()))
        copied += 1
    return copied, missing


def stored_templates(session: Session) -> dict[str, bytes]:
    """The region's own letter texts stored in the database, by language."""
    rows = session.execute(select(Setting.key, Setting.value).where(Setting.key.startswith(TEMPLATE_KEY)))
    return {key.removeprefix(TEMPLATE_KEY): value.encode("utf-8") for key, value in rows if value}


def save_template(ctx: AppContext, language: str, raw: bytes) -> str:
    """Store the region's own letter texts for `language` (a TOML file like resources/letters/sv.toml) for
    everyone. Checked first: a text that cannot be read is refused with the reason. Returns its version."""
    require(ctx.role, Permission.CHANGE_SETTINGS)
    if not (language.isascii() and language.isalpha() and 2 <= len(language) <= 3):
        raise InputError("Språk", "ange språket som en kod med två eller tre bokstäver, till exempel sv eller en.")
    checked = _parse(raw, language, f"brevmallen för {language}")
    with ctx.db.transaction() as session:
        store_setting(session, TEMPLATE_KEY + language, raw.decode("utf-8"), ctx.user_id)
    return checked.version
