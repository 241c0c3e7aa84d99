"""The granskare's review: filters, stickprov with a note, unusual access, loggutdrag as PDF; and the windows."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select, text

from app import cases
from app.audit import extract, review
from app.context import sign_in
from app.errors import InputError
from app.identity import display_id
from app.roles import Role
from app.users import set_role
from db.audit import AuditReview
from tests.protection.helpers import open_case
from ui.log_review_window import LogReviewWindow


@pytest.fixture
def world(ctx):
    """Anna works Karin Berg's case; Bo Berg (same surname) and Bo reading Sven Ek (not his case, same address)."""
    karin = open_case(ctx)
    sven = open_case(ctx, "Sven Ek", date(1970, 5, 5), 123, street="Lilla gatan 3")
    bo = sign_in(ctx.db, "bo.berg", "Bo Berg")
    with ctx.db.transaction() as session:
        session.execute(text("UPDATE app_user SET street = 'Lilla Gatan 3', postal_code = '21134' WHERE login = 'bo.berg'"))
    cases.view_case(bo, karin.case_id)
    cases.view_case(bo, sven.case_id)
    greta = sign_in(ctx.db, "greta.granskare", "Greta Granskare")
    set_role(ctx, greta.user_id, Role.GRANSKARE)
    greta = sign_in(ctx.db, "greta.granskare")
    greta.today = ctx.today
    return {"karin": karin, "sven": sven, "bo": bo, "greta": greta}


def test_filter_by_user_patient_and_period(world, ctx):
    greta = world["greta"]
    total, rows = review.search(greta, review.LogFilter(user_id=world["bo"].user_id))
    assert total == 2 and {r.patient_name for r in rows} == {"Karin Berg", "Sven Ek"}
    karin_number = rows[-1].id_number if rows[-1].patient_name == "Karin Berg" else rows[0].id_number
    total, rows = review.search(greta, review.LogFilter(patient=display_id(karin_number)))
    assert total == 2 and {r.user for r in rows} == {"Anna Lots", "Bo Berg"}
    today = date.today()
    # 4 accesses to patients and the 2 searches above: every review is logged too
    assert review.search(greta, review.LogFilter(since=today, until=today))[0] == 6
    assert review.search(greta, review.LogFilter(until=date(2020, 1, 1)))[0] == 0
    with pytest.raises(InputError, match="Period"):
        review.search(greta, review.LogFilter(since=today, until=date(2020, 1, 1)))


def test_a_sample_is_drawn_and_each_row_reviewed_with_a_note(world):
    greta = world["greta"]
    name, rows = review.draw_sample(greta, review.LogFilter(), 3, seed=1)
    assert name.startswith("stickprov") and len(rows) == 3 and len({r.id for r in rows}) == 3
    with pytest.raises(InputError, match="beskriv avvikelsen"):
        review.record_review(greta, rows[0].id, review.Outcome.QUESTIONED, " ")
    review.record_review(greta, rows[0].id, review.Outcome.QUESTIONED, "Frågat Bo varför", name)
    with greta.db.transaction() as session:
        saved = session.scalars(select(AuditReview)).one()
        assert (saved.sample, saved.note, saved.reviewer_id) == (name, "Frågat Bo varför", greta.user_id)
    reviewed = {r.id: r.review for r in review.search(greta, review.LogFilter())[1]}
    assert reviewed[rows[0].id] == "avvikelse" and reviewed[rows[1].id] is None


def test_unusual_access_names_the_reasons(world):
    found = {(u.user, u.patient_name): u.reasons for u in review.unusual_access(world["greta"])}
    assert found[("Bo Berg", "Karin Berg")] == ("patienten har inget ärende som är tilldelat användaren",
                                                 "samma efternamn som användaren")
    assert found[("Bo Berg", "Sven Ek")] == ("patienten har inget ärende som är tilldelat användaren",
                                              "samma adress som användaren")
    assert ("Anna Lots", "Karin Berg") not in found  # her own case


def test_a_log_extract_as_pdf(world, tmp_path):
    made = extract.patient_extract(world["greta"], "19580314-4210")
    pdf = extract.write_pdf(made, tmp_path / "loggutdrag.pdf", date(2026, 11, 22))
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "Loggutdrag – åtkomst till dina uppgifter i Lotsen" in words
    assert "Karin Berg, 19580314-4210" in words
    assert words.count("Anna Lots") == 1 and words.count("Bo Berg") == 1
    assert "Registrerade ett nytt ärende" in words and "Läste ärendet" in words
    assert "Tiderna är svensk tid" in words and "UTC" not in words
    for row in made.rows:  # Stockholm time, not the log's UTC
        assert extract.local_time(row.at) in words
        assert row.at.astimezone(extract.LOCAL_TIME).utcoffset().total_seconds() in (3600, 7200)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path.parent / "extract")],
                   check=True)


def test_the_review_window(qtbot, qtmodeltester, world, tmp_path):
    window = LogReviewWindow(world["greta"])
    qtbot.addWidget(window)
    qtmodeltester.check(window.log_model)
    assert window.log_model.rowCount() == 4 and window.summary.text() == "4 loggrader"
    window.user.setCurrentIndex(window.user.findText("Bo Berg"))
    qtbot.mouseClick(window.search_button, Qt.MouseButton.LeftButton)
    assert window.log_model.rowCount() == 2
    window.sample_size.setValue(1)
    qtbot.mouseClick(window.sample_button, Qt.MouseButton.LeftButton)
    assert window.log_model.rowCount() == 1 and "Stickprov" in window.summary.text()
    window.log_view.selectRow(0)
    window.note.setPlainText("Bo har ringt för Annas räkning, befogat")
    qtbot.mouseClick(window.save_review, Qt.MouseButton.LeftButton)
    assert window.log_model.index(0, 6).data() == "Befogad åtkomst"
    window.patient.setText("19580314-4210")
    window.user.setCurrentIndex(0)
    assert window.make_extract(tmp_path / "utdrag.pdf").exists()
    window.show()
    window.grab().save(str(tmp_path.parent / "log_review.png"))
    window.tabs.setCurrentIndex(1)
    qtmodeltester.check(window.unusual_model)
    # Bo's two, and Greta's own loggutdrag: she read Karin's data without a case of hers (logged like any access)
    assert sorted(u.user for u in window.unusual_model.rows) == ["Bo Berg", "Bo Berg", "Greta Granskare"]
    window.grab().save(str(tmp_path.parent / "log_review_unusual.png"))
