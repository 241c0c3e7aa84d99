"""The worklist's read model (db/worklist.py) equals a computation from scratch (the clock over each step's
timeline, and the case, patient, specialty and user rows) after every kind of change that touches it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, text

from app import cases, demo, importer, rule_settings, worklist, worklist_read_model
from app.corrections import correct_event_date
from app.database import open_database
from app.guarantee import SEVERITY, Answer, PauseKind, State
from app.worklist import Filter, Sort, SortOrder
from db.models import Case, Patient, Specialty, Step, User, search_form
from db.worklist import WorklistDay, WorklistEntry
from tests.conftest import TODAY
from tests.db.test_worklist import add, region  # noqa: F401 - the fixture: one step in each state
from tests.importer.lists import waiting_rows, write_csv

COMPARED = [c.name for c in WorklistEntry.__table__.columns if c.name != "severity_until"]


def from_scratch(ctx, day: date) -> dict[int, dict]:
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(Step, Case, Patient, Specialty.name, User.display_name)
            .join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)
            .join(Specialty, Case.specialty_code == Specialty.code)
            .outerjoin(User, Case.assigned_user_id == User.id).where(Step.is_open)).all()
    expected = {}
    for step, case, patient, specialty, assignee in rows:
        clock = cases.step_clock(ctx, step.id, day)
        expected[step.id] = entry_of(step, case, patient, specialty, assignee, clock, day)
    return expected


def entry_of(step, case, patient, specialty: str, assignee: str | None, clock, day: date) -> dict:
    """A step's entry as the clock and the case, patient, specialty and user rows say (all but
    severity_until)."""
    return {
        "step_id": step.id, "case_id": case.id, "patient_id": patient.id, "severity": SEVERITY[clock.state],
        "remaining_key": day + timedelta(days=clock.remaining), "waited_key": day - timedelta(days=clock.waited),
        "deadline": step.deadline, "clock_start": clock.start, "last_contact": clock.last_contact,
        "notice_flag_from": None if clock.state is State.PVV else clock.notice_due,
        "contact_flag_from": None if clock.state is State.PVV else clock.contact_due,
        "step_code": step.code, "specialty_code": case.specialty_code, "specialty_name": specialty,
        "waiting_unit": case.waiting_unit, "medical_priority": case.medical_priority,
        "assigned_user_id": case.assigned_user_id, "assignee_name": assignee,
        "search_name": search_form(patient.name), "id_number": patient.id_number,
        "home_region_code": patient.home_region_code,
    }


def stored(ctx) -> dict[int, dict]:
    with ctx.db.transaction() as session:
        return {e.step_id: {c: getattr(e, c) for c in COMPARED} for e in session.scalars(select(WorklistEntry))}


def check(ctx, day: date | None = None) -> None:
    """The worklist on `day` (a query brings the entries to it) holds exactly what a fresh computation says."""
    day = day or ctx.today()
    worklist.open_step_ids(ctx, today=day)
    expected = from_scratch(ctx, day)
    assert stored(ctx) == {i: {c: e[c] for c in COMPARED} for i, e in expected.items()}


def test_every_case_action_keeps_the_entries(ctx, region):  # noqa: F811
    check(ctx)
    a = add(ctx, 20, "Ada Åtgärd", 30)
    check(ctx)
    cases.record_contact(ctx, a.step_id, TODAY, "telefon")
    cases.record_notice(ctx, a.step_id, TODAY)
    check(ctx)
    cases.record_informed(ctx, a.step_id, TODAY - timedelta(days=2))
    offer = cases.make_offer(ctx, a.step_id, TODAY - timedelta(days=1), TODAY + timedelta(days=20), TODAY,
                             "Ortopedkliniken Ystad")
    check(ctx)
    cases.record_answer(ctx, offer, TODAY, Answer.DECLINED)
    cases.register_pvv(ctx, a.step_id, TODAY)
    check(ctx)
    cases.restart(ctx, a.step_id, TODAY)
    check(ctx)
    cases.start_pause(ctx, region["risk"].step_id, TODAY, PauseKind.MOV)
    cases.end_pause(ctx, region["paus"].step_id, TODAY, PauseKind.MOV)
    check(ctx)
    cases.add_note(ctx, a.case_id, "Ringt patienten")
    second = cases.add_step(ctx, region["ok"].case_id, "SV_BEHANDLING", TODAY - timedelta(days=3))
    check(ctx)
    cases.complete_step(ctx, region["ok"].step_id, TODAY, "Ortopeden Lund")
    cases.close_case(ctx, region["akut"].case_id, TODAY, "behov_upphort")
    check(ctx)
    assert second in stored(ctx) and region["akut"].step_id not in stored(ctx)
    start = next(e for e in cases.view_case(ctx, region["bup"].case_id).timeline if e.kind == "start")
    correct_event_date(ctx, start.id, start.on - timedelta(days=30), "Remissen kom tidigare")
    check(ctx)


def test_assignment_patient_and_user_edits_keep_the_entries(ctx, region):  # noqa: F811
    with ctx.db.transaction() as session:
        other = User(login="bo", display_name="Bo Berg")
        session.add(other)
        session.flush()
        other_id = other.id
    cases.assign(ctx, region["over"].case_id, other_id)
    check(ctx)
    with ctx.db.transaction() as session:  # a name, region and personnummer corrected; a user renamed
        patient = session.get(Patient, region["risk"].patient_id)
        patient.name, patient.home_region_code = "Rita Rättad", "13"
        session.get(User, other_id).display_name = "Bo Bergström"
        session.get(Specialty, "311").name = "Ortopedi (ny benämning)"
        session.get(Case, region["ok"].case_id).waiting_unit = "Ortopeden Ystad"
    check(ctx)
    assert worklist.open_step_ids(ctx, Filter(text="rättad")) == [region["risk"].step_id]


def test_day_changes_forward_and_back(ctx, region):  # noqa: F811
    for serial, days_ago in enumerate((20, 55, 62, 70, 84, 89), start=30):  # clocks near each change of state
        add(ctx, serial, f"Dag {days_ago}", days_ago)
    for offset in [*range(36), 60, 200, 5, 0]:  # every day of a month, then leaps forward and back
        check(ctx, TODAY + timedelta(days=offset))


def test_a_new_day_rewrites_only_what_changed(ctx, region):  # noqa: F811
    check(ctx)
    tomorrow = TODAY + timedelta(days=1)
    with ctx.db.transaction() as session:
        entries = session.scalars(select(WorklistEntry)).all()
        due = {e.step_id for e in entries if e.severity_until is not None and e.severity_until <= tomorrow}
        frozen = {e.step_id for e in entries if e.severity in worklist_read_model.FROZEN}
        before = rows_written(session)
        worklist_read_model.ensure_current(session, tomorrow)
        written = rows_written(session) - before
    assert frozen == {region["paus"].step_id} and len(entries) == 7
    assert written == 1 + len(frozen) + len(due)  # the day row, the frozen clocks, the changed states
    check(ctx, tomorrow)


def rows_written(session) -> int:
    """Rows inserted, updated or deleted so far: by this SQLite connection, or in this PostgreSQL transaction."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return connection.connection.driver_connection.total_changes
    return connection.scalar(text("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                                  "FROM pg_stat_xact_user_tables"))


def test_a_rule_change_keeps_the_entries(ctx, region):  # noqa: F811
    rule_settings.change_rules(ctx, {"active_waiting_days": 30, "steps": {
        "SV_FORSTA_BESOK": {"risk_waited_days": 40, "regional_target_days": 60}}})
    check(ctx)
    check(ctx, TODAY + timedelta(days=25))


def test_an_import_keeps_the_entries(ctx, tmp_path):
    path = write_csv(tmp_path / "lista.csv", waiting_rows(60, TODAY))
    table = importer.read_table(path)
    importer.import_file(ctx, "waiting-list", path, importer.guess_columns("waiting-list", table.headings), "SUS")
    check(ctx)
    rows = waiting_rows(60, TODAY)
    for row in rows[:20]:
        row[7] = "Ny enhet"  # waiting unit changed: the re-import updates cases
    importer.import_file(ctx, "waiting-list", write_csv(tmp_path / "v2.csv", rows),
                         importer.guess_columns("waiting-list", table.headings), "SUS")
    check(ctx)


def test_demo_generation_keeps_the_entries(tmp_path):
    from app.context import sign_in

    db = open_database(tmp_path / "demo.sqlite")
    demo.generate(db, 150, 100, today=TODAY, workers=1)
    ctx = sign_in(db, "anna.lots", "Anna Lots")
    ctx.today = lambda: TODAY
    check(ctx)
    check(ctx, TODAY + timedelta(days=20))
    db.close()


@pytest.mark.parametrize("key", list(Sort))
def test_narrow_filters_order_as_the_full_list(ctx, region, key):  # noqa: F811
    """A filter with few matches reads them first and orders them; the order is the list's own."""
    for descending in (False, True):
        order = SortOrder(key, descending)
        everything = worklist.open_step_ids(ctx, order=order)
        flt = Filter(units=frozenset({"Ortopeden Lund"}))
        narrow = set(worklist.open_step_ids(ctx, flt))
        assert worklist.open_step_ids(ctx, flt, order, matches=len(narrow)) == [i for i in everything if i in narrow]
        assert worklist.open_step_ids(ctx, flt, order, limit=2, offset=1, matches=len(narrow)) == \
            [i for i in everything if i in narrow][1:3]


def test_entries_without_a_day_are_rebuilt(ctx, region):  # noqa: F811
    with ctx.db.transaction() as session:
        session.execute(delete(WorklistDay))
        session.execute(delete(WorklistEntry).where(WorklistEntry.step_id == region["ok"].step_id))
    check(ctx)


def test_the_triggers_and_view_are_in_place_after_all_migrations(ctx):
    """A later migration that recreates step, case_file, patient, app_user or specialty (Alembic's batch mode on
    SQLite) drops their triggers with the old table: it must create them again."""
    with ctx.db.transaction() as session:
        found = {name for name in worklist_read_model.installed(session.connection()) if not name.endswith("()")}
    assert found == {"worklist_source", "worklist_step_insert", "worklist_step_update", "worklist_step_delete",
                     "worklist_case_update", "worklist_patient_update", "worklist_user_update",
                     "worklist_specialty_update"}
