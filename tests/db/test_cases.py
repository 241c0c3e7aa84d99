"""Case services on a real SQLite file: each action, its timeline row, its clock and its access-log row."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app import cases
from app.errors import InputError
from app.guarantee import Answer, Flag, PauseKind, PvvRefused, State
from app.identity import make_personnummer
from db.models import AccessLog, Case, CaseEvent, Patient, Step

D = date.fromisoformat
PNR = make_personnummer(date(1958, 3, 14), 421)


def new_patient(**changes) -> cases.NewPatient:
    fields = {"id_number": PNR, "name": "Karin Berg", "home_region": "12", "municipality": "1280",
              "street": "Storgatan 1", "postal_code": "211 34", "city": "Malmö"}
    return cases.NewPatient(**{**fields, **changes})


def open_first_visit(ctx, started="2026-01-10", **patient) -> cases.Opened:
    ctx.today = lambda: D("2026-03-03")
    return cases.open_case(ctx, new_patient(**patient), cases.NewCase("SV_FORSTA_BESOK", D(started), "311"))


def count(ctx, model, *where) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_open_case_writes_patient_case_step_and_start(ctx):
    opened = open_first_visit(ctx)
    with ctx.db.transaction() as session:
        patient = session.get(Patient, opened.patient_id)
        step = session.get(Step, opened.step_id)
        assert (patient.id_number, patient.sex, patient.birth_year) == (PNR, "M", 1958)
        assert step.deadline == D("2026-04-10") and step.is_open
        kinds = session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == opened.case_id)).all()
    assert kinds == ["start"]
    assert count(ctx, AccessLog, AccessLog.patient_id == opened.patient_id) == 1


def test_worked_example_3_through_the_services(ctx):
    opened = open_first_visit(ctx)
    cases.record_informed(ctx, opened.step_id, D("2026-02-20"))
    offer = cases.make_offer(ctx, opened.step_id, D("2026-02-25"), D("2026-03-20"), D("2026-03-02"),
                             "Ortopedkliniken Ystad", "Mottagning 2", confirmed=True)  # recorded afterwards
    cases.record_answer(ctx, offer, D("2026-03-03"), Answer.DECLINED)
    cases.register_pvv(ctx, opened.step_id, D("2026-03-03"))
    assert cases.step_clock(ctx, opened.step_id).state is State.PVV
    ctx.today = lambda: D("2026-05-05")
    cases.restart(ctx, opened.step_id, D("2026-05-05"))
    clock = cases.step_clock(ctx, opened.step_id)
    assert (clock.start, clock.deadline, clock.state) == (D("2026-05-05"), D("2026-08-03"), State.OK)


def test_pvv_refused_without_information_and_nothing_is_written(ctx):
    opened = open_first_visit(ctx)
    offer = cases.make_offer(ctx, opened.step_id, D("2026-02-25"), D("2026-03-20"), None, "Ortopeden")
    cases.record_answer(ctx, offer, D("2026-03-03"), Answer.DECLINED)
    before = count(ctx, CaseEvent)
    with pytest.raises(PvvRefused, match="informerats om vårdgarantin"):
        cases.register_pvv(ctx, opened.step_id, D("2026-03-03"))
    assert count(ctx, CaseEvent) == before
    assert cases.step_clock(ctx, opened.step_id).state is not State.PVV


def test_mov_moves_the_stored_deadline(ctx):
    opened = open_first_visit(ctx)
    cases.start_pause(ctx, opened.step_id, D("2026-02-01"), PauseKind.MOV, "Infektion")
    with ctx.db.transaction() as session:
        assert session.get(Step, opened.step_id).paused_since == D("2026-02-01")
    cases.end_pause(ctx, opened.step_id, D("2026-02-15"), PauseKind.MOV)
    with ctx.db.transaction() as session:
        step = session.get(Step, opened.step_id)
        assert step.deadline == D("2026-04-24") and step.paused_since is None


def test_complete_and_close(ctx):
    opened = open_first_visit(ctx)
    cases.complete_step(ctx, opened.step_id, D("2026-03-01"), "Ortopedkliniken Malmö")
    assert cases.step_clock(ctx, opened.step_id).met is True
    cases.close_case(ctx, opened.case_id, D("2026-03-02"), "genomford")
    view = cases.view_case(ctx, opened.case_id)
    assert view.closed_on == D("2026-03-02") and view.steps[0].clock.state is State.CLOSED
    with pytest.raises(InputError, match="avslutades 2026-03-02") as error:
        cases.record_contact(ctx, opened.step_id, D("2026-03-03"), "telefon")
    assert error.value.field == "Ärende"


def test_close_case_closes_open_steps_with_the_reason(ctx):
    opened = open_first_visit(ctx)
    cases.close_case(ctx, opened.case_id, D("2026-03-01"), "eget_val")
    with ctx.db.transaction() as session:
        step = session.get(Step, opened.step_id)
        assert not step.is_open and step.stopped_on == D("2026-03-01") and step.met is None
        assert session.get(Case, opened.case_id).close_reason == "eget_val"


@pytest.mark.parametrize(
    ("action", "field"),
    [
        (lambda ctx, o: cases.open_case(ctx, new_patient(id_number="19580314-4212"),
                                        cases.NewCase("SV_FORSTA_BESOK", D("2026-01-10"), "311")), "Personnummer"),
        (lambda ctx, o: cases.record_contact(ctx, o.step_id, D("2026-12-24"), "telefon"), "Kontaktdatum"),
        (lambda ctx, o: cases.complete_step(ctx, o.step_id, D("2026-01-01")), "Genomfört datum"),
        (lambda ctx, o: cases.make_offer(ctx, o.step_id, D("2026-02-01"), None, None, "Capio"), "Erbjuden tid"),
        (lambda ctx, o: cases.make_offer(ctx, o.step_id, D("2026-02-01"), D("2026-03-01"), None, " "),
         "Vårdgivare"),
        (lambda ctx, o: cases.open_case(ctx, new_patient(), cases.NewCase("SV_FORSTA_BESOK", D("2026-02-01"),
                                                                           "311")), "Steg"),
        (lambda ctx, o: cases.open_case(ctx, new_patient(home_region="99"),
                                        cases.NewCase("SV_BEHANDLING", D("2026-02-01"), "311")), "Hemregion"),
        (lambda ctx, o: cases.close_case(ctx, o.case_id, D("2026-03-01"), "tröttnade"), "Orsak"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved_is_lost(ctx, action, field):
    opened = open_first_visit(ctx)
    cases.record_contact(ctx, opened.step_id, D("2026-02-01"), "telefon", "Mår oförändrat")
    before = (count(ctx, Patient), count(ctx, Case), count(ctx, CaseEvent))
    with pytest.raises(InputError) as error:
        action(ctx, opened)
    assert error.value.field == field
    assert (count(ctx, Patient), count(ctx, Case), count(ctx, CaseEvent)) == before
    assert cases.view_case(ctx, opened.case_id).timeline[-1].details["outcome"] == "Mår oförändrat"


def test_protected_identity_hides_the_address(ctx):
    opened = open_first_visit(ctx, protected_identity=True)
    view = cases.view_case(ctx, opened.case_id)
    assert view.protected_identity and view.address is None
    assert cases.view_case(ctx, open_first_visit(ctx, id_number=make_personnummer(date(1990, 1, 2), 11))
                           .case_id).address == "Storgatan 1, 211 34 Malmö"


def test_every_read_and_change_is_logged(ctx):
    opened = open_first_visit(ctx)
    cases.record_contact(ctx, opened.step_id, D("2026-02-01"), "telefon")
    cases.view_case(ctx, opened.case_id)
    with ctx.db.transaction() as session:
        actions = session.scalars(select(AccessLog.action).where(AccessLog.patient_id == opened.patient_id)
                                  .order_by(AccessLog.id)).all()
        users = set(session.scalars(select(AccessLog.user_id)))
    assert actions == ["registrering", "ändring", "läsning"]
    assert users == {ctx.user_id}


def test_flags_reach_the_stored_clock(ctx):
    opened = open_first_visit(ctx)
    assert Flag.NO_NOTICE in cases.step_clock(ctx, opened.step_id).flags
    cases.record_notice(ctx, opened.step_id, D("2026-01-20"))
    assert Flag.NO_NOTICE not in cases.step_clock(ctx, opened.step_id).flags
