"""Patients and cases maintained: contact details with their history and access log, the patient's cases, the
next step, reopening a closed case, and the archive search."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app import cases, patients
from app.case_actions import CaseAction
from app.errors import InputError
from app.identity import make_personnummer
from app.patients import NOT_KEPT, ContactDetails
from db.models import AccessLog, Patient

D = date.fromisoformat
PNR = make_personnummer(date(1958, 3, 14), 421)


def open_case(ctx, pnr: str = PNR, name: str = "Karin Berg", step: str = "SV_FORSTA_BESOK",
              started: str = "2026-10-01", specialty: str = "311") -> cases.Opened:
    patient = cases.NewPatient(pnr, name, "12", "1280", "Storgatan 1", "211 34", "Malmö", phone="040-11 22 33")
    return cases.open_case(ctx, patient, cases.NewCase(step, D(started), specialty))


def access_details(ctx, patient_id: int) -> list[str]:
    with ctx.db.transaction() as session:
        return list(session.scalars(select(AccessLog.detail).where(AccessLog.patient_id == patient_id)
                                    .order_by(AccessLog.id)))


def test_contact_details_changed_with_history_and_access_log(ctx):
    opened = open_case(ctx)
    view = patients.view_patient(ctx, opened.patient_id, opened.case_id)
    new = ContactDetails(street="Nygatan 5", postal_code="21135", city="Malmö", phone="040-11 22 33",
                         language="en", representative_kind="ombud", representative_name="Per Berg",
                         representative_address="Lillgatan 2, 211 36 Malmö")
    assert view.details.street == "Storgatan 1"
    assert patients.update_contact_details(ctx, opened.patient_id, new, opened.case_id) == 6
    view = patients.view_patient(ctx, opened.patient_id)
    assert view.details.postal_code == "211 35" and view.details.language == "en"
    changes = {(h.field, h.old, h.new, h.by) for h in view.history}
    assert changes == {("Gatuadress", "Storgatan 1", "Nygatan 5", "Anna Lots"),
                       ("Postnummer", "211 34", "211 35", "Anna Lots"),
                       ("Språk i brev", "sv", "en", "Anna Lots"),
                       ("Företrädare", None, "ombud", "Anna Lots"),
                       ("Företrädarens namn", None, "Per Berg", "Anna Lots"),
                       ("Företrädarens adress", None, "Lillgatan 2, 211 36 Malmö", "Anna Lots")}
    logged = access_details(ctx, opened.patient_id)
    assert "patientuppgifter: gatuadress, postnummer, språk i brev, företrädare, företrädarens namn, " \
           "företrädarens adress" in logged
    assert logged.count("patientuppgifter") == 2  # each view of the details is a read
    # Saving the same again changes nothing and logs no change.
    assert patients.update_contact_details(ctx, opened.patient_id, new) == 0


def test_protected_identity_removes_the_address_and_keeps_no_address_in_the_history(ctx):
    opened = open_case(ctx)
    patients.update_contact_details(ctx, opened.patient_id, ContactDetails(
        street="Storgatan 1", postal_code="211 34", city="Malmö", phone="040-11 22 33", protected_identity=True))
    with ctx.db.transaction() as session:
        row = session.get(Patient, opened.patient_id)
        assert (row.street, row.postal_code, row.city, row.protected_identity) == (None, None, None, True)
    history = {h.field: (h.old, h.new) for h in patients.view_patient(ctx, opened.patient_id).history}
    assert history["Gatuadress"] == (NOT_KEPT, None) and history["Ort"] == (NOT_KEPT, None)
    assert history["Skyddad identitet"] == ("nej", "ja")
    assert cases.view_case(ctx, opened.case_id).address is None


@pytest.mark.parametrize(("details", "message"), [
    (ContactDetails(postal_code="2113"), "Postnummer: skriv fem siffror"),
    (ContactDetails(language="de"), "Språk i brev: välj svenska eller engelska."),
    (ContactDetails(representative_kind="ombud"), "Företrädarens namn: fyll i namnet på ombud."),
    (ContactDetails(representative_name="Per"), "Företrädare: välj om det är vårdnadshavare eller ombud."),
    (ContactDetails(street="a\x00b"), "Gatuadress:"),
])
def test_bad_contact_details_name_the_field(ctx, details, message):
    opened = open_case(ctx)
    with pytest.raises(InputError) as refused:
        patients.update_contact_details(ctx, opened.patient_id, details)
    assert f"{refused.value.field}: {refused.value.message}".startswith(message)
    assert patients.view_patient(ctx, opened.patient_id).history == []


def test_the_patients_cases_the_next_step_and_reopening(ctx):
    first = open_case(ctx)
    other = open_case(ctx, specialty="511")
    summaries = patients.view_patient(ctx, first.patient_id).cases
    assert {s.case_id for s in summaries} == {first.case_id, other.case_id}

    view = cases.view_case(ctx, first.case_id)
    assert "redan ett öppet steg" in view.why_not(CaseAction.NEXT_STEP, None)
    cases.complete_step(ctx, first.step_id, D("2026-11-02"))
    view = cases.view_case(ctx, first.case_id)
    assert view.why_not(CaseAction.NEXT_STEP, None) is None
    cases.add_step(ctx, first.case_id, "SV_BEHANDLING", D("2026-11-05"), expected_version=view.version)
    view = cases.view_case(ctx, first.case_id)
    assert [s.code for s in view.steps] == ["SV_FORSTA_BESOK", "SV_BEHANDLING"]
    assert view.steps[1].clock.deadline == D("2027-02-03")

    cases.close_case(ctx, first.case_id, D("2026-11-10"), "behov_upphort")
    view = cases.view_case(ctx, first.case_id)
    assert view.why_not(CaseAction.REOPEN, None) is None and view.why_not(CaseAction.NEXT_STEP, None)
    with pytest.raises(InputError, match="skriv varför"):
        cases.reopen_case(ctx, first.case_id, "  ")
    cases.reopen_case(ctx, first.case_id, "Ny remiss: besvären har kommit tillbaka", expected_version=view.version)
    view = cases.view_case(ctx, first.case_id)
    assert view.closed_on is None and view.why_not(CaseAction.REOPEN, None) == "Ärendet är öppet."
    reopened = view.timeline[-1]
    assert (reopened.kind, reopened.details["reason"], reopened.details["closed_on"]) == (
        "case_reopened", "Ny remiss: besvären har kommit tillbaka", "2026-11-10")
    assert view.why_not(CaseAction.NEXT_STEP, None) is None  # the closed steps stay closed
    assert "ärendet öppnat igen" in access_details(ctx, first.patient_id)


def test_archive_search_by_name_personnummer_and_period(ctx):
    karin = open_case(ctx)
    other_pnr = make_personnummer(date(1971, 6, 2), 238)
    other = open_case(ctx, other_pnr, "Öjvind Åberg")
    still_open = open_case(ctx, make_personnummer(date(1980, 1, 5), 111), "Karin Öst")
    cases.close_case(ctx, karin.case_id, D("2026-10-20"), "genomford")
    cases.close_case(ctx, other.case_id, D("2026-11-15"), "avliden")

    def found(text="", since=None, until=None) -> list[int]:
        return [r.case_id for r in patients.search_closed(ctx, text, since, until)[0]]

    assert found("berg karin") == [karin.case_id]  # any word order, only closed cases
    assert found("ÅBERG") == [other.case_id]       # å, ä, ö folded as well as A–Z
    assert found(f"{other_pnr[2:8]}-{other_pnr[8:]}") == [other.case_id] == found("19710602")
    assert found(since=D("2026-11-01")) == [other.case_id]
    assert found(since=D("2026-10-01"), until=D("2026-10-31")) == [karin.case_id]
    assert found("Karin Öst") == []
    assert still_open.case_id not in found(since=D("2000-01-01"))
    with pytest.raises(InputError, match="skriv ett namn eller personnummer"):
        patients.search_closed(ctx)
    with pytest.raises(InputError, match="före Avslutat från"):
        patients.search_closed(ctx, "", D("2026-11-01"), D("2026-10-01"))
    with ctx.db.transaction() as session:
        assert session.scalar(select(AccessLog.detail).where(AccessLog.detail.like("arkivsökning%"))) is not None
