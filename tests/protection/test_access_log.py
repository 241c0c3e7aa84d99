"""The access log: unit and hash chain on every row, append-only in the database, `lotsen verify-log`."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app import cases
from app.access import log_rows
from app.audit import chain
from app.audit.verify import verify_log
from app.errors import StorageError
from db.models import AccessLog, Case, CaseEvent, Step, utcnow
from tests.protection.helpers import D, drop_access_log_guard, open_case, raw_engine
from ui.cli import main


def _log(ctx) -> list[AccessLog]:
    with ctx.db.transaction() as session:
        return list(session.scalars(select(AccessLog).order_by(AccessLog.id)))


def test_every_row_names_user_unit_and_is_chained(ctx):
    with ctx.db.transaction() as session:
        session.execute(text("UPDATE app_user SET unit = 'Vårdgarantikansliet Region Skåne'"))
    ctx.unit = "Vårdgarantikansliet Region Skåne"
    opened = open_case(ctx)
    cases.view_case(ctx, opened.case_id)
    cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon")
    rows = _log(ctx)
    assert [r.action for r in rows] == ["registrering", "läsning", "ändring"]
    assert {r.unit for r in rows} == {"Vårdgarantikansliet Region Skåne"}
    assert rows[0].prev_hash == chain.GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    assert verify_log(ctx.db).ok and verify_log(ctx.db).checked == 3


@pytest.mark.parametrize("statement", ["UPDATE access_log SET detail = 'x' WHERE id = 1",
                                       "UPDATE access_log SET row_hash = NULL WHERE id = 1",
                                       "DELETE FROM access_log WHERE id = 1"])
def test_the_database_refuses_updates_and_deletes(ctx, db_path, statement):
    open_case(ctx)
    with pytest.raises(StorageError, match="kan inte ändras eller tas bort"), ctx.db.transaction() as session:
        session.execute(text(statement))
    raw = raw_engine(db_path)  # the guard is in the database, not only in Lotsen
    statements = [statement, *(["TRUNCATE access_log CASCADE"] if raw.dialect.name == "postgresql" else [])]
    for refused in statements:
        with pytest.raises(DBAPIError, match="append-only"), raw.begin() as connection:
            connection.exec_driver_sql(refused)
    raw.dispose()
    assert verify_log(ctx.db).ok


def _tamper(db_path, *statements: str) -> None:
    """Drop the append-only triggers, then edit."""
    raw = raw_engine(db_path)
    with raw.begin() as connection:
        drop_access_log_guard(connection)
        for statement in statements:
            connection.exec_driver_sql(statement)
    raw.dispose()


@pytest.mark.parametrize(("statement", "broken", "words"), [
    ("UPDATE access_log SET user_id = 1, detail = 'ingenting' WHERE id = 3", 3, "har ändrats efter"),
    ("DELETE FROM access_log WHERE id = 2", 3, "hänger inte ihop"),
    ("UPDATE access_log SET at = '2020-01-01 00:00:00.000000' WHERE id = 4", 4, "har ändrats efter"),
])
def test_any_edit_is_found_and_the_first_broken_row_named(ctx, db_path, capsys, statement, broken, words):
    opened = open_case(ctx)
    for _ in range(4):
        cases.view_case(ctx, opened.case_id)
    ctx.db.close()
    assert main(["verify-log", "--db", str(db_path)]) == 0
    assert "Loggen är hel: 5 rader" in capsys.readouterr().out
    _tamper(db_path, statement)
    assert main(["verify-log", "--db", str(db_path)]) == 3
    err = capsys.readouterr().err
    assert f"rad {broken} " in err and words in err


def test_rows_written_without_a_hash_are_sealed_by_the_next_writer(ctx):
    opened = open_case(ctx)
    with ctx.db.transaction() as session:  # what a bulk insert that bypasses app.access leaves behind
        session.execute(AccessLog.__table__.insert(), [{"user_id": ctx.user_id, "patient_id": opened.patient_id,
                                                         "action": "ändring", "at": utcnow()}])
    assert _log(ctx)[-1].row_hash is None
    cases.view_case(ctx, opened.case_id)
    assert all(r.row_hash for r in _log(ctx))
    with ctx.db.transaction() as session:
        log_rows(session, [{"user_id": ctx.user_id, "patient_id": opened.patient_id, "case_id": None,
                            "action": "ändring", "detail": f"import {i}"} for i in range(3)])
    result = verify_log(ctx.db)
    assert result.ok and result.checked == 6


def test_an_unsealed_row_may_only_be_sealed_and_only_once(ctx, db_path):
    """The one UPDATE the guard lets through, alike on both backends: a row written without a hash gets its hashes;
    its content never changes, and a sealed row stays as it is."""
    opened = open_case(ctx)
    raw = raw_engine(db_path)
    with raw.begin() as connection:
        connection.execute(AccessLog.__table__.insert(), {"id": 2, "user_id": ctx.user_id, "action": "ändring",
                                                          "patient_id": opened.patient_id, "at": utcnow()})
    for refused in ["UPDATE access_log SET detail = 'x', row_hash = 'a' WHERE id = 2",
                    "UPDATE access_log SET patient_id = NULL WHERE id = 2"]:
        with pytest.raises(DBAPIError, match="append-only"), raw.begin() as connection:
            connection.exec_driver_sql(refused)
    with raw.begin() as connection:
        connection.exec_driver_sql("UPDATE access_log SET prev_hash = 'p', row_hash = 'a' WHERE id = 2")
    with pytest.raises(DBAPIError, match="append-only"), raw.begin() as connection:
        connection.exec_driver_sql("UPDATE access_log SET row_hash = 'b' WHERE id = 2")
    raw.dispose()


def test_deleting_a_case_keeps_its_log_rows(ctx):
    opened = open_case(ctx)
    cases.view_case(ctx, opened.case_id)
    with ctx.db.transaction() as session:
        session.execute(CaseEvent.__table__.delete().where(CaseEvent.case_id == opened.case_id))
        session.execute(Step.__table__.delete().where(Step.case_id == opened.case_id))
        session.execute(Case.__table__.delete().where(Case.id == opened.case_id))
    assert [r.case_id for r in _log(ctx)] == [opened.case_id, opened.case_id]
    assert verify_log(ctx.db).ok


def test_verify_log_on_a_missing_file_says_so(tmp_path, capsys):
    assert main(["verify-log", "--db", str(tmp_path / "saknas.sqlite")]) == 2
    assert "finns inte" in capsys.readouterr().err
