"""The patient's preferences on a case: stored, shown with the case, checked, logged as a change of the
patient's data, refused on a stale version."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import cases
from app.errors import ConflictError, InputError
from app.identity import make_personnummer
from app.preferences import Preferences, parse_km, parse_periods, save_preferences
from db.models import AccessLog
from tests.conftest import TODAY


def opened(ctx) -> cases.Opened:
    return cases.open_case(ctx, cases.NewPatient(make_personnummer(date(1970, 5, 2), 231), "Sara Holm", "12"),
                           cases.NewCase("SV_FORSTA_BESOK", TODAY - timedelta(days=50), "311"))


def test_saved_preferences_come_back_with_the_case_and_are_logged(ctx):
    case = opened(ctx)
    before = cases.view_case(ctx, case.case_id)
    assert before.preferences == Preferences()
    wanted = Preferences(parse_periods("2026-12-20 – 2027-01-06\n2027-02-01"), 80, True, " arabiska ", "telefon")
    save_preferences(ctx, case.case_id, wanted, expected_version=before.version)
    after = cases.view_case(ctx, case.case_id)
    assert after.preferences == Preferences(((date(2026, 12, 20), date(2027, 1, 6)), (date(2027, 2, 1),
                                                                                       date(2027, 2, 1))),
                                            80, True, "arabiska", "telefon")
    assert after.version == before.version + 1
    assert after.preferences.describe() == ("Kan inte: 2026-12-20 – 2027-01-06, 2027-02-01; Reser högst 80 km; "
                                            "Behöver tolk (arabiska); Vill helst kontaktas per telefon")
    with ctx.db.transaction() as session:
        logged = session.execute(select(AccessLog.action, AccessLog.detail, AccessLog.case_id)
                                 .where(AccessLog.patient_id == case.patient_id)).all()
    assert ("ändring", "patientens önskemål", case.case_id) in logged
    # changed again: one row, the new values
    save_preferences(ctx, case.case_id, Preferences(max_travel_km=None), expected_version=after.version)
    assert cases.view_case(ctx, case.case_id).preferences == Preferences()


def test_a_stale_version_is_refused(ctx):
    case = opened(ctx)
    version = cases.view_case(ctx, case.case_id).version
    cases.add_note(ctx, case.case_id, "Ringde", expected_version=version)
    with pytest.raises(ConflictError):
        save_preferences(ctx, case.case_id, Preferences(max_travel_km=30), expected_version=version)
    assert cases.view_case(ctx, case.case_id).preferences == Preferences()


@pytest.mark.parametrize(("call", "field", "problem"), [
    (lambda: parse_periods("2026-12-20 – 2026-12-01"), "Perioder då patienten inte kan komma", "slutdatumet"),
    (lambda: parse_periods("jul"), "Perioder då patienten inte kan komma", "rad 1 (jul)"),
    (lambda: parse_periods("2026-02-30"), "Perioder då patienten inte kan komma", "rad 1"),
    (lambda: parse_km("femtio"), "Längsta resväg (km)", "inte ett antal kilometer"),
])
def test_bad_input_names_the_field(call, field, problem):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field and problem in caught.value.message


def test_checks_before_saving(ctx):
    case = opened(ctx)
    with pytest.raises(InputError, match="språk"):
        save_preferences(ctx, case.case_id, Preferences(interpreter=True))
    with pytest.raises(InputError) as caught:
        save_preferences(ctx, case.case_id, Preferences(max_travel_km=0))
    assert caught.value.field == "Längsta resväg (km)"
    assert parse_km(" 45 km ") == 45 and parse_km("") is None


def test_first_available_day_skips_touching_periods():
    p = Preferences(parse_periods("2026-12-01 – 2026-12-10\n2026-12-11 – 2026-12-12"))
    assert p.first_available(date(2026, 12, 5)) == date(2026, 12, 13)
    assert p.available(date(2026, 11, 30)) and not p.available(date(2026, 12, 12))
