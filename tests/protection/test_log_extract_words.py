"""The patient's log extract says what was done in Swedish words, with the unit's name and Swedish local time."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime

from app import cases, patients
from app.audit import extract
from app.audit.review import LogRow
from app.context import sign_in
from app.guarantee import Answer
from app.roles import Role
from app.users import set_role
from tests.protection.helpers import D, open_case


def row(action: str, detail: str | None, at: datetime = datetime(2026, 7, 1, 10, 30, tzinfo=UTC)) -> LogRow:
    return LogRow(1, at, "Anna Lots", None, None, 1, "Karin Berg", "195803144210", 1, action, detail)


def test_every_kind_of_access_reads_as_swedish_words():
    from app.guarantee import EventKind

    for kind in EventKind:
        text = extract.describe(row("ändring", kind.value))
        assert text != kind.value and text.startswith(("registrerade", "avslutade")), kind
    assert extract.describe(row("läsning", None)) == "läste ärendet"
    assert extract.describe(row("ändring", "brev: erbjudande")) == ("skrev ett brev till dig: erbjudande om vård "
                                                                    "hos annan vårdgivare")
    assert extract.describe(row("ändring", "nytt steg SV_BEHANDLING")) == "lade till nästa steg i ärendet"
    assert extract.describe(row("ändring", "rättat datum (offer) 2026-10-01 → 2026-09-25")) == \
        "rättade ett datum i ärendet (2026-10-01 → 2026-09-25)"


def test_local_time_follows_swedish_summer_and_winter():
    assert extract.local_time(datetime(2026, 7, 1, 10, 30, tzinfo=UTC)) == "2026-07-01 12:30"
    assert extract.local_time(datetime(2026, 12, 1, 10, 30, tzinfo=UTC)) == "2026-12-01 11:30"


def test_the_pdf_has_no_codes_and_names_the_unit(ctx, tmp_path):
    opened = open_case(ctx)
    ctx.today = lambda: D("2026-11-22")
    cases.record_informed(ctx, opened.step_id, D("2026-10-05"))
    offer = cases.make_offer(ctx, opened.step_id, D("2026-11-20"), D("2026-12-10"), None, "Capio")
    cases.answer_offer(ctx, offer, D("2026-11-21"), Answer.DECLINED, with_pvv=True)
    now = patients.view_patient(ctx, opened.patient_id).details
    patients.update_contact_details(ctx, opened.patient_id, replace(now, phone="040-12 34 56"))
    set_role(ctx, sign_in(ctx.db, "greta.granskare", "Greta Granskare").user_id, Role.GRANSKARE)
    greta = sign_in(ctx.db, "greta.granskare")
    greta.today = ctx.today
    made = extract.patient_extract(greta, "19580314-4210")
    pdf = extract.write_pdf(made, tmp_path / "loggutdrag.pdf", date(2026, 11, 22))
    words = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    for phrase in ("Registrerade ett nytt ärende", "Registrerade att du fått information om vårdgarantin",
                   "Registrerade ett erbjudande om vård", "Registrerade ditt svar på ett erbjudande",
                   "Registrerade att du själv valt att vänta (patientvald väntan)",
                   "Ändrade dina kontaktuppgifter: telefon", "Vårdlotsen, Region Exempel"):
        assert phrase in words, phrase
    for code in (" offer", " pvv", " informed", "läsning", "ändring", "anna.lots", "UTC"):
        assert code not in words, code
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "utdrag")],
                   check=True)
