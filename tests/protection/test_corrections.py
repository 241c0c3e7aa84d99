"""Correcting a clock-relevant date: validated like a new event, the clock re-evaluated, the history kept and
shown on the case."""

from __future__ import annotations

import pytest

from app import cases
from app.corrections import correct_event_date
from app.errors import ConflictError, InputError
from app.guarantee import PauseKind, State
from tests.protection.helpers import D, open_case


def _event(view, kind):
    return next(e for e in view.timeline if e.kind == kind)


def test_a_corrected_start_date_moves_the_deadline_and_is_kept_in_the_history(ctx):
    opened = open_case(ctx)
    view = cases.view_case(ctx, opened.case_id)
    assert view.steps[0].clock.deadline == D("2026-12-30")
    correct_event_date(ctx, _event(view, "start").id, D("2026-09-20"), "Remissen utfärdades tidigare",
                       expected_version=view.version)
    view = cases.view_case(ctx, opened.case_id)
    assert view.steps[0].clock.deadline == D("2026-12-19")
    assert cases.step_clock(ctx, opened.step_id).start == D("2026-09-20")
    [history] = view.corrections
    assert (history.kind, history.old_on, history.new_on, history.by) == ("start", D("2026-10-01"), D("2026-09-20"),
                                                                           "Anna Lots")
    assert history.reason == "Remissen utfärdades tidigare" and history.at is not None


def test_a_corrected_pause_is_checked_like_a_new_one(ctx):
    opened = open_case(ctx)
    cases.start_pause(ctx, opened.step_id, D("2026-10-10"), PauseKind.MOV)
    cases.end_pause(ctx, opened.step_id, D("2026-10-20"), PauseKind.MOV)
    view = cases.view_case(ctx, opened.case_id)
    with pytest.raises(InputError, match="Nytt datum: med det datumet går tidslinjen inte ihop – slutdatum för "
                                         "pausen: det finns ingen pågående period"):
        correct_event_date(ctx, _event(view, "pause_end").id, D("2026-10-05"), "fel dag")
    with pytest.raises(InputError, match="i framtiden"):
        correct_event_date(ctx, _event(view, "pause_end").id, D("2026-12-01"), "fel dag")
    with pytest.raises(InputError, match="Orsak"):
        correct_event_date(ctx, _event(view, "pause_end").id, D("2026-10-25"), "  ")
    correct_event_date(ctx, _event(view, "pause_start").id, D("2026-10-02"), "Läkaren satte pausen tidigare")
    clock = cases.step_clock(ctx, opened.step_id)
    assert clock.state is State.OK and clock.deadline == D("2027-01-17")  # 18 paused days instead of 10
    assert len(cases.view_case(ctx, opened.case_id).corrections) == 1


def test_a_correction_on_an_old_view_is_refused(ctx):
    opened = open_case(ctx)
    view = cases.view_case(ctx, opened.case_id)
    cases.add_note(ctx, opened.case_id, "ringde")
    with pytest.raises(ConflictError):
        correct_event_date(ctx, _event(view, "start").id, D("2026-09-20"), "fel", expected_version=view.version)
    assert cases.view_case(ctx, opened.case_id).corrections == []
