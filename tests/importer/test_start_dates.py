"""Each step starts on its own legal date (DOMAIN.md §2): a clinic's list carries Remissdatum and Beslutsdatum side
by side, and the row's step decides which one starts its clock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app import importer
from app.errors import InputError
from app.guarantee import ClockEvent, EventKind, evaluate
from app.identity import make_personnummer
from app.importer.reading import read_csv_bytes
from db.models import Step
from tests.conftest import TODAY

HEAD = "Personnummer;Namn;Steg;Remissdatum;Beslutsdatum;Vårdbegäran;Måldatum;MVO"
P1, P2, P3, P4 = (make_personnummer(date(1950 + n, 2, 3), 20 + n) for n in range(4))


def table(*lines: str, head: str = HEAD) -> importer.Table:
    return read_csv_bytes("\n".join([head, *lines]).encode("cp1252"))


def run(ctx, t: importer.Table, columns: dict | None = None) -> importer.Result:
    return importer.import_table(ctx, "waiting-list", t, columns or importer.guess_columns("waiting-list",
                                                                                           t.headings), "Klinik")


def started(ctx) -> dict[str, tuple[date, date]]:
    with ctx.db.reading() as session:
        return {code: (start, deadline) for code, start, deadline in
                session.execute(select(Step.code, Step.started_on, Step.deadline))}


def test_the_guess_maps_every_date_column():
    columns = importer.guess_columns("waiting-list", HEAD.split(";"))
    assert (columns["referral_on"], columns["decision_on"], columns["request_on"], columns["target_date"]) == \
        ("Remissdatum", "Beslutsdatum", "Vårdbegäran", "Måldatum")
    assert "started_on" not in columns  # no column is taken as every step's start


def test_each_step_starts_on_its_own_date(ctx):
    result = run(ctx, table(f"{P1};Åsa Ek;SV_FORSTA_BESOK;2026-06-01;;;;311",
                            f"{P2};Örjan Ek;SV_BEHANDLING;2026-03-01;2026-07-15;;;311",
                            f"{P3};Märta Ek;ATERBESOK;;2026-08-01;;2026-12-01;311"))
    assert (result.created, result.problems) == (3, [])
    steps = started(ctx)
    expected = evaluate("SV_BEHANDLING", [ClockEvent(EventKind.START, date(2026, 7, 15))], TODAY, ctx.rules)
    assert steps["SV_BEHANDLING"] == (date(2026, 7, 15), expected.deadline)  # the decision, not the referral
    assert steps["SV_BEHANDLING"][1] == date(2026, 10, 13)
    assert steps["SV_FORSTA_BESOK"] == (date(2026, 6, 1), date(2026, 8, 30))
    assert steps["ATERBESOK"] == (date(2026, 8, 1), date(2026, 12, 1))


def test_a_first_visit_without_referral_starts_on_the_care_request(ctx):
    result = run(ctx, table(f"{P1};Åsa Ek;SV_FORSTA_BESOK;;;2026-05-20;;311"))
    assert result.created == 1 and started(ctx)["SV_FORSTA_BESOK"][0] == date(2026, 5, 20)


def test_a_row_whose_own_date_is_empty_is_refused_naming_the_column(ctx):
    result = run(ctx, table(f"{P1};Åsa Ek;SV_BEHANDLING;2026-03-01;;;;311",
                            f"{P2};Örjan Ek;SV_FORSTA_BESOK;;2026-07-15;;;311",
                            f"{P3};Märta Ek;SV_FORSTA_BESOK;2026-06-01;;;;311"))
    assert result.created == 1
    first, second = result.problems
    assert (first.row, first.column) == (2, "Beslutsdatum")
    assert first.message.startswith("värdet saknas: steget Operation/åtgärd startar på beslut om behandling")
    assert (second.row, second.column) == (3, "Remissdatum")
    assert "”Remissdatum” eller ”Vårdbegäran”" in second.message


def test_a_step_whose_column_is_not_mapped_is_refused_and_a_generic_start_column_serves(ctx):
    t = table(f"{P1};Åsa Ek;SV_BEHANDLING;2026-03-01;2026-07-15;;;311", head=HEAD.replace("Beslutsdatum", "Övrigt"))
    result = run(ctx, t)
    [problem] = result.problems
    assert problem.column == "Beslutsdatum" and "kolumnen är inte kopplad" in problem.message
    assert "Koppla kolumnen för Beslutsdatum" in problem.message
    columns = {**importer.guess_columns("waiting-list", t.headings), "started_on": "Övrigt"}
    assert run(ctx, t, columns).created == 1
    assert started(ctx)["SV_BEHANDLING"][0] == date(2026, 7, 15)


def test_a_list_without_any_start_date_column_is_refused_as_a_whole(ctx):
    t = table(f"{P1};Åsa Ek;SV_FORSTA_BESOK;311", head="Personnummer;Namn;Steg;MVO")
    with pytest.raises(InputError, match="ett startdatum \\(Remissdatum, Vårdbegäran mottagen, Beslutsdatum, "
                                         "Kontaktdatum eller Startdatum \\(alla steg\\)\\)"):
        run(ctx, t)


def test_756_treatment_rows_of_a_clinic_list_start_on_their_decision(ctx, tmp_path):
    from tests.importer.lists import HEADINGS, waiting_rows, write_csv

    rows = waiting_rows(1260, TODAY)  # 3 of 5 kinds are treatments: 756 rows
    path = write_csv(tmp_path / "lista.csv", rows, encoding="cp1252")
    result = importer.import_file(ctx, "waiting-list", path, importer.guess_columns("waiting-list", HEADINGS),
                                  "Klinik")
    assert (result.created, result.problems) == (1260, [])
    decisions = {r[9]: date.fromisoformat(r[10]) for r in rows if r[2] == "SV_BEHANDLING"}
    assert len(decisions) == 756
    from db.register import ImportLink

    with ctx.db.reading() as session:
        stored = dict(session.execute(select(ImportLink.external_id, Step.started_on)
                                      .join(Step, Step.id == ImportLink.step_id)
                                      .where(Step.code == "SV_BEHANDLING")).all())
    assert stored == decisions
