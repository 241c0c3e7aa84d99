"""`verify_log`: is the access log whole? Seals rows written without a hash first, walks the chain, and
compares it with the anchors kept outside the database (app.audit.anchors); a whole log is then anchored anew."""

from __future__ import annotations

import dataclasses

from app.audit import anchors, chain
from app.database import Database


def verify_log(db: Database) -> chain.Verification:
    with db.transaction() as session:
        chain.seal(session)
    known = anchors.read(db)
    with db.transaction() as session:
        result = chain.verify(session)
        found = anchors.problems(session, known)
        result = dataclasses.replace(result, anchor_problems=tuple(found), anchors=len(known))
        head = anchors.head(session) if result.ok else None
    if head is not None:
        anchors.write(db, head)
    return result
