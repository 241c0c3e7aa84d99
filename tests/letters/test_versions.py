"""A letter changes its case (#6): it is written only when the case is as the user saw it; otherwise the case
window's conflict message, and nothing of that letter is written."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import func, select

import ui.letters_dialog as module
from app import cases, letters
from app.letters import LABEL, LetterType
from db.models import CaseEvent
from tests.letters.scenario import build
from tests.ui.helpers import settled
from ui.letters_dialog import LettersDialog

SHOTS = Path(os.environ.get("LOTSEN_SHOTS", "/tmp"))


def letter_events(ctx, case_id: int) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(CaseEvent)
                              .where(CaseEvent.case_id == case_id, CaseEvent.kind == "letter"))


def test_a_letter_bumps_the_version_and_a_stale_one_writes_nothing(ctx, second):
    s = build(ctx)
    offered, shown = s.offer.case_id, cases.view_case(ctx, s.offer.case_id).version
    prepared = letters.prepare(ctx, LetterType.OFFER, [s.offer.step_id])
    assert prepared.versions == {offered: shown}
    cases.add_note(second, offered, "Bo ringde patienten")  # after the preview, before the letter
    result = letters.generate(ctx, LetterType.OFFER, [s.offer.step_id], expected_versions=prepared.versions)
    assert result.letters == [] and len(result.conflicts) == 1
    assert "ändrats av någon annan" in result.conflicts[0].message
    assert [(k.case_id, k.conflict) for k in result.skipped] == [(offered, True)]
    assert letter_events(ctx, offered) == 0
    assert not list(letters.archive_folder(ctx).rglob("*.pdf"))  # the written PDF is not left behind
    current = cases.view_case(ctx, offered).version
    result = letters.generate(ctx, LetterType.OFFER, [s.offer.step_id], expected_versions={offered: current})
    assert len(result.letters) == 1 and letter_events(ctx, offered) == 1
    assert cases.view_case(ctx, offered).version > current  # the letter changed the case


def test_the_dialog_says_when_someone_else_saved_the_case(ctx, second, qtbot, monkeypatch):
    s = build(ctx)
    offered = s.offer.case_id
    dialog = LettersDialog(ctx, [s.offer.step_id],
                           expected_versions={offered: cases.view_case(ctx, offered).version})
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findText(LABEL[LetterType.OFFER]))
    seen: list[str] = []
    monkeypatch.setattr(module, "show_error", lambda _parent, exc: seen.append(exc.message))
    cases.add_note(second, offered, "Bo ringde patienten")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    settled(dialog)  # the batch runs off the UI thread
    assert len(seen) == 1 and "ändrats av någon annan" in seen[0]  # the case window's message
    assert dialog.status.text().startswith("Inga brev skapades") and letter_events(ctx, offered) == 0
    assert dialog.create_button.isEnabled() and not dialog.print_button.isEnabled()
    dialog.show()
    dialog.grab().save(str(SHOTS / "letters_dialog_conflict.png"))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)  # on the preview read again
    settled(dialog)  # the batch runs off the UI thread
    assert len(seen) == 1 and "Klart: 1 brev" in dialog.status.text() and letter_events(ctx, offered) == 1
