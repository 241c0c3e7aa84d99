"""The clinic's own record comes along (DOMAIN.md §8): Avvikelse codes or words with their dates, and the booked
date; a booking after the deadline shows as "bokad efter tidsgränsen" in the worklist and the summary."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import importer, worklist
from app.identity import make_personnummer
from app.importer.reading import read_csv_bytes
from db.models import CaseEvent, Step
from db.register import ListRecord

HEAD = "Personnummer;Namn;Steg;Remissdatum;MVO;Planerat datum;Avvikelse;Avvikelse från;Avvikelse till;Remiss-id"
P = [f"{make_personnummer(date(1950 + n, 2, 3), 20 + n)}" for n in range(6)]


def run(ctx, *lines: str) -> importer.Result:
    table = read_csv_bytes("\n".join([HEAD, *lines]).encode("cp1252"))
    return importer.import_table(ctx, "waiting-list", table, importer.guess_columns("waiting-list", table.headings),
                                 "Klinik")


def records(ctx) -> dict[int, tuple]:
    with ctx.db.reading() as session:
        return {r.step_id: (r.planned_on, r.deviation, r.deviation_from, r.deviation_to)
                for r in session.scalars(select(ListRecord))}


def test_codes_words_and_dates_are_kept_and_bad_ones_refused_by_column(ctx):
    result = run(ctx,
                 f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;2026-11-20;;;;A",
                 f"{P[1]};Per Ek;SV_FORSTA_BESOK;2026-09-01;311;;Medicinskt orsakad väntan;2026-10-01;2026-10-15;B",
                 f"{P[2]};Eva Ek;SV_FORSTA_BESOK;2026-09-01;311;;1;2026-10-01;;C",
                 f"{P[3]};Bo Ek;SV_FORSTA_BESOK;2026-09-01;311;;4;2026-10-01;;D",
                 f"{P[4]};Li Ek;SV_FORSTA_BESOK;2026-09-01;311;;SoV;2026-10-01;;E",
                 f"{P[5]};Ulf Ek;SV_FORSTA_BESOK;2026-09-01;311;;2;;;F")
    assert result.created == 3
    assert sorted(records(ctx).values(), key=str) == sorted([
        (date(2026, 11, 20), None, None, None), (None, 2, date(2026, 10, 1), date(2026, 10, 15)),
        (None, 1, date(2026, 10, 1), None)], key=str)
    problems = {(p.row, p.column): p.message for p in result.problems}
    assert problems[(5, "Avvikelse")].startswith("okänd avvikelse ”4”. Använd SKR:s koder 1")
    assert problems[(6, "Avvikelse")] == "särskilt orsakad väntan gäller inte steget Första besök."
    assert problems[(7, "Avvikelse från")] == "värdet saknas: en avvikelse gäller från ett datum."


def test_a_booking_after_the_deadline_is_flagged_in_the_worklist_and_summary(ctx):
    # referral 2026-09-01: deadline 2026-11-30
    run(ctx, f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;2026-11-30;;;;A",
        f"{P[1]};Per Ek;SV_FORSTA_BESOK;2026-09-01;311;2026-12-01;;;;B",
        f"{P[2]};Eva Ek;SV_FORSTA_BESOK;2026-09-01;311;;;;;C")
    late = worklist.open_step_ids(ctx, worklist.Filter(booked_late=True))
    with ctx.db.reading() as session:
        assert session.scalar(select(Step.deadline).where(Step.id.in_(late))) == date(2026, 11, 30)
    assert len(late) == 1 and records(ctx)[late[0]][0] == date(2026, 12, 1)
    counts = {label: n for label, _, n in worklist.summary_counts(ctx)}
    assert counts["Bokad efter tidsgränsen"] == 1
    # the clinic rebooks in time: the next list changes the record, with a trace on the timeline
    result = run(ctx, f"{P[1]};Per Ek;SV_FORSTA_BESOK;2026-09-01;311;2026-11-25;;;;B")
    assert result.updated == 1
    assert worklist.open_step_ids(ctx, worklist.Filter(booked_late=True)) == []
    with ctx.db.reading() as session:
        texts = [d["text"] for d in session.scalars(select(CaseEvent.details).where(
            CaseEvent.step_id == late[0], CaseEvent.kind == "note"))]
    assert texts == ["Ändrat enligt listan från Klinik: Planerat datum 2026-12-01 → 2026-11-25."]
    assert run(ctx, f"{P[1]};Per Ek;SV_FORSTA_BESOK;2026-09-01;311;2026-11-25;;;;B").unchanged == 1


def step_of(ctx, external_id: str) -> int:
    from db.register import ImportLink
    with ctx.db.reading() as session:
        return session.scalar(select(ImportLink.step_id).where(ImportLink.external_id == external_id))


def list_events(ctx, step_id: int) -> list[tuple]:
    with ctx.db.reading() as session:
        return [(e.kind, e.on, e.pause, (e.details or {}).get("list"))
                for e in session.scalars(select(CaseEvent).where(CaseEvent.step_id == step_id,
                                                                 CaseEvent.kind != "note")
                                         .order_by(CaseEvent.on, CaseEvent.id))]


def test_a_mov_period_from_the_list_moves_the_deadline_once_and_a_changed_period_is_corrected(ctx):
    from app.cases import step_clock
    from db.audit import EventCorrection
    # referral 2026-09-01: deadline 2026-11-30; MoV [2026-10-01, 2026-10-15) moves it 14 days
    line = f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;;2;2026-10-01;2026-10-15;A"
    assert run(ctx, line).created == 1
    step = step_of(ctx, "A")
    mark = {"source": "Klinik", "list_on": "2026-11-22"}
    assert list_events(ctx, step) == [("start", date(2026, 9, 1), None, None),
                                      ("pause_start", date(2026, 10, 1), "MoV", mark),
                                      ("pause_end", date(2026, 10, 15), "MoV", mark)]
    assert step_clock(ctx, step).deadline == date(2026, 12, 14)
    with ctx.db.reading() as session:
        assert session.scalar(select(Step.deadline).where(Step.id == step)) == date(2026, 12, 14)
    # the same list again adds nothing
    assert run(ctx, line).unchanged == 1
    assert len(list_events(ctx, step)) == 3
    # the clinic's next list ends the period later: the end is corrected, with the list as the reason
    result = run(ctx, f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;;2;2026-10-01;2026-10-20;A")
    assert result.updated == 1
    assert [e[:3] for e in list_events(ctx, step)][1:] == [("pause_start", date(2026, 10, 1), "MoV"),
                                                           ("pause_end", date(2026, 10, 20), "MoV")]
    with ctx.db.reading() as session:
        corrections = [(c.old_on, c.new_on, c.reason) for c in session.scalars(select(EventCorrection))]
    assert corrections == [(date(2026, 10, 15), date(2026, 10, 20),
                            "Ändrat enligt listan från Klinik (2026-11-22).")]
    assert step_clock(ctx, step).deadline == date(2026, 12, 19)
    # a later list without the code ends nothing: the period stays as recorded, the list's change is noted
    assert run(ctx, f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;;;;;A").updated == 1
    assert step_clock(ctx, step).deadline == date(2026, 12, 19)
    with ctx.db.reading() as session:
        notes = [d["text"] for d in session.scalars(select(CaseEvent.details).where(
            CaseEvent.step_id == step, CaseEvent.kind == "note").order_by(CaseEvent.id))]
    assert notes[-1] == ("Ändrat enligt listan från Klinik: Avvikelse 2 → –, Avvikelse från 2026-10-01 → –, "
                         "Avvikelse till 2026-10-20 → –.")


def test_an_open_period_stops_the_clock_and_a_later_end_restarts_it(ctx):
    from app.cases import step_clock
    from app.guarantee import State
    run(ctx, f"{P[1]};Per Ek;SV_BEHANDLING;2026-08-01;311;;MoV;2026-11-01;;B".replace(
        "SV_BEHANDLING;2026-08-01", "SV_FORSTA_BESOK;2026-08-01"))
    step = step_of(ctx, "B")
    clock = step_clock(ctx, step)
    assert clock.state is State.PAUSED and clock.paused_since == date(2026, 11, 1)
    assert worklist.count_by_state(ctx) == {State.PAUSED: 1}
    # the end still to come is not recorded yet: the period is open until that day
    run(ctx, f"{P[1]};Per Ek;SV_FORSTA_BESOK;2026-08-01;311;;MoV;2026-11-01;2026-12-01;B")
    assert step_clock(ctx, step).state is State.PAUSED
    run(ctx, f"{P[1]};Per Ek;SV_FORSTA_BESOK;2026-08-01;311;;MoV;2026-11-01;2026-11-10;B")
    clock = step_clock(ctx, step)
    assert clock.state is not State.PAUSED and clock.deadline == date(2026, 11, 8)  # 2026-10-30 + 9 days
    assert worklist.count_by_state(ctx) == {clock.state: 1}


def test_pvv_from_the_list_is_the_clinics_own_record(ctx):
    from app.cases import step_clock
    from app.guarantee import State
    run(ctx, f"{P[2]};Eva Ek;SV_FORSTA_BESOK;2026-09-01;311;;1;2026-10-01;;C")
    step = step_of(ctx, "C")
    clock = step_clock(ctx, step)
    assert clock.state is State.PVV and clock.pvv_since == date(2026, 10, 1)
    assert list_events(ctx, step)[1] == ("pvv", date(2026, 10, 1), None, {"source": "Klinik",
                                                                          "list_on": "2026-11-22"})
    # the national export reads it as PvV (Avvikelse 1) at the end of October
    from app.reports.months import Month
    from app.reports.source import Deviation, clock_rows
    with ctx.db.reading() as session:
        assert clock_rows(session, [step], Month(2026, 10), ctx.rules)[step].deviation is Deviation.PVV
    # the patient asked for care again on 2026-11-02: a new start with the full limit
    run(ctx, f"{P[2]};Eva Ek;SV_FORSTA_BESOK;2026-09-01;311;;1;2026-10-01;2026-11-02;C")
    clock = step_clock(ctx, step)
    assert clock.start == date(2026, 11, 2) and clock.deadline == date(2027, 1, 31)


def test_a_deviation_the_step_cannot_take_is_refused_naming_the_column(ctx):
    result = run(ctx, f"{P[3]};Bo Ek;PV_BEDOMNING;2026-11-20;311;;1;2026-11-21;;D",
                 f"{P[4]};Li Ek;SV_FORSTA_BESOK;2026-09-01;311;;2;2026-08-01;;E")
    assert result.created == 0
    problems = {(p.row, p.column): p.message for p in result.problems}
    assert problems[(2, "Avvikelse")].startswith("steget ") and "inga undantag" in problems[(2, "Avvikelse")]
    assert problems[(3, "Avvikelse från")] == "avvikelsen börjar 2026-08-01, före stegets startdatum 2026-09-01."


def test_a_list_period_that_clashes_with_one_the_case_worker_recorded_is_refused(ctx):
    from app.cases import start_pause
    from app.guarantee import PauseKind
    run(ctx, f"{P[5]};Ulf Ek;SV_FORSTA_BESOK;2026-09-01;311;;;;;F")
    step = step_of(ctx, "F")
    start_pause(ctx, step, date(2026, 10, 5), PauseKind.MOV, "inväntar provsvar")
    result = run(ctx, f"{P[5]};Ulf Ek;SV_FORSTA_BESOK;2026-09-01;311;;2;2026-10-10;;F")
    assert [(p.column, p.message) for p in result.problems] == [
        ("Avvikelse från", "avvikelsen går inte att föra in på klockan: det finns redan en pågående period med "
                           "medicinskt orsakad väntan.")]
    assert result.updated == 0 and len(list_events(ctx, step)) == 2


def test_a_list_that_moves_the_start_or_reopens_the_period_corrects_it_with_a_trace(ctx):
    from app.cases import step_clock, view_case
    from app.guarantee import State
    from db.audit import EventCorrection
    run(ctx, f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;;2;2026-10-01;2026-10-15;A")
    step = step_of(ctx, "A")
    # the clinic moves the start and gives the end as still to come: the start is corrected, the end taken back
    result = run(ctx, f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;;2;2026-10-03;2026-12-01;A")
    assert result.updated == 1 and not result.problems
    with ctx.db.reading() as session:
        corrections = [(c.old_on, c.new_on) for c in session.scalars(select(EventCorrection))]
        case_id = session.scalar(select(Step.case_id).where(Step.id == step))
    assert corrections == [(date(2026, 10, 1), date(2026, 10, 3))]
    events = list_events(ctx, step)
    assert [e[:2] for e in events] == [("start", date(2026, 9, 1)), ("pause_start", date(2026, 10, 3)),
                                       ("withdrawn", date(2026, 10, 15))]
    clock = step_clock(ctx, step)
    assert clock.state is State.PAUSED and clock.paused_since == date(2026, 10, 3)
    withdrawn = next(e for e in view_case(ctx, case_id).timeline if e.kind == "withdrawn")
    assert withdrawn.details["withdrawn"]["reason"] == "Perioden pågår enligt listan från Klinik (2026-11-22)."
    # and once more: nothing new
    assert run(ctx, f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;;2;2026-10-03;2026-12-01;A").unchanged == 1
    assert len(list_events(ctx, step)) == 3


def test_a_case_worker_can_still_correct_dates_on_a_step_with_pvv_from_the_list(ctx):
    from app.cases import Answer, make_offer, record_answer, record_contact, step_clock
    from app.corrections import correct_event_date
    run(ctx, f"{P[2]};Eva Ek;SV_FORSTA_BESOK;2026-09-01;311;;;;;C")
    step = step_of(ctx, "C")
    offer = make_offer(ctx, step, date(2026, 9, 10), date(2026, 9, 25), None, "Ortopeden", confirmed=True)
    record_answer(ctx, offer, date(2026, 9, 12), Answer.DECLINED)
    # the clinic's next list records the patient-chosen wait; the offer on the timeline is replayed with it
    assert not run(ctx, f"{P[2]};Eva Ek;SV_FORSTA_BESOK;2026-09-01;311;;1;2026-10-01;;C").problems
    contact = record_contact(ctx, step, date(2026, 9, 20), "telefon")
    correct_event_date(ctx, contact, date(2026, 9, 21), "fel dag")
    assert step_clock(ctx, step).pvv_since == date(2026, 10, 1)


def test_a_period_the_case_worker_took_back_is_not_brought_back_by_the_next_list(ctx):
    from app.cases import step_clock
    from app.withdraw import withdraw
    line = f"{P[1]};Per Ek;SV_FORSTA_BESOK;2026-08-01;311;;2;2026-11-01;;B"
    run(ctx, line)
    step = step_of(ctx, "B")
    with ctx.db.reading() as session:
        pause = session.scalar(select(CaseEvent.id).where(CaseEvent.step_id == step, CaseEvent.kind == "pause_start"))
    withdraw(ctx, pause, "fel i klinikens lista")
    assert step_clock(ctx, step).paused_since is None
    assert run(ctx, line).unchanged == 1
    assert step_clock(ctx, step).paused_since is None
