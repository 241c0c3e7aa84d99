"""Invariants of the guarantee clock over generated step histories."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.guarantee import ClockEvent, PauseKind, State, evaluate
from app.guarantee import EventKind as K
from app.rulebook import shipped_rule_book

BOOK = shipped_rule_book()
STEPS = ["SV_FORSTA_BESOK", "SV_BEHANDLING", "BUP_FORSTA", "PV_BEDOMNING"]
starts = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def histories(draw):
    """A start and a few non-overlapping MoV periods, the last possibly still open."""
    step = draw(st.sampled_from(STEPS))
    start = draw(starts)
    events = [ClockEvent(K.START, start)]
    cursor = start
    for _ in range(draw(st.integers(0, 3))):
        begin = cursor + timedelta(days=draw(st.integers(0, 60)))
        events.append(ClockEvent(K.PAUSE_START, begin, pause=PauseKind.MOV))
        if draw(st.booleans()):
            cursor = begin + timedelta(days=draw(st.integers(1, 60)))
            events.append(ClockEvent(K.PAUSE_END, cursor, pause=PauseKind.MOV))
        else:
            break
    return step, start, events


@settings(max_examples=300)
@given(histories(), st.integers(0, 900))
def test_deadline_never_before_start_plus_limit(history, offset):
    step, start, events = history
    clock = evaluate(step, events, start + timedelta(days=offset), BOOK)
    limit = BOOK.for_date(start).step(step).limit_days
    assert clock.deadline >= start + timedelta(days=limit)
    assert clock.deadline == start + timedelta(days=limit + clock.excluded_days)


@settings(max_examples=300)
@given(histories(), st.integers(0, 900))
def test_waited_never_negative_and_never_decreasing(history, offset):
    step, start, events = history
    today = start + timedelta(days=offset)
    a = evaluate(step, events, today, BOOK)
    b = evaluate(step, events, today + timedelta(days=1), BOOK)
    assert 0 <= a.waited <= b.waited <= a.waited + 1
    if b.state is not State.PAUSED:
        assert a.remaining - b.remaining in (0, 1)


@settings(max_examples=300)
@given(starts, st.integers(0, 120), st.integers(1, 200), st.integers(0, 400))
def test_a_mov_period_moves_the_deadline_by_its_length(start, lead, length, after):
    step = "SV_FORSTA_BESOK"
    begin = start + timedelta(days=lead)
    end = begin + timedelta(days=length)
    plain = evaluate(step, [ClockEvent(K.START, start)], end + timedelta(days=after), BOOK)
    paused = evaluate(
        step,
        [ClockEvent(K.START, start), ClockEvent(K.PAUSE_START, begin, pause=PauseKind.MOV),
         ClockEvent(K.PAUSE_END, end, pause=PauseKind.MOV)],
        end + timedelta(days=after),
        BOOK,
    )
    assert (paused.deadline - plain.deadline).days == length
    assert plain.waited - paused.waited == length


@settings(max_examples=200)
@given(histories(), st.integers(0, 900))
def test_event_order_in_the_input_does_not_matter(history, offset):
    step, start, events = history
    today = start + timedelta(days=offset)
    assert evaluate(step, events, today, BOOK) == evaluate(step, list(reversed(events)), today, BOOK)
