"""The eight ways the access log was rewritten unnoticed, each found by `lotsen verify-log`: the chain finds an
edit, a removed row and rows swapped; the anchors outside the database (app.audit.anchors) find the tail cut, the
whole log deleted, the chain recomputed after an edit, and rows forged at the end. Each is done as someone with
the file (SQLite) or the server's owner role (PostgreSQL) can: drop the guard triggers first (a client role
cannot: tests/server/test_server_roles.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from app import cases
from app.audit import anchors, chain
from app.audit.verify import verify_log
from db.models import AccessLog
from tests.protection.helpers import drop_access_log_guard, open_case, raw_engine
from ui.cli import main


def _recompute(connection) -> None:
    """What someone with Lotsen's code does after an edit: seal every row again, so the chain holds."""
    prev = chain.GENESIS
    columns = [getattr(AccessLog, name) for name in chain.CONTENT]
    for row in connection.execute(select(*columns).order_by(AccessLog.id)).all():
        digest = chain.row_digest(prev, row._asdict())
        connection.execute(AccessLog.__table__.update().where(AccessLog.id == row.id)
                           .values(prev_hash=prev, row_hash=digest))
        prev = digest


def _forge(connection) -> None:
    """A row added at the end, backdated a week, its hash computed as Lotsen would."""
    last = connection.execute(select(AccessLog).order_by(AccessLog.id.desc()).limit(1)).one()
    content = {"id": last.id + 1, "at": datetime.now(UTC) - timedelta(days=7),
               "user_id": last.user_id, "patient_id": last.patient_id, "case_id": last.case_id,
               "action": "läsning", "detail": "i efterhand", "unit": None}
    digest = chain.row_digest(last.row_hash, content)
    connection.execute(AccessLog.__table__.insert().values(**content, prev_hash=last.row_hash, row_hash=digest))


TAMPERING = {
    "en rad ändrad": (["UPDATE access_log SET detail = 'ingenting' WHERE id = 3"], None, "rad 3 har ändrats efter"),
    "en rad borttagen": (["DELETE FROM access_log WHERE id = 2"], None, "rad 3 hänger inte ihop"),
    "två rader bytta": (["UPDATE access_log SET id = 100 WHERE id = 2", "UPDATE access_log SET id = 2 WHERE id = 3",
                         "UPDATE access_log SET id = 3 WHERE id = 100"], None, "rad 2 hänger inte ihop"),
    "slutet kapat": (["DELETE FROM access_log WHERE id > 3"], None, "slutet av loggen har tagits bort"),
    "hela loggen raderad": (["DELETE FROM access_log"], None, "loggen har tömts eller raderats"),
    "kedjan omräknad efter en ändring": (["UPDATE access_log SET user_id = user_id, detail = 'annat' WHERE id = 2"],
                                         _recompute, "kedjan räknats om"),
    "kedjan omräknad efter borttagna rader": (["DELETE FROM access_log WHERE id IN (2, 3)"], _recompute,
                                              "kedjan räknats om"),
    "rader förfalskade i slutet": ([], _forge, "lagts till i efterhand"),
}


@pytest.mark.parametrize("kind", TAMPERING)
def test_each_kind_of_tampering_is_found(ctx, db_path, capsys, kind, tmp_path, monkeypatch):
    monkeypatch.setenv(anchors.ENV_FOLDERS, str(tmp_path / "share"))  # IT's share, beside the user's own folders
    opened = open_case(ctx)
    for _ in range(4):
        cases.view_case(ctx, opened.case_id)
    first = verify_log(ctx.db)  # writes the first anchor
    assert first.ok and first.checked == 5
    again = verify_log(ctx.db)
    assert again.ok and again.anchors == 1 and "stämmer med 1 förankringar" in again.message()
    assert (tmp_path / "share").is_dir() and list((tmp_path / "share").glob("loggankare-*.jsonl"))
    cases.view_case(ctx, opened.case_id)  # a row after the anchor, as on any working day
    ctx.db.close()
    statements, then, words = TAMPERING[kind]
    raw = raw_engine(db_path)
    with raw.begin() as connection:
        drop_access_log_guard(connection)
        for statement in statements:
            connection.execute(text(statement))
        if then is not None:
            then(connection)
    raw.dispose()
    assert main(["verify-log", "--db", str(db_path)]) == 3
    err = capsys.readouterr().err
    assert "Loggen har ändrats" in err and words in err, err


def test_a_daily_anchor_at_start_and_none_twice_a_day(ctx, tmp_path, monkeypatch):
    monkeypatch.setenv(anchors.ENV_FOLDERS, str(tmp_path / "share"))
    assert anchors.anchor_if_due(ctx.db) is None  # an empty log has no head to anchor
    open_case(ctx)
    written = anchors.anchor_if_due(ctx.db)
    assert written is not None and written.id >= 1
    assert anchors.anchor_if_due(ctx.db) is None
    assert [a.id for a in anchors.read(ctx.db)] == [written.id]
