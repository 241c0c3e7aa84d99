"""A whole list reconciles (DOMAIN.md §8): what changed is updated with a note on the timeline, what is new is
added, and every open step of the source missing from the new list goes on "Saknas i senaste listan" for a case
worker to close with a reason or keep with a note. Nothing is closed or deleted by the import."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import cases, importer, worklist
from app.errors import InputError, PermissionDenied
from app.importer import reconcile
from db.models import AccessLog, CaseEvent, Step
from db.register import ImportLink, ListReview
from tests.conftest import TODAY
from tests.importer.lists import HEADINGS, waiting_rows, write_csv

SOURCE = "Ortopeden SUS"


def run(ctx, tmp_path, rows, name="lista.csv", whole_list=None) -> importer.Result:
    return importer.import_file(ctx, "waiting-list", write_csv(tmp_path / name, rows),
                                importer.guess_columns("waiting-list", HEADINGS), SOURCE, whole_list=whole_list)


def step_of(ctx, external_id: str) -> int:
    with ctx.db.reading() as session:
        return session.scalar(select(ImportLink.step_id).where(ImportLink.external_id == external_id))


def notes(ctx, step_id: int) -> list[str]:
    with ctx.db.reading() as session:
        return [d["text"] for d in session.scalars(select(CaseEvent.details).where(
            CaseEvent.step_id == step_id, CaseEvent.kind == "note").order_by(CaseEvent.id))]


def test_a_whole_list_counts_new_changed_unchanged_missing_and_refused(ctx, tmp_path):
    importer.save_mapping(ctx, "waiting-list", SOURCE, importer.guess_columns("waiting-list", HEADINGS),
                          whole_list=True)
    rows = waiting_rows(10, TODAY)
    first = run(ctx, tmp_path, rows)
    assert (first.created, first.missing) == (10, 0)
    later = [list(r) for r in rows[:7]] + waiting_rows(12, TODAY)[10:]  # 3 gone, 2 new
    later[0][8] = "1" if later[0][8] != "1" else "2"                     # a changed priority
    later.append([*rows[8][:3], "i går", *rows[8][4:]])                  # a refused row, still in the list
    result = run(ctx, tmp_path, later, "v2.csv")
    assert (result.created, result.updated, result.unchanged, result.missing, result.rejected_rows) == \
        (2, 1, 6, 2, 1)
    assert "2 öppna steg saknas i listan" in result.summary()
    review = reconcile.review_list(ctx)
    assert [r.step_id for r in review] == [step_of(ctx, "R0000007"), step_of(ctx, "R0000009")]
    assert {r.list_on for r in review} == {TODAY} and {r.source for r in review} == {SOURCE}
    # nothing closed by the import, and a trace on each timeline
    with ctx.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Step).where(Step.is_open)) == 12
    assert notes(ctx, step_of(ctx, "R0000007")) == [f"Saknas i senaste listan från {SOURCE} ({TODAY})."]
    assert notes(ctx, step_of(ctx, "R0000000"))[0].startswith(f"Ändrat enligt listan från {SOURCE}: "
                                                               "Medicinsk prioritet ")
    # the worklist filters the review list, and the start-up summary counts it
    assert set(worklist.open_step_ids(ctx, worklist.Filter(missing_from_list=True))) == {r.step_id for r in review}
    counts = {label: n for label, _, n in worklist.summary_counts(ctx)}
    assert counts["Saknas i senaste listan"] == 2
    # the same list again: nothing new on the review list, the same count
    again = run(ctx, tmp_path, later, "v2.csv")
    assert (again.created, again.updated, again.missing) == (0, 0, 2)
    assert len(reconcile.review_list(ctx)) == 2
    # a step back in a later list leaves the review list, noted
    back = run(ctx, tmp_path, [*later, rows[7]], "v3.csv")
    assert back.missing == 1
    assert notes(ctx, step_of(ctx, "R0000007"))[-1] == f"Åter i listan från {SOURCE} ({TODAY})."
    assert [r.step_id for r in reconcile.review_list(ctx)] == [step_of(ctx, "R0000009")]


def test_a_list_not_marked_whole_leaves_missing_steps_alone(ctx, tmp_path):
    rows = waiting_rows(5, TODAY)
    run(ctx, tmp_path, rows)
    result = run(ctx, tmp_path, rows[:2], "v2.csv")
    assert result.missing is None and reconcile.review_list(ctx) == []
    assert "saknas" not in result.summary()


def test_closing_with_a_reason_or_keeping_with_a_note(ctx, tmp_path):
    rows = waiting_rows(4, TODAY)
    run(ctx, tmp_path, rows, whole_list=True)
    run(ctx, tmp_path, rows[:1], "v2.csv", whole_list=True)
    done, struck, kept = reconcile.review_list(ctx)
    with pytest.raises(InputError, match="skriv varför steget behålls"):
        reconcile.resolve(ctx, kept.id, reconcile.KEEP, TODAY)
    with pytest.raises(InputError, match="välj genomförd"):
        reconcile.resolve(ctx, kept.id, "borta", TODAY)
    reconcile.resolve(ctx, done.id, "genomford", TODAY - timedelta(days=1))
    reconcile.resolve(ctx, struck.id, "struken", TODAY, "Patienten struken av kliniken.")
    reconcile.resolve(ctx, kept.id, reconcile.KEEP, TODAY, "Kliniken har tappat remissen; ringer dem.")
    with pytest.raises(InputError, match="redan hanterat"):
        reconcile.resolve(ctx, kept.id, "struken", TODAY)
    assert reconcile.review_list(ctx) == []
    timeline = {e.kind for e in cases.view_case(ctx, done.case_id).timeline}
    assert "completed" in timeline
    assert cases.view_case(ctx, struck.case_id).timeline[-1].kind == "closed"
    with ctx.db.reading() as session:
        assert session.get(Step, kept.step_id).is_open and not session.get(Step, struck.step_id).is_open
        resolved = session.scalars(select(ListReview).order_by(ListReview.id)).all()
        assert [r.resolution for r in resolved] == ["genomford", "struken", "behalls"]
        assert all(r.resolved_by == ctx.user_id and r.resolved_at for r in resolved)
        logged = session.scalars(select(AccessLog.patient_id).where(AccessLog.case_id == kept.case_id,
                                                                    AccessLog.action == "ändring")).all()
    assert logged  # the keep decision is a change of the patient's case, in the access log
    assert notes(ctx, kept.step_id)[-1].endswith("Behålls. Kliniken har tappat remissen; ringer dem.")
    # a list without the steps does not put the closed ones on the review list again
    assert run(ctx, tmp_path, rows[:1], "v3.csv", whole_list=True).missing == 1


def test_a_reviewer_cannot_resolve(ctx, tmp_path):
    from dataclasses import replace

    rows = waiting_rows(2, TODAY)
    run(ctx, tmp_path, rows, whole_list=True)
    run(ctx, tmp_path, rows[:1], "v2.csv", whole_list=True)
    [item] = reconcile.review_list(ctx)
    reviewer = replace(ctx, role="granskare")
    with pytest.raises(PermissionDenied):
        reconcile.resolve(reviewer, item.id, "struken", TODAY)


def test_the_command_line_takes_the_whole_list_setting(tmp_path, capsys):
    from app.context import sign_in
    from app.database import open_database
    from ui.cli import main

    db_path = tmp_path / "lotsen.sqlite"
    rows = waiting_rows(6, TODAY)
    args = ["import", "--db", str(db_path), "--kind", "waiting-list", "--mapping", SOURCE]
    assert main([*args, "--whole-list", str(write_csv(tmp_path / "v1.csv", rows))]) == 0
    capsys.readouterr()
    assert main([*args, str(write_csv(tmp_path / "v2.csv", rows[:4]))]) == 0  # the mapping remembers it
    assert "2 öppna steg saknas i listan" in capsys.readouterr().out
    db = open_database(db_path)
    assert importer.is_whole_list(sign_in(db, "kontroll"), "waiting-list", SOURCE)
    db.close()


def test_a_name_the_list_corrects_is_found_by_the_search_at_once(ctx, tmp_path):
    rows = waiting_rows(3, TODAY)
    run(ctx, tmp_path, rows)
    renamed = [list(r) for r in rows]
    renamed[1][1] = "Zoë Sjöqvist"
    assert run(ctx, tmp_path, renamed, "v2.csv").updated == 1
    step_id = step_of(ctx, renamed[1][9])
    for typed in ("Zoë Sjöqvist", "sjoqvist zoe"):  # the stored search form follows the name (db.models.search_form)
        assert worklist.open_step_ids(ctx, worklist.Filter(text=typed)) == [step_id]
