"""DOMAIN.md §2.4: the worked examples, and the rule-set, warning and flag rules around them."""

from __future__ import annotations

from datetime import date

import pytest

from app.guarantee import (
    Answer,
    ClockEvent,
    Flag,
    InputError,
    PauseKind,
    PvvCondition,
    PvvRefused,
    RuleError,
    State,
    check_new_event,
    check_pvv,
    evaluate,
    parse_rule_set,
)
from app.guarantee import (
    EventKind as K,
)
from app.rulebook import shipped_rule_book

BOOK = shipped_rule_book()
D = date.fromisoformat
SV = "SV_FORSTA_BESOK"


def ev(kind: K, on: str, **kw) -> ClockEvent:
    return ClockEvent(kind, D(on), **kw)


def referral(on: str = "2026-01-10") -> list[ClockEvent]:
    return [ev(K.START, on)]


def test_example_1_deadline_and_met_on_the_day():
    clock = evaluate(SV, referral(), D("2026-01-10"), BOOK)
    assert clock.deadline == D("2026-04-10")
    assert evaluate(SV, [*referral(), ev(K.COMPLETED, "2026-04-10")], D("2026-05-01"), BOOK).met is True
    late = evaluate(SV, [*referral(), ev(K.COMPLETED, "2026-04-11")], D("2026-05-01"), BOOK)
    assert late.met is False and late.state is State.CLOSED and late.stopped_on == D("2026-04-11")


def test_example_2_mov_moves_the_deadline():
    events = [*referral(), ev(K.PAUSE_START, "2026-02-01", pause=PauseKind.MOV),
              ev(K.PAUSE_END, "2026-02-15", pause=PauseKind.MOV)]
    clock = evaluate(SV, events, D("2026-03-01"), BOOK)
    assert clock.deadline == D("2026-04-24")
    assert clock.excluded_days == 14
    assert clock.waited == (D("2026-03-01") - D("2026-01-10")).days - 14


def test_open_mov_stops_the_clock_and_shows_paused():
    events = [*referral(), ev(K.PAUSE_START, "2026-02-01", pause=PauseKind.MOV)]
    a = evaluate(SV, events, D("2026-03-01"), BOOK)
    b = evaluate(SV, events, D("2026-06-01"), BOOK)
    assert a.state is b.state is State.PAUSED
    assert a.waited == b.waited == 22
    assert a.remaining == b.remaining


def example_3_events() -> list[ClockEvent]:
    return [
        *referral(),
        ev(K.INFORMED, "2026-02-20"),
        ev(K.OFFER, "2026-02-25", appointment=D("2026-03-20")),
        ev(K.ANSWER, "2026-03-03", appointment=D("2026-03-20"), answer=Answer.DECLINED),
    ]


def test_example_3_pvv_then_restart_with_full_limit():
    events = example_3_events()
    check_pvv(SV, events, D("2026-03-03"), BOOK)  # all three conditions on record
    events.append(ev(K.PVV, "2026-03-03"))
    during = evaluate(SV, events, D("2026-04-20"), BOOK)
    assert during.state is State.PVV and during.pvv_since == D("2026-03-03")
    assert not during.flags  # PvV steps are shown as such, not as warnings
    check_new_event(SV, events, ev(K.RESTART, "2026-05-05"), D("2026-05-05"), BOOK)
    events.append(ev(K.RESTART, "2026-05-05"))
    after = evaluate(SV, events, D("2026-05-06"), BOOK)
    assert after.start == D("2026-05-05")
    assert after.deadline == D("2026-08-03")
    assert after.waited == 1 and after.state is State.OK
    assert after.restarts == (D("2026-05-05"),) and after.first_start == D("2026-01-10")


def test_example_4_pvv_refused_without_information():
    events = [e for e in example_3_events() if e.kind is not K.INFORMED]
    with pytest.raises(PvvRefused) as refused:
        check_pvv(SV, events, D("2026-03-03"), BOOK)
    assert refused.value.missing == (PvvCondition.INFORMED,)
    assert "informerats om vårdgarantin" in refused.value.message


def test_example_5_decline_of_a_late_appointment_is_not_pvv():
    events = [
        *referral(),
        ev(K.INFORMED, "2026-02-20"),
        ev(K.OFFER, "2026-02-25", appointment=D("2026-04-20")),  # after the 2026-04-10 deadline
        ev(K.ANSWER, "2026-03-03", appointment=D("2026-04-20"), answer=Answer.DECLINED),
    ]
    with pytest.raises(PvvRefused) as refused:
        check_pvv(SV, events, D("2026-03-03"), BOOK)
    assert PvvCondition.OFFERED in refused.value.missing
    assert "2026-04-10" in refused.value.message
    later = evaluate(SV, events, D("2026-04-12"), BOOK)
    assert later.state is State.OVERDUE and later.waited == 92  # the clock ran on


def test_example_6_leap_year():
    assert evaluate("SV_BEHANDLING", [ev(K.START, "2028-01-15")], D("2028-01-15"), BOOK).deadline == D("2028-04-14")


def test_example_7_missing_notice_flag_from_day_15():
    assert Flag.NO_NOTICE not in evaluate(SV, referral(), D("2026-01-24"), BOOK).flags
    assert Flag.NO_NOTICE in evaluate(SV, referral(), D("2026-01-25"), BOOK).flags
    noticed = [*referral(), ev(K.NOTICE, "2026-01-20")]
    assert Flag.NO_NOTICE not in evaluate(SV, noticed, D("2026-01-25"), BOOK).flags


def test_no_contact_flag_after_the_active_waiting_interval():
    events = [*referral(), ev(K.NOTICE, "2026-01-12"), ev(K.CONTACT, "2026-02-01")]
    assert Flag.NO_CONTACT not in evaluate(SV, events, D("2026-04-01"), BOOK).flags  # 59 days
    assert Flag.NO_CONTACT in evaluate(SV, events, D("2026-04-02"), BOOK).flags      # 60 days


@pytest.mark.parametrize(
    ("today", "state"),
    [("2026-03-10", State.OK), ("2026-03-11", State.RISK), ("2026-03-27", State.AKUT),
     ("2026-04-10", State.AKUT), ("2026-04-11", State.OVERDUE)],
)
def test_states_of_a_90_day_step(today, state):
    # risk at 60 days waited (2026-03-11), akut at 14 days remaining (2026-03-27), overdue after the deadline
    assert evaluate(SV, referral(), D(today), BOOK).state is state


def test_states_of_a_30_day_bup_step():
    start = [ev(K.START, "2026-03-01")]
    assert evaluate("BUP_FORSTA", start, D("2026-03-20"), BOOK).state is State.OK
    assert evaluate("BUP_FORSTA", start, D("2026-03-21"), BOOK).state is State.RISK   # 20 waited
    assert evaluate("BUP_FORSTA", start, D("2026-03-24"), BOOK).state is State.AKUT   # 7 remaining
    assert evaluate("BUP_FORSTA", start, D("2026-04-01"), BOOK).state is State.OVERDUE


def test_escalation_bands():
    assert evaluate(SV, referral(), D("2026-06-09"), BOOK).band is None   # 150 days: not more than 150
    assert evaluate(SV, referral(), D("2026-06-10"), BOOK).band == 150
    assert evaluate(SV, referral(), D("2027-01-11"), BOOK).band == 365
    assert evaluate(SV, referral(), D("2028-01-11"), BOOK).band == 730


def test_rule_set_in_force_on_the_start_date_governs():
    old = evaluate("PV_BEDOMNING", [ev(K.START, "2018-12-30")], D("2019-01-02"), BOOK)
    new = evaluate("PV_BEDOMNING", [ev(K.START, "2019-01-02")], D("2019-01-02"), BOOK)
    assert (old.rule_set, old.deadline) == ("vardgaranti-2010", D("2019-01-06"))
    assert (new.rule_set, new.deadline) == ("vardgaranti-2019", D("2019-01-05"))
    with pytest.raises(RuleError):
        BOOK.for_date(D("2009-01-01"))


def test_return_visit_deadline_is_the_medical_target_date():
    events = [ev(K.START, "2026-05-01", target=D("2026-11-01"))]
    assert evaluate("ATERBESOK", events, D("2026-06-01"), BOOK).deadline == D("2026-11-01")


def test_pvv_pause_mode_and_regional_target():
    rules = BOOK.for_date(D("2026-01-10")).with_overrides(
        pvv_mode="pause", steps={SV: {"regional_target_days": 60}}
    )
    book = BOOK.replace_rule_set(rules)
    events = [*example_3_events(), ev(K.PVV, "2026-03-03"), ev(K.RESTART, "2026-03-13")]
    clock = evaluate(SV, events, D("2026-03-20"), book)
    assert clock.start == D("2026-01-10") and clock.excluded_days == 10
    assert clock.deadline == D("2026-04-20") and clock.target_date == D("2026-03-21")


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (ev(K.CONTACT, "2026-12-01"), "Kontaktdatum"),  # in the future
        (ev(K.COMPLETED, "2026-01-05"), "Genomfört datum"),  # stop before start
        (ev(K.OFFER, "2026-02-01"), "Erbjuden tid"),  # an offer without a date
        (ev(K.PAUSE_END, "2026-02-01", pause=PauseKind.MOV), "Slutdatum för pausen"),  # nothing to end
        (ev(K.PAUSE_START, "2026-02-01", pause=PauseKind.SOV), "Typ av väntan"),  # SoV is for BUP
        (ev(K.RESTART, "2026-02-01"), "Datum för ny start"),  # no PvV
        (ev(K.ANSWER, "2026-02-01", answer=Answer.DECLINED), "Svarsdatum"),  # no offer
    ],
)
def test_bad_events_are_refused_naming_the_field(new, field):
    with pytest.raises(InputError) as error:
        check_new_event(SV, referral(), new, D("2026-11-22"), BOOK)
    assert error.value.field == field
    assert str(error.value).startswith(field)


def test_no_event_after_the_step_is_completed():
    events = [*referral(), ev(K.COMPLETED, "2026-03-01")]
    with pytest.raises(InputError, match="avslutades 2026-03-01"):
        check_new_event(SV, events, ev(K.CONTACT, "2026-03-02"), D("2026-11-22"), BOOK)


def test_malformed_rule_set_is_reported():
    with pytest.raises(RuleError, match="kan inte läsas"):
        parse_rule_set('id = "x"\nname = "x"\n', "trasig.toml")
