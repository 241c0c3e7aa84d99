"""Anchors of the access log: the chain's head (id, hash, time) written outside the database, at least daily and
at every `verify-log`, and compared at the next check. The chain alone shows an edit in the middle; only a copy of
the head kept elsewhere shows a cut tail, a deleted log, a chain recomputed after an edit, or rows added
afterwards with earlier times.

Where: the folders that LOTSEN_LOG_ANCHORS (a policy-set path list) and the connection profile's [log] anchors
name, e.g. a share only IT may change, and always this user's own folder for the database; on a file also the
backup folder. Each folder holds one line per anchor in loggankare-<database>.jsonl, appended, never rewritten.
A folder that one user can write is no proof against that user: say so (docs/team-server.md)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.database import Database
from app.location import profile_path
from app.paths import backup_folder
from db.models import AccessLog

log = logging.getLogger(__name__)
ENV_FOLDERS = "LOTSEN_LOG_ANCHORS"
DAILY = timedelta(days=1)
# A row committed just after an anchor was taken may carry a time a little before it (a save in flight).
IN_FLIGHT = timedelta(minutes=5)


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    at: datetime       # the head row's time
    taken: datetime    # when the anchor was written

    def line(self) -> str:
        return json.dumps({"id": self.id, "hash": self.hash, "at": self.at.isoformat(),
                           "taken": self.taken.isoformat()})


def folders(db: Database) -> list[Path]:
    configured = [Path(p) for p in os.environ.get(ENV_FOLDERS, "").split(os.pathsep) if p]
    if (profile := profile_path()) is not None:
        try:
            named = tomllib.loads(profile.read_text(encoding="utf-8")).get("log", {}).get("anchors")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            named = None  # the profile's own reader tells the user what is wrong with it
        if isinstance(named, str):
            configured.append(Path(named))
    own = [db.folder / "loggankare"]
    if db.path is not None:
        own.append(backup_folder(db.path) / "loggankare")
    return [*configured, *own]


def _file(folder: Path, db: Database) -> Path:
    tag = hashlib.sha256(db.name.encode()).hexdigest()[:12]
    return folder / f"loggankare-{tag}.jsonl"


def head(session: Session) -> Anchor | None:
    """The newest sealed row, as an anchor taken now. On the server through lotsen_log_head, which every Lotsen
    role may call though only a granskare reads the log."""
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(text("SELECT id, row_hash, at FROM lotsen_log_head()")).first()
    else:
        row = session.execute(select(AccessLog.id, AccessLog.row_hash, AccessLog.at)
                              .where(AccessLog.row_hash.is_not(None)).order_by(AccessLog.id.desc()).limit(1)).first()
    if row is None or row.id is None:
        return None
    return Anchor(row.id, row.row_hash, _aware(row.at), datetime.now(UTC))


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def read(db: Database) -> list[Anchor]:
    """Every anchor in every folder (the same anchor in several folders counts once), oldest first."""
    found: dict[tuple, Anchor] = {}
    for folder in folders(db):
        try:
            lines = _file(folder, db).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("Anchors in %s could not be read: %s", folder, exc)
            continue
        for line in lines:
            try:
                data = json.loads(line)
                anchor = Anchor(int(data["id"]), str(data["hash"]), datetime.fromisoformat(data["at"]),
                                datetime.fromisoformat(data["taken"]))
            except (ValueError, KeyError, TypeError):
                log.warning("An anchor line in %s could not be read: %r", folder, line[:200])
                continue
            found[(anchor.id, anchor.hash)] = anchor
    return sorted(found.values(), key=lambda a: (a.id, a.taken))


def write(db: Database, anchor: Anchor) -> list[Path]:
    """Append the anchor to every folder that can be written; the folders written."""
    written = []
    for folder in folders(db):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with _file(folder, db).open("a", encoding="utf-8") as out:
                out.write(anchor.line() + "\n")
            written.append(folder)
        except OSError as exc:
            log.warning("The log's anchor could not be written to %s: %s", folder, exc)
    return written


def anchor_if_due(db: Database) -> Anchor | None:
    """At start: write an anchor when the newest one is older than a day. Returns the one written."""
    known = read(db)
    if known and datetime.now(UTC) - max(a.taken for a in known) < DAILY:
        return None
    with db.transaction() as session:
        anchor = head(session)
    if anchor is not None:
        write(db, anchor)
    return anchor


def _when(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


def problems(session: Session, anchors: list[Anchor]) -> list[str]:
    """What the log no longer holds of the anchors, in Swedish. Needs the right to read the log."""
    if not anchors:
        return []
    out = []
    newest = session.scalar(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(1))
    for anchor in anchors:
        row = session.execute(select(AccessLog.row_hash).where(AccessLog.id == anchor.id)).first()
        if newest is None:
            out.append(f"Loggen är tom, men den hade rader till och med rad {anchor.id} den {_when(anchor.taken)}: "
                       "loggen har tömts eller raderats.")
            break
        if row is None and anchor.id > newest:
            out.append(f"Loggen slutar vid rad {newest}, men den hade rad {anchor.id} den {_when(anchor.taken)}: "
                       "slutet av loggen har tagits bort.")
            break
        if row is None:
            out.append(f"Rad {anchor.id}, som fanns den {_when(anchor.taken)}, saknas: rader har tagits bort.")
        elif row.row_hash != anchor.hash:
            out.append(f"Rad {anchor.id} har inte samma kontrollsumma som den {_when(anchor.taken)}: loggen har "
                       "ändrats och kedjan räknats om efteråt.")
    last = max(anchors, key=lambda a: a.id)
    before = last.taken - IN_FLIGHT
    if session.get_bind().dialect.name == "sqlite":  # it keeps UTC times without their zone
        before = before.replace(tzinfo=None)
    forged = session.execute(select(AccessLog.id, AccessLog.at).where(AccessLog.id > last.id, AccessLog.at < before)
                             .order_by(AccessLog.id).limit(1)).first()
    if forged is not None:
        out.append(f"Rad {forged.id} har skrivits efter den {_when(last.taken)} men bär en tidigare tid "
                   f"({_when(_aware(forged.at))}): raden har lagts till i efterhand.")
    return out
