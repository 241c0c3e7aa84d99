"""Identity and idempotency of a clinic's list: the same file twice changes nothing, a duplicate is refused with
the same message every time, and a row that cannot be matched is refused alone, never failing the whole file."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import importer
from app.identity import make_personnummer
from db.models import AccessLog, Patient, Step
from db.register import ImportLink
from tests.conftest import TODAY
from tests.importer.lists import HEADINGS, waiting_rows, write_csv
from tests.importer.snapshot import snapshot


def run(ctx, path, source="Ortopeden SUS") -> importer.Result:
    return importer.import_file(ctx, "waiting-list", path, importer.guess_columns("waiting-list", HEADINGS), source)


def test_the_same_file_twice_changes_nothing(ctx, tmp_path):
    path = write_csv(tmp_path / "lista.csv", waiting_rows(120, TODAY), encoding="cp1252")
    first = run(ctx, path)
    assert (first.created, first.problems) == (120, [])
    before = snapshot(ctx, skip=("access_log",))
    with ctx.db.reading() as session:
        changes = session.scalar(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(1))
    again = run(ctx, path)
    assert (again.created, again.updated, again.unchanged, again.problems) == (0, 0, 120, [])
    assert snapshot(ctx, skip=("access_log",)) == before
    with ctx.db.reading() as session:  # the comparison itself is logged, as one list view, no patient changed
        actions = session.scalars(select(AccessLog.action).where(AccessLog.id > changes)).all()
    assert "ändring" not in actions and "registrering" not in actions


def test_a_duplicate_under_another_referral_id_is_refused_every_time_with_the_same_message(ctx, tmp_path):
    rows = waiting_rows(4, TODAY)
    twin = [*rows[1][:9], "R-ANNAN", rows[1][10]]  # the same patient's same step, another remiss-id
    path = write_csv(tmp_path / "lista.csv", [*rows, twin])
    messages = []
    for _ in range(3):
        result = run(ctx, path)
        [problem] = result.problems
        messages.append(problem.text())
    assert messages[0] == messages[1] == messages[2]
    assert messages[0].startswith("Rad 6, kolumn ”Personnummer”: dubblett av rad 3, remiss-id R0000001: samma "
                                  "patient, steg och verksamhetsområde")
    assert "ärende 0" not in messages[0]
    # Alone in a later list, the twin is refused naming the real case and its remiss-id.
    result = run(ctx, write_csv(tmp_path / "bara.csv", [twin]))
    [problem] = result.problems
    with ctx.db.reading() as session:
        case_id = session.scalar(select(Step.case_id).join(ImportLink, ImportLink.step_id == Step.id)
                                 .where(ImportLink.external_id == "R0000001"))
        assert session.scalar(select(ImportLink.id).where(ImportLink.external_id == "R-ANNAN")) is None
    assert f"(ärende {case_id}, remiss-id R0000001)" in problem.message
    assert result.created == 0 and result.unchanged == 0


def test_a_corrected_personnummer_under_a_known_referral_id_refuses_that_row_only(ctx, tmp_path):
    rows = waiting_rows(3, TODAY)
    run(ctx, write_csv(tmp_path / "v1.csv", rows))
    corrected = [make_personnummer(date(1961, 5, 5), 77), *rows[0][1:]]
    corrected[0] = f"{corrected[0][:8]}-{corrected[0][8:]}"
    newcomer = waiting_rows(4, TODAY)[3]
    result = run(ctx, write_csv(tmp_path / "v2.csv", [corrected, rows[1], rows[2], newcomer]))
    assert (result.created, result.unchanged) == (1, 2)  # the valid new row is not thrown away
    [problem] = result.problems
    with ctx.db.reading() as session:
        case_id = session.scalar(select(Step.case_id).join(ImportLink, ImportLink.step_id == Step.id)
                                 .where(ImportLink.external_id == "R0000000"))
        assert session.scalar(select(Patient.id).where(Patient.id_number == corrected[0].replace("-", ""))) is None
    assert (problem.row, problem.column) == (2, "Personnummer")
    assert problem.message.startswith(f"remiss-id R0000000 hör i Lotsen till en annan patient (ärende {case_id})")


def test_a_referral_id_moved_to_another_patient_in_the_same_list_is_refused(ctx, tmp_path):
    rows = waiting_rows(2, TODAY)
    run(ctx, write_csv(tmp_path / "v1.csv", rows))
    swapped = [[*rows[1][:9], rows[0][9], rows[1][10]]]  # patient 2's row now carries patient 1's remiss-id
    result = run(ctx, write_csv(tmp_path / "v2.csv", swapped))
    [problem] = result.problems
    assert "remiss-id R0000000 hör i Lotsen till en annan patient" in problem.message
    with ctx.db.reading() as session:
        assert session.scalar(select(Patient.name).where(Patient.id_number == rows[0][0].replace("-", ""))) == \
            rows[0][1]
