"""The matching window on a real database: propose for the at-risk list, read the reasons, accept the ticked
proposals; the offers are made and the letter dialog opens on the offer letter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.changes import Change
from app.letters.kinds import LetterType
from db.models import CaseEvent
from tests.matching.test_service import waiting, world  # noqa: F401 - fixture
from tests.ui.helpers import answer_confirmation, when_modal
from ui.matching_window import MatchingWindow


def test_propose_read_the_reasons_and_accept(qtbot, ctx, world):  # noqa: F811
    overdue = waiting(ctx, 51, 95)
    waiting(ctx, 52, 70)
    window = MatchingWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.table.rowCount() == 2, timeout=10_000)
    assert window.table.item(0, 0).text() == "Patient 51"  # the most urgent first
    assert "har redan passerats; första lediga tid vecka" in window.reasons.toPlainText()
    assert not window.accept_button.isEnabled()
    window.table.item(0, 0).setCheckState(Qt.CheckState.Checked)
    assert window.accept_button.isEnabled()
    asked: list[str] = []
    told: list[Change] = []
    ctx.changes.connect(told.append)  # the worklist and open cases refresh from it
    answer_confirmation(seen=asked, attempts=400)
    qtbot.mouseClick(window.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(told) == 2, timeout=10_000)  # after the deadline: made only once confirmed
    assert told[-1] == Change(frozenset({overdue.case_id}), local=True)
    with ctx.db.reading() as session:  # past its deadline: made only as a confirmed offer
        details = session.scalars(select(CaseEvent.details).where(CaseEvent.kind == "offer")).all()
    assert [d.get("confirmed") for d in details] == [True]
    assert window.accepted_steps == [overdue.step_id]
    assert window.table.item(0, 0).text() == "Patient 51 – erbjudande gjort"
    assert window.summary.text().startswith("1 erbjudanden gjorda.")
    seen = []
    when_modal(lambda dialog: (seen.append((dialog.kind.currentData(), dialog.step_ids)), dialog.reject()))
    qtbot.mouseClick(window.letters_button, Qt.MouseButton.LeftButton)
    assert seen == [(LetterType.OFFER, [overdue.step_id])]
