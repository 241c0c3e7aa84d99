"""The access log's hash chain, computed here and nowhere else.

Each row's hash is SHA-256 over its content and the previous row's hash (rows in id order). Changing, removing or
reordering a sealed row breaks the chain from that row on, which `verify` reports. Rows are normally sealed as
they are written (app.access); rows inserted without a hash (bulk inserts, rows from before the chain existed) are
sealed, in id order, by the next writer. The database refuses UPDATE and DELETE of access_log except that one
sealing (migration 0004), and SQLite lets only one writer commit at a time, so two processes cannot fork the chain.
On PostgreSQL the server writes the rows itself, with the same hash written as SQL (app.audit.server_log).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from db.models import AccessLog

GENESIS = "0" * 64
CONTENT = ("id", "at", "user_id", "patient_id", "case_id", "action", "detail", "unit")
_COLUMNS = [getattr(AccessLog, name) for name in CONTENT]


def _utc_text(at: datetime) -> str:
    """SQLite hands back naive datetimes (UTC by convention), PostgreSQL aware ones: hash the same text."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(sep=" ", timespec="microseconds")


def row_digest(prev_hash: str, content: dict[str, Any]) -> str:
    values = [_utc_text(v) if isinstance(v, datetime) else v for v in (content[name] for name in CONTENT)]
    payload = json.dumps([prev_hash, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# How each content column is written into the JSON that row_digest hashes, as SQL over a value of the column
# (PostgreSQL's to_json escapes strings as Python's json.dumps(ensure_ascii=False) does; app.audit.server_log
# builds the server's hash from this, and a test holds both forms to each other).
_SQL_JSON = {"id": "{}::text", "user_id": "coalesce({}::text, 'null')", "patient_id": "coalesce({}::text, 'null')",
             "case_id": "coalesce({}::text, 'null')",
             "at": "to_json(to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'))::text",
             "action": "coalesce(to_json({})::text, 'null')", "detail": "coalesce(to_json({})::text, 'null')",
             "unit": "coalesce(to_json({})::text, 'null')"}


def digest_sql(prev: str, values: dict[str, str]) -> str:
    """row_digest as a PostgreSQL expression: `prev` and `values` (one per CONTENT name) are SQL expressions."""
    parts = [f"to_json({prev}::text)::text", *(_SQL_JSON[name].format(values[name]) for name in CONTENT)]
    payload = " || ',' || ".join(parts)
    return f"encode(sha256(convert_to('[' || {payload} || ']', 'UTF8')), 'hex')"


def _head(session: Session) -> tuple[int, str]:
    """(id, hash) of the newest sealed row; (0, GENESIS) for an empty log."""
    row = session.execute(select(AccessLog.id, AccessLog.row_hash).where(AccessLog.row_hash.is_not(None))
                          .order_by(AccessLog.id.desc()).limit(1)).first()
    return (row.id, row.row_hash) if row else (0, GENESIS)


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def seal(session: Session) -> int:
    """Seal rows written without a hash, oldest first. Returns how many. Inside the caller's transaction."""
    if _on_server(session):  # the server's log function seals them before it appends (app.audit.server_log)
        count = session.scalar(select(func.count()).where(AccessLog.row_hash.is_(None)))
        if count:
            _append_on_server(session, [])
        return count
    unsealed = session.execute(select(*_COLUMNS).where(AccessLog.row_hash.is_(None)).order_by(AccessLog.id)).all()
    if not unsealed:
        return 0
    _, prev = _head(session)
    changes = []
    for row in unsealed:
        digest = row_digest(prev, row._asdict())
        changes.append({"id": row.id, "prev_hash": prev, "row_hash": digest})
        prev = digest
    session.execute(update(AccessLog), changes)
    return len(changes)


def append(session: Session, **content: Any) -> int:
    """Write one sealed row at the end of the chain, in the caller's transaction. Returns its id."""
    return append_many(session, [content])[0]


def append_many(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Write sealed rows at the end of the chain, in order, in the caller's transaction. Returns their ids."""
    if not rows:
        return []
    if _on_server(session):
        return _append_on_server(session, rows)
    seal(session)
    last_id, prev = _head(session)
    now = datetime.now(UTC).replace(tzinfo=None)
    out = []
    for offset, row in enumerate(rows, start=1):
        # ids follow the chain; SQLite lets one writer at a time commit, so no other can take them
        content = {name: row.get(name) for name in CONTENT} | {"id": last_id + offset}
        content["at"] = content["at"] or now
        content["prev_hash"], content["row_hash"] = prev, row_digest(prev, content)
        prev = content["row_hash"]
        out.append(content)
    session.execute(insert(AccessLog.__table__), out)  # Core: the ORM's bulk path costs ~10 µs a row more
    return [row["id"] for row in out]


def _append_on_server(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """One statement: the server's function fills in user, time and hash (app.audit.server_log)."""
    from app.audit.server_log import APPEND

    wanted = [{name: row.get(name) for name in ("user_id", "patient_id", "case_id", "action", "detail", "unit")}
              for row in rows]
    return list(session.scalars(text(f"SELECT * FROM {APPEND}(CAST(:rows AS jsonb))"),
                                {"rows": json.dumps(wanted, ensure_ascii=False)}))


@dataclass(frozen=True)
class Verification:
    checked: int
    unsealed: int
    broken_id: int | None = None
    problem: str = ""
    anchor_problems: tuple[str, ...] = ()  # what the log no longer holds of its anchors (app.audit.anchors)
    anchors: int = 0                       # how many anchors it was compared with

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.anchor_problems

    def message(self) -> str:
        if self.ok:
            compared = f" Den stämmer med {self.anchors} förankringar utanför databasen." if self.anchors else ""
            return f"Loggen är hel: {self.checked} rader kontrollerade, ingen har ändrats eller tagits bort.{compared}"
        lines = [f"Loggen har ändrats: {problem}" for problem in self.anchor_problems]
        if self.broken_id is not None:
            lines.append(f"Loggen har ändrats: rad {self.broken_id} {self.problem} "
                         f"Raderna före den ({self.checked} st.) är hela.")
        return "\n".join(lines)


def verify(session: Session, batch: int = 50_000) -> Verification:
    """Walk the chain in id order and report the first row that does not fit. Unsealed rows are only counted."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = session.execute(select(*_COLUMNS, AccessLog.prev_hash, AccessLog.row_hash)
                               .where(AccessLog.id > last_id).order_by(AccessLog.id).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            if row.row_hash is None:  # only a tail written since the last seal may be unsealed
                later = select(AccessLog.id).where(AccessLog.id > row.id, AccessLog.row_hash.is_not(None))
                if session.scalar(later.limit(1)) is not None:
                    return Verification(checked, 0, row.id, "saknar kontrollsumma men följs av förseglade rader.")
                return Verification(checked, session.scalar(select(func.count()).where(AccessLog.id >= row.id)))
            if row.prev_hash != prev:
                return Verification(checked, 0, row.id, "hänger inte ihop med raden före: en rad före den har "
                                                        "tagits bort eller flyttats.")
            if row_digest(prev, row._asdict()) != row.row_hash:
                return Verification(checked, 0, row.id, "har ändrats efter att den skrevs.")
            prev, checked = row.row_hash, checked + 1
        last_id = rows[-1].id
    return Verification(checked, 0)

