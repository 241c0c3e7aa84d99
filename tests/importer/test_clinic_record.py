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
