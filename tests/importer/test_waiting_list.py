"""Waiting-list import on a real SQLite file: created cases follow open_case's rules, re-import updates,
every malformed file gets a clear Swedish report and nothing is half-imported."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import cases, importer
from app.errors import InputError
from app.guarantee import ClockEvent, EventKind, evaluate
from app.identity import make_personnummer
from db.models import AccessLog, Case, CaseEvent, Patient, Step
from db.register import ImportLink
from tests.conftest import TODAY
from tests.importer.lists import HEADINGS, waiting_rows, write_csv

PNR = make_personnummer(date(1958, 3, 14), 421)
ROW = [f"{PNR[:8]}-{PNR[8:]}", "Åsa Öhman", "SV_FORSTA_BESOK", "2026-10-01", "311", "", "1280", "Ortopeden", "2",
       "R1", ""]


def count(ctx, model, *where) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def run(ctx, path: Path, source: str = "Ortopeden SUS", columns=None) -> importer.Result:
    table = importer.read_table(path)
    return importer.import_file(ctx, "waiting-list", path, columns or importer.guess_columns("waiting-list",
                                                                                           table.headings), source)


def test_import_creates_cases_like_open_case(ctx, tmp_path):
    result = run(ctx, write_csv(tmp_path / "lista.csv", [ROW]))
    assert (result.created, result.problems) == (1, [])
    with ctx.db.transaction() as session:
        patient = session.scalar(select(Patient))
        step = session.scalar(select(Step))
        case = session.scalar(select(Case))
        assert (patient.name, patient.sex, patient.home_region_code, patient.municipality_code) == \
            ("Åsa Öhman", "M", "12", "1280")
        assert (case.specialty_code, case.waiting_unit, case.medical_priority, case.version) == \
            ("311", "Ortopeden", "2", 1)
        expected = evaluate("SV_FORSTA_BESOK", [ClockEvent(EventKind.START, date(2026, 10, 1))], TODAY, ctx.rules)
        assert (step.deadline, step.akut_from, step.is_open) == (expected.deadline, expected.akut_from, True)
        assert session.scalars(select(CaseEvent.kind)).all() == ["start"]
        log = session.scalars(select(AccessLog).where(AccessLog.patient_id == patient.id)).all()
        assert [(entry.action, entry.case_id) for entry in log] == [("registrering", case.id)]
    # The imported case is an ordinary case: the services work on it.
    cases.record_contact(ctx, step.id, TODAY, "telefon")
    assert cases.step_clock(ctx, step.id).deadline == expected.deadline


def test_reimport_updates_instead_of_duplicating(ctx, tmp_path):
    rows = waiting_rows(200, TODAY)
    run(ctx, write_csv(tmp_path / "v1.csv", rows))
    rows[3][8] = "1"                       # priority changed by the clinic
    rows[4][1] = "Ny Namnsson"             # name corrected
    result = run(ctx, write_csv(tmp_path / "v2.csv", rows))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 198)
    assert count(ctx, Case) == 200 and count(ctx, Step) == 200 and count(ctx, Patient) == 200
    with ctx.db.transaction() as session:
        assert session.scalar(select(Case.medical_priority).join(ImportLink, ImportLink.step_id == Case.id)
                              .where(ImportLink.external_id == "R0000003")) == "1"
        assert session.scalar(select(Case.version).where(Case.medical_priority == "1").limit(1)) >= 1
        assert session.scalar(select(func.count()).where(Patient.name == "Ny Namnsson")) == 1
        changes = session.scalars(select(AccessLog.action).where(AccessLog.action == "ändring")).all()
    assert len(changes) == 2



def test_every_imported_patient_gets_a_sealed_access_log_row_with_user_and_action(ctx, tmp_path):
    from app.audit import chain

    known = cases.open_case(ctx, cases.NewPatient(PNR, "Åsa Öhman", "12"),
                            cases.NewCase("SV_FORSTA_BESOK", date(2026, 10, 1), "331"))  # another step, same patient
    rows = [ROW, *waiting_rows(5, TODAY)]
    result = run(ctx, write_csv(tmp_path / "lista.csv", rows), source="Ortopeden SUS")
    assert result.created == 6
    with ctx.db.transaction() as session:
        imported = session.execute(
            select(AccessLog.patient_id, AccessLog.case_id, AccessLog.user_id, AccessLog.action, AccessLog.row_hash)
            .where(AccessLog.detail == "import av väntelista Ortopeden SUS")).all()
        case_patients = dict(session.execute(select(Case.id, Case.patient_id).where(Case.id != known.case_id)).all())
        assert chain.verify(session).ok
    assert sorted(r.patient_id for r in imported) == sorted(case_patients.values())  # one row per patient
    assert all(case_patients[r.case_id] == r.patient_id and r.user_id == ctx.user_id and r.row_hash for r in imported)
    actions = {r.patient_id: r.action for r in imported}
    assert actions.pop(known.patient_id) == "ändring"  # a new case for a patient already in Lotsen
    assert set(actions.values()) == {"registrering"}

def test_reimport_without_referral_id_matches_on_patient_step_mvo_and_start(ctx, tmp_path):
    headings = [h for h in HEADINGS if h != "Remiss-id"]
    rows = [r[:9] + r[10:] for r in waiting_rows(30, TODAY)]
    run(ctx, write_csv(tmp_path / "v1.csv", rows, headings))
    result = run(ctx, write_csv(tmp_path / "v2.csv", rows, headings))
    assert (result.created, result.unchanged) == (0, 30)


def test_a_case_opened_by_hand_is_matched_too(ctx, tmp_path):
    cases.open_case(ctx, cases.NewPatient(PNR, "Åsa Öhman", "12"),
                    cases.NewCase("SV_FORSTA_BESOK", date(2026, 10, 1), "311"))
    result = run(ctx, write_csv(tmp_path / "lista.csv", [ROW]))
    assert (result.created, result.updated) == (0, 1)  # waiting unit and priority came with the list
    other_start = [*ROW[:3], "2026-10-05", *ROW[4:9], "R2", ""]
    result = run(ctx, write_csv(tmp_path / "lista2.csv", [other_start]), source="Annan källa")
    assert result.created == 0
    assert "redan ett öppet ärende" in result.problems[0].message


@pytest.mark.parametrize(("column", "value", "expected"), [
    (0, "19580314-4212", "kontrollsiffran stämmer inte"),
    (0, "", "värdet saknas"),
    (1, "", "värdet saknas"),
    (2, "FORSTA", "okänt steg"),
    (3, "2026-13-01", "datumet 2026-13-01 finns inte"),
    (3, "i går", "är inte ett datum"),
    (3, (TODAY + timedelta(days=1)).isoformat(), "ligger i framtiden"),
    (4, "999", "okänd MVO-kod (999)"),
    (5, "P001", "hör till verksamhetsområde 511"),
    (6, "9999", "okänd kommunkod"),
])
def test_bad_rows_are_rejected_with_row_column_and_reason(ctx, tmp_path, column, value, expected):
    good = waiting_rows(3, TODAY)
    bad = list(ROW)
    bad[column] = value
    result = run(ctx, write_csv(tmp_path / "lista.csv", [good[0], bad, good[1]]))
    [problem] = result.problems
    assert problem.row == 3 and problem.column == HEADINGS[column]
    assert expected in problem.message
    assert problem.text().startswith(f"Rad 3, kolumn ”{HEADINGS[column]}”:")
    assert result.created == 2 and count(ctx, Case) == 2


def test_duplicate_rows_are_rejected_and_named(ctx, tmp_path):
    rows = waiting_rows(3, TODAY)
    result = run(ctx, write_csv(tmp_path / "lista.csv", [rows[0], rows[1], rows[0]]))
    assert result.created == 2
    [problem] = result.problems
    assert (problem.row, problem.column) == (4, "Remiss-id")
    assert "dubblett av rad 2" in problem.message


@pytest.mark.parametrize("text", ["2026-10-01", "20261001", "261001", "1.10.2026", "01/10/2026", "2026/10/01",
                                  "2026-10-01 00:00:00", "01-10-2026"])
def test_common_date_formats(ctx, tmp_path, text):
    row = list(ROW)
    row[3] = text
    run(ctx, write_csv(tmp_path / "lista.csv", [row]))
    with ctx.db.transaction() as session:
        assert session.scalar(select(Step.started_on)) == date(2026, 10, 1)


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"),
                                                     ("utf-8", ","), ("cp1252", ","), ("utf-8-sig", "\t")])
def test_encodings_and_separators_keep_swedish_letters(ctx, tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "lista.csv", [ROW], encoding=encoding, delimiter=delimiter)
    table = importer.read_table(path)
    assert table.headings[5] == "Åtgärd" and table.rows[0][1] == "Åsa Öhman"
    assert table.delimiter == delimiter
    run(ctx, path)
    with ctx.db.transaction() as session:
        assert session.scalar(select(Patient.name)) == "Åsa Öhman"


def test_excel_file(ctx, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADINGS)
    row = list(ROW)
    row[3] = date(2026, 10, 1)  # a real Excel date cell
    row[4] = 311                # a number cell
    book.active.append(row)
    book.save(tmp_path / "lista.xlsx")
    result = run(ctx, tmp_path / "lista.xlsx")
    assert (result.created, result.problems) == (1, [])


def test_missing_column_stops_everything_with_the_columns_named(ctx, tmp_path):
    headings = [h for h in HEADINGS if h != "MVO"]
    rows = [[c for i, c in enumerate(r) if i != 4] for r in waiting_rows(5, TODAY)]
    path = write_csv(tmp_path / "lista.csv", rows, headings)
    with pytest.raises(InputError, match="saknar Verksamhetsområde \\(MVO\\)") as error:
        run(ctx, path)
    assert "ingenting har importerats" in error.value.message and "”Personnummer”" in error.value.message
    assert count(ctx, Case) == 0
    with pytest.raises(InputError, match="”Remissdatum X” \\(Remissdatum\\)"):
        run(ctx, write_csv(tmp_path / "lista.csv", waiting_rows(2, TODAY)),
            columns={**importer.guess_columns("waiting-list", HEADINGS), "referral_on": "Remissdatum X"})


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "filen är tom"),
    (b"\n\n", "filen är tom"),
    (b"Personnummer Namn Steg\n1 2 3\n", "bara en kolumn"),
    (b"Personnummer;;Steg\n1;2;3\n", "kolumn 2 på rad 1 saknar rubrik"),
    (b"Namn;namn\nA;B\n", "finns två gånger"),
    (b"Personnummer;Namn\n\x81\x8d;x\n", r"teckenkodning känns inte igen \(rad 2\)"),
    (b'Personnummer;Namn\n"abc;x\n', "citattecknen"),
])
def test_malformed_files(ctx, tmp_path, content, expected):
    path = tmp_path / "lista.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected):
        importer.read_table(path)


def test_old_excel_format_and_broken_xlsx(tmp_path):
    (tmp_path / "lista.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match="Excel-arbetsbok \\(.xlsx\\)"):
        importer.read_table(tmp_path / "lista.xls")
    (tmp_path / "trasig.xlsx").write_bytes(b"PK\x03\x04 inte en zip")
    with pytest.raises(InputError, match="Excel-filen kunde inte läsas: arkivet"):
        importer.read_table(tmp_path / "trasig.xlsx")


def test_row_with_too_many_values(ctx, tmp_path):
    path = tmp_path / "lista.csv"
    lines = [";".join(HEADINGS), ";".join(ROW), ";".join([*waiting_rows(1, TODAY)[0], "extra"])]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run(ctx, path)
    assert result.created == 1
    assert result.problems[0].row == 3 and "12 värden men filen har 11 kolumner" in result.problems[0].message


def test_rejected_rows_file_opens_in_excel_with_reasons(ctx, tmp_path):
    from openpyxl import load_workbook

    bad = list(ROW)
    bad[0] = "19580314-4212"
    result = run(ctx, write_csv(tmp_path / "lista.csv", [bad, waiting_rows(1, TODAY)[0]]))
    assert result.rejected_file == tmp_path / "lista-avvisade.xlsx"
    sheet = load_workbook(result.rejected_file).active
    values = list(sheet.values)
    assert values[0][:3] == ("Rad i filen", "Orsak", "Personnummer")
    assert values[1][0] == 2 and "Kolumn ”Personnummer”: kontrollsiffran stämmer inte" in values[1][1]
    assert values[1][3] == "Åsa Öhman"
    assert "1 avvisade" in result.summary()
    csv_path = importer.report.write_rejected(importer.read_table(tmp_path / "lista.csv"), result.problems,
                                              tmp_path / "avvisade.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbfRad i filen;Orsak;")


def test_a_storage_failure_leaves_nothing_half_imported(ctx, tmp_path, monkeypatch):
    from app.importer import waiting_list

    def failing(session, rows):  # the access log is written last, after every other table
        raise RuntimeError("disk borta")

    monkeypatch.setattr(waiting_list, "log_rows", failing)
    with pytest.raises(RuntimeError):
        run(ctx, write_csv(tmp_path / "lista.csv", waiting_rows(50, TODAY)))
    assert (count(ctx, Patient), count(ctx, Case), count(ctx, Step), count(ctx, CaseEvent)) == (0, 0, 0, 0)


def test_mapping_is_remembered_per_source(ctx):
    importer.save_mapping(ctx, "waiting-list", "Ortopeden SUS", {"id_number": "PNR", "name": "Patient", "x": "y"})
    importer.save_mapping(ctx, "waiting-list", "Ögon Lund", {"id_number": "Personnr"})
    assert importer.load_mapping(ctx, "waiting-list", "Ortopeden SUS") == {"id_number": "PNR", "name": "Patient"}
    assert importer.mapping_names(ctx, "waiting-list") == ["Ortopeden SUS", "Ögon Lund"]
    assert importer.load_mapping(ctx, "capacity", "Ortopeden SUS") is None


@pytest.mark.slow
def test_realistic_50000_row_waiting_list(ctx, tmp_path):
    rows = waiting_rows(50_000, TODAY)
    rows[100][0] = "19580314-4212"
    result = run(ctx, write_csv(tmp_path / "lista.csv", rows, encoding="cp1252"))
    assert (result.created, result.rejected_rows) == (49_999, 1)
    assert count(ctx, Case) == 49_999 and count(ctx, AccessLog, AccessLog.action == "registrering") == 49_999
    again = run(ctx, write_csv(tmp_path / "lista.csv", rows))
    assert (again.created, again.unchanged) == (0, 49_999)
