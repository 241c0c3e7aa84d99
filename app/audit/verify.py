"""`verify_log`: is the access log whole? Seals rows written without a hash first, then walks the chain."""

from __future__ import annotations

from app.audit import chain
from app.database import Database


def verify_log(db: Database) -> chain.Verification:
    with db.transaction() as session:
        chain.seal(session)
    with db.transaction() as session:
        return chain.verify(session)
