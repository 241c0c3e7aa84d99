"""The case window: "Rätta datum…" with its history on the case, and a concurrent edit told and reloaded."""

from __future__ import annotations

from app import cases
from app.context import sign_in
from app.database import open_database
from tests.conftest import TODAY
from tests.protection.helpers import D, open_case
from tests.ui.helpers import save_form, settled
from ui import case_window
from ui.case_window import CaseWindow


def test_correct_a_date_and_see_the_history(qtbot, ctx, tmp_path):
    opened = open_case(ctx)
    window = settled(CaseWindow(ctx, opened.case_id))
    qtbot.addWidget(window)
    assert window.history_box.isHidden()
    start = next(e for e in window.view.timeline if e.kind == "start")
    save_form({"event": start.id, "on": D("2026-09-25"), "reason": "Remissdatum enligt remissen"})
    window.actions_by_key["correct_date"].trigger()
    settled(window)
    assert window.view.steps[0].clock.start == D("2026-09-25")
    assert not window.history_box.isHidden()
    row = [window.history.item(0, c).text() for c in range(6)]
    assert row[1:] == ["Anna Lots", "Klockan startar", "2026-10-01", "2026-09-25", "Remissdatum enligt remissen"]
    window.resize(1100, 760)
    window.show()
    window.grab().save(str(tmp_path.parent / "case_history.png"))


def test_a_concurrent_edit_is_told_and_the_current_data_shown(qtbot, ctx, db_path, monkeypatch):
    opened = open_case(ctx)
    window = settled(CaseWindow(ctx, opened.case_id))
    qtbot.addWidget(window)
    shown = window.view.version
    db = open_database(db_path)
    other = sign_in(db, "bo.lots", "Bo Lots")
    other.today = lambda: TODAY
    cases.add_note(other, opened.case_id, "Bo ringde patienten")
    db.close()
    seen: list[str] = []
    monkeypatch.setattr(case_window, "show_error", lambda _parent, exc: seen.append(exc.message))
    save_form({"text": "Anna skriver samtidigt"})
    window.actions_by_key["note"].trigger()
    settled(window)
    assert len(seen) == 1 and "ändrats av någon annan" in seen[0]
    notes = [e.details["text"] for e in window.view.timeline if e.kind == "note"]
    assert notes == ["Bo ringde patienten"] and window.view.version > shown
