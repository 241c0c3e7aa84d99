"""Every read of patient data is logged with the patient: each worklist page (the first and every later one), a
search with its text, opening a case; the log review and the patient's log extract show who saw the patient."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from app import backup, cases, worklist
from app.access import Action
from app.audit import extract, review
from app.audit.verify import verify_log
from app.context import sign_in
from app.database import open_database
from app.roles import Role
from app.users import set_role
from app.worklist import Filter, SortOrder
from bench.bench_statements import counting
from db.models import AccessLog, Patient
from tests.db.test_worklist import add
from ui import worklist_model
from ui.worklist_model import WorklistModel

NAMES = ["Olle Ok", "Rita Risk", "Åsa Akut", "Östen Över", "Lång Väntan", "Paula Paus", "Bo Bup"]


@pytest.fixture
def seven(ctx):
    return {name: add(ctx, serial, name, 10 * serial) for serial, name in enumerate(NAMES, start=1)}


def _shown(ctx, since_id: int = 0) -> list[tuple[int, int, str]]:
    with ctx.db.transaction() as session:
        return [tuple(r) for r in session.execute(
            select(AccessLog.patient_id, AccessLog.case_id, AccessLog.detail)
            .where(AccessLog.action == str(Action.SHOWN), AccessLog.id > since_id).order_by(AccessLog.id))]


def _last_id(ctx) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(1)) or 0


def _patient_ids(ctx) -> dict[str, int]:
    with ctx.db.transaction() as session:
        return dict(session.execute(select(Patient.name, Patient.id)).all())


def test_every_page_logs_its_patients_in_one_statement(ctx, seven, qtbot, monkeypatch):
    monkeypatch.setattr(worklist_model, "PAGE", 3)
    start = _last_id(ctx)
    model = WorklistModel(ctx)
    model.set_query(Filter(), SortOrder())
    assert _shown(ctx, start) == []  # the ids and counts show no patient yet
    shown = [model.row_data(row) for row in range(3)]
    logged = _shown(ctx, start)
    assert [(p, c) for p, c, _ in logged] == [(_patient_ids(ctx)[r.patient_name], r.case_id) for r in shown]
    assert {d for _, _, d in logged} == {"arbetslista sida 1"}

    inserts: list[str] = []
    with counting(ctx.db.engine) as seen:
        page_two = [model.row_data(row) for row in range(3, 6)]
        # the rows go in by an INSERT on a file, by the server's log function on the server (app.audit.server_log)
        inserts = [s for s in seen if "INSERT INTO access_log" in s or "lotsen_log_append" in s]
    assert len(inserts) == 1  # three patients, one batched write
    assert len(seen) <= 10, seen  # the page's ids, its rows and the log, with the transaction's own statements
    later = _shown(ctx, start)[3:]
    assert [d for _, _, d in later] == ["arbetslista sida 2"] * 3
    assert [c for _, c, _ in later] == [r.case_id for r in page_two]
    model.row_data(6)
    assert _shown(ctx, start)[-1][2] == "arbetslista sida 3"
    assert len(_shown(ctx, start)) == 7  # each patient once, each page read once


def test_a_search_logs_its_text_and_its_hits(ctx, seven, qtbot):
    start = _last_id(ctx)
    model = WorklistModel(ctx)
    model.set_query(Filter(text="åsa", steps=frozenset({"SV_FORSTA_BESOK"})), SortOrder())
    assert model.rowCount() == 1
    model.row_data(0)
    assert _shown(ctx, start) == [(_patient_ids(ctx)["Åsa Akut"], seven["Åsa Akut"].case_id,
                                   "arbetslista sida 1, sökning ”åsa”, filter: steg")]
    # A search that finds no one is logged too, with what was searched for.
    model.set_query(Filter(text="Ingen Alls"), SortOrder())
    with ctx.db.transaction() as session:
        last = session.scalars(select(AccessLog).order_by(AccessLog.id.desc()).limit(1)).one()
        assert (last.action, last.patient_id, last.detail) == (
            str(Action.LIST), None, "arbetslista sida 1, sökning ”Ingen Alls”: ingen träff")


def test_the_patients_extract_and_the_review_show_who_saw_them(ctx, seven, qtbot):
    bo = sign_in(ctx.db, "bo.lots", "Bo Lots")
    bo.today = ctx.today
    model = WorklistModel(bo)
    model.set_query(Filter(text="Rita"), SortOrder())
    model.row_data(0)
    bo_model = WorklistModel(bo)
    bo_model.set_query(Filter(), SortOrder())
    [bo_model.row_data(r) for r in range(bo_model.rowCount())]
    cases.view_case(bo, seven["Rita Risk"].case_id)
    greta = sign_in(ctx.db, "greta.granskare", "Greta Granskare")
    set_role(ctx, greta.user_id, Role.GRANSKARE)
    greta = sign_in(ctx.db, "greta.granskare")
    greta.today = ctx.today
    with ctx.db.transaction() as session:
        rita_number = session.scalar(select(Patient.id_number).where(Patient.name == "Rita Risk"))
    made = extract.patient_extract(greta, rita_number)
    by_bo = [(extract.ACTION_TEXT[r.action], r.detail) for r in made.rows if r.user == "Bo Lots"]
    assert by_bo == [("Visad i lista", "arbetslista sida 1, sökning ”Rita”"),
                     ("Visad i lista", "arbetslista sida 1"),
                     ("Läst", None)]
    total, rows = review.search(greta, review.LogFilter(user_id=bo.user_id, patient=rita_number))
    assert total == 3 and {r.patient_name for r in rows} == {"Rita Risk"}


def test_rows_for_logs_the_patients_it_reads(ctx, seven):
    start = _last_id(ctx)
    ids = worklist.open_step_ids(ctx, limit=2)
    rows = worklist.rows_for(ctx, ids, shown="brevlista")
    assert [(c, d) for _, c, d in _shown(ctx, start)] == [(r.case_id, "brevlista") for r in rows]


def _last_event(db) -> tuple:
    with db.transaction() as session:
        return tuple(session.execute(select(AccessLog.action, AccessLog.patient_id, AccessLog.detail, AccessLog.user_id)
                                     .order_by(AccessLog.id.desc()).limit(1)).one())


@pytest.mark.file_only("file backups and restore: IT's own tools on the server")
def test_a_backup_and_a_restore_are_logged_as_events(ctx, db_path, seven):
    made = backup.backup_now(ctx.db, "manuell", ctx)
    event = (str(Action.EVENT), None, "säkerhetskopia (manuell)", ctx.user_id)
    assert _last_event(ctx.db) == event
    with sqlite3.connect(made.path) as copy:  # logged before the copy: the copy holds it too
        assert copy.execute("SELECT action, patient_id, detail, user_id FROM access_log ORDER BY id DESC"
                            " LIMIT 1").fetchone() == event
    ctx.db.close()
    replaced = backup.restore(made.path, db_path, by="anna.lots")
    db = open_database(db_path)
    try:
        restored = f"återställd från säkerhetskopian {made.path.name}; den ersatta filen sparades som {replaced.name}"
        assert _last_event(db) == (str(Action.EVENT), None, restored, ctx.user_id)
        assert verify_log(db).ok
    finally:
        db.close()


def test_the_app_writes_a_pages_log_on_its_worker_thread(ctx, seven, qtbot):
    """In the app the page is read on the UI thread and its log rows written on the worker thread, so that
    painting never waits for the write lock; they are written all the same, once per patient and page."""
    from PySide6.QtWidgets import QWidget

    from ui.worker import lane

    owner = QWidget()
    qtbot.addWidget(owner)
    runner = lane(ctx, owner)
    start = _last_id(ctx)
    model = WorklistModel(ctx, runner)
    model.set_query(Filter(text="Ok"), SortOrder())
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    with ctx.db.transaction() as session:
        session.execute(select(AccessLog.id).limit(1))  # the write lock taken and held by a colleague ...
        assert model.row_data(0).patient_name == "Olle Ok"  # ... does not hold up the page
    runner.wait()
    assert _shown(ctx, start) == [(_patient_ids(ctx)["Olle Ok"], seven["Olle Ok"].case_id,
                                   "arbetslista sida 1, sökning ”Ok”")]


def test_unusual_access_counts_searches_not_the_whole_list(ctx, seven, qtbot):
    """Every case worker's worklist shows every open case: a patient merely listed is no access to judge, one
    found by a search is (a colleague looking up a neighbour)."""
    bo = sign_in(ctx.db, "bo.lots", "Bo Lots")
    bo.today = ctx.today
    everyone = WorklistModel(bo)
    everyone.set_query(Filter(), SortOrder())
    [everyone.row_data(r) for r in range(everyone.rowCount())]
    searched = WorklistModel(bo)
    searched.set_query(Filter(text="Rita"), SortOrder())
    searched.row_data(0)
    greta = sign_in(ctx.db, "greta.granskare", "Greta Granskare")
    set_role(ctx, greta.user_id, Role.GRANSKARE)
    greta = sign_in(ctx.db, "greta.granskare")
    greta.today = ctx.today
    found = {u.patient_name for u in review.unusual_access(greta) if u.user == "Bo Lots"}
    assert found == {"Rita Risk"}


def test_a_search_that_cannot_be_stored_is_logged_as_far_as_it_can(ctx, seven):
    for typed in ("Åsa\x00", "Åsa\ud800", "å" * 25_000):
        assert worklist.open_step_ids(ctx, Filter(text=typed)) == []
    with ctx.db.transaction() as session:
        details = session.scalars(select(AccessLog.detail).order_by(AccessLog.id.desc()).limit(3)).all()
    assert details[2] == details[1] == "arbetslista sida 1, sökning ”Åsa\ufffd”: ingen träff"
    assert details[0] == f"arbetslista sida 1, sökning ”{'å' * worklist.SEARCH_LIMIT}”: ingen träff"
