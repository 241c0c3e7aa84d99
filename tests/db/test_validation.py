"""The validation round and long waiters (issue 15, item 7): a validation and a long-wait reason are recorded per
step, logged as changes of the patient's data and shown on the case's timeline; the worklist finds steps due for
validation and long waiters; the report lists long waiters with their reason or none."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import cases, worklist
from app.errors import ConflictError, InputError, PermissionDenied
from app.identity import make_personnummer
from app.validation import (
    LONG_WAIT_REASON,
    VALIDATION,
    Validation,
    describe,
    long_waiters,
    record_long_wait_reason,
    record_validation,
    set_validation_days,
)
from app.worklist import Filter
from db.models import AccessLog
from tests.conftest import TODAY


def opened(ctx, code: str, waited: int, serial: int = 231) -> cases.Opened:
    return cases.open_case(ctx, cases.NewPatient(make_personnummer(date(1970, 5, 2), serial), f"Sara Holm {serial}",
                                                 "12"), cases.NewCase(code, TODAY - timedelta(days=waited), "311"))


def step_ids(ctx, flt: Filter) -> set[int]:
    return set(worklist.open_step_ids(ctx, flt))


def test_a_validation_is_on_the_timeline_and_logged(ctx):
    case = opened(ctx, "SV_FORSTA_BESOK", 50)
    view = cases.view_case(ctx, case.case_id)
    step = view.steps[0]
    record_validation(ctx, step.id, Validation(TODAY - timedelta(days=1), True, "oförändrat", "telefon"),
                      expected_version=view.version)
    after = cases.view_case(ctx, case.case_id)
    entry = next(e for e in after.timeline if e.kind == VALIDATION)
    assert (entry.on, entry.step_id) == (TODAY - timedelta(days=1), step.id)
    assert describe(entry.kind, entry.details) == ("Patienten behöver fortfarande vården. Hälsotillstånd: "
                                                   "oförändrat (Telefon)")
    assert after.steps[0].clock == view.steps[0].clock  # the clock does not move
    with ctx.db.transaction() as session:
        logged = session.execute(select(AccessLog.action, AccessLog.detail)
                                 .where(AccessLog.patient_id == case.patient_id)).all()
    assert ("ändring", "validering") in logged
    with pytest.raises(ConflictError):  # the version seen before is stale now
        record_validation(ctx, step.id, Validation(TODAY, True, "bra", "brev"), expected_version=view.version)


@pytest.mark.parametrize(("validation", "field"), [
    (Validation(TODAY, True, "bra", "fax"), "Kanal"),
    (Validation(TODAY + timedelta(days=1), True, "bra", "brev"), "Datum"),
    (Validation(TODAY - timedelta(days=60), True, "bra", "brev"), "Datum"),  # before the step began
    (Validation(TODAY, True, "  ", "brev"), "Hälsotillstånd"),
])
def test_bad_validations_are_refused_naming_the_field(ctx, validation, field):
    case = opened(ctx, "SV_FORSTA_BESOK", 50)
    step_id = cases.view_case(ctx, case.case_id).steps[0].id
    with pytest.raises(InputError) as raised:
        record_validation(ctx, step_id, validation)
    assert raised.value.field == field
    assert not [e for e in cases.view_case(ctx, case.case_id).timeline if e.kind == VALIDATION]


def test_a_granskare_cannot_record(ctx):
    case = opened(ctx, "SV_FORSTA_BESOK", 50)
    step_id = cases.view_case(ctx, case.case_id).steps[0].id
    reviewer = replace(ctx, role="granskare")
    with pytest.raises(PermissionDenied):
        record_validation(reviewer, step_id, Validation(TODAY, True, "bra", "brev"))
    with pytest.raises(PermissionDenied):
        record_long_wait_reason(reviewer, step_id, "Väntar på operationssal")
    with pytest.raises(PermissionDenied):
        long_waiters(reviewer)


def test_steps_not_validated_within_the_setting_are_found_and_summarised(ctx):
    old = opened(ctx, "SV_FORSTA_BESOK", 200, 231)
    young = opened(ctx, "SV_FORSTA_BESOK", 20, 232)
    validated = opened(ctx, "SV_FORSTA_BESOK", 200, 233)
    old_step, young_step, validated_step = (cases.view_case(ctx, c.case_id).steps[0].id
                                            for c in (old, young, validated))
    record_validation(ctx, validated_step, Validation(TODAY - timedelta(days=10), False, "opererad privat", "1177"))
    assert step_ids(ctx, Filter(not_validated_within=180)) == {old_step}
    assert step_ids(ctx, Filter(not_validated_within=15)) == {old_step, young_step}
    summary = {label: count for label, _flt, count in worklist.summary_counts(ctx)}
    assert summary["Ej validerade på 180 dagar"] == 1
    with pytest.raises(PermissionDenied):
        set_validation_days(replace(ctx, role="vardlots"), 7)
    admin = replace(ctx, role="administrator")
    with pytest.raises(InputError) as raised:
        set_validation_days(admin, 3)
    assert raised.value.field == "Validering av väntande senast efter (dagar)"
    set_validation_days(admin, 7)
    summary = {label: count for label, _flt, count in worklist.summary_counts(ctx)}
    assert summary["Ej validerade på 7 dagar"] == 3
    assert "ej validerade på 5 dagar" in worklist.shown_in(Filter(not_validated_within=5))


def test_long_waiters_need_a_reason_and_are_reported(ctx):
    adult = opened(ctx, "SV_FORSTA_BESOK", 731, 231)     # over two years
    adult_short = opened(ctx, "SV_FORSTA_BESOK", 700, 232)
    bup_first = opened(ctx, "BUP_FORSTA", 100, 233)      # over three months for a first visit
    bup_later = opened(ctx, "BUP_UTREDNING", 100, 234)   # under six months for a later stage
    bup_later_long = opened(ctx, "BUP_UTREDNING", 190, 235)
    ids = {name: cases.view_case(ctx, c.case_id).steps[0].id for name, c in
           [("adult", adult), ("adult_short", adult_short), ("bup_first", bup_first), ("bup_later", bup_later),
            ("bup_later_long", bup_later_long)]}
    expected = {ids["adult"], ids["bup_first"], ids["bup_later_long"]}
    assert step_ids(ctx, Filter(long_wait=True)) == expected
    assert step_ids(ctx, Filter(long_wait_without_reason=True)) == expected
    record_long_wait_reason(ctx, ids["bup_first"], "Väntar på tolk; patienten har tackat nej två gånger")
    assert step_ids(ctx, Filter(long_wait_without_reason=True)) == expected - {ids["bup_first"]}
    summary = {label: count for label, _flt, count in worklist.summary_counts(ctx)}
    assert summary["Lång väntan utan orsak"] == 2

    report = long_waiters(ctx)
    assert [r.step_id for r in report] == [ids["adult"], ids["bup_later_long"], ids["bup_first"]]  # longest first
    by_step = {r.step_id: r for r in report}
    assert by_step[ids["bup_first"]].reason == "Väntar på tolk; patienten har tackat nej två gånger"
    assert by_step[ids["adult"]].reason is None
    assert (by_step[ids["adult"]].waited, by_step[ids["adult"]].limit) == (731, 730)
    assert (by_step[ids["bup_first"]].waited, by_step[ids["bup_first"]].limit) == (100, 91)
    with ctx.db.transaction() as session:
        shown = set(session.scalars(select(AccessLog.patient_id).where(AccessLog.detail == "Långväntande")))
    assert shown == {adult.patient_id, bup_first.patient_id, bup_later_long.patient_id}
    entry = next(e for e in cases.view_case(ctx, bup_first.case_id).timeline if e.kind == LONG_WAIT_REASON)
    assert describe(entry.kind, entry.details).startswith("Väntar på tolk")


def test_an_empty_reason_is_refused(ctx):
    case = opened(ctx, "SV_FORSTA_BESOK", 800)
    step_id = cases.view_case(ctx, case.case_id).steps[0].id
    with pytest.raises(InputError) as raised:
        record_long_wait_reason(ctx, step_id, "   ")
    assert raised.value.field == "Orsak till lång väntan"
