"""Letters on a real database: every type read back from the PDF with the case's facts, recorded as evidence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from app import cases
from app.guarantee import Answer, PvvRefused, State
from app.letters import (
    LetterType,
    Sender,
    archive_folder,
    due_step_ids,
    generate,
    get_sender,
    prepare,
    set_sender,
)
from app.letters.compose import format_id
from db.models import CaseEvent, Step
from tests.letters import pdftext
from tests.letters.scenario import D, build, offer, open_case


def one(ctx, letter_type: LetterType, step_id: int, tmp_path: Path):
    result = generate(ctx, letter_type, [step_id], print_file=tmp_path / "print.pdf")
    assert not result.skipped, result.skipped
    assert len(result.letters) == 1
    return result.letters[0], pdftext.text(result.letters[0].file)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_every_letter_type_carries_the_cases_facts(ctx, tmp_path):
    s = build(ctx)
    expectations = {
        (LetterType.INFORMATION, s.information.step_id): ["Information om vårdgarantin", "2026-11-10",
                                                          "2027-02-08", "inom 90 dagar", "Ängsvägen 1"],
        (LetterType.NOTICE, s.notice_booked.step_id): ["Besked om din tid", "tisdag 2026-12-15",
                                                       "Ortopedkliniken Ystad", "Kristianstadsvägen 10"],
        (LetterType.NOTICE, s.notice_cannot_meet.step_id): ["Besked om din väntetid", "2027-02-08",
                                                            "annan vårdgivare", "samma patientavgift"],
        (LetterType.OFFER, s.offer.step_id): ["Erbjudande om vård hos en annan vårdgivare", "måndag 2026-12-14",
                                              "Mottagning 2", "Svara senast 2026-12-08", "Du har 10 arbetsdagar på dig",
                                              "samma patientavgift", "extra kostnader för resan",
                                              "vårdgarantin gäller inte längre", "finns din remiss kvar"],
        (LetterType.DECLINED, s.declined.step_id): ["tackat nej", "2026-09-05", "tisdag 2026-10-20",
                                                    "2026-10-05", "från och med 2026-10-05", "90 nya dagar"],
        (LetterType.RESTART, s.restart.step_id): ["väntetid har börjat om", "2026-11-02", "2027-01-31"],
    }
    for (letter_type, step_id), needles in expectations.items():
        letter, text = one(ctx, letter_type, step_id, tmp_path)
        flat = squash(text)
        for needle in [*needles, f"Ärende {letter.case_id}", "2026-11-22", "Sida 1 av 1", "010-123 45 67",
                       "Vårdlotsen, Region Exempel"]:
            assert needle in flat, (letter_type, needle, flat)


def test_letter_is_evidence_on_the_timeline(ctx, tmp_path):
    s = build(ctx)
    letter, _ = one(ctx, LetterType.OFFER, s.offer.step_id, tmp_path)
    view = cases.view_case(ctx, letter.case_id)
    entry = next(e for e in view.timeline if e.kind == cases.Note.LETTER)
    assert entry.details["type"] == "erbjudande"
    assert entry.details["source_event"] == s.offer_id
    assert entry.details["language"] == "sv"
    assert entry.details["recipient"] == {"kind": "patient", "name": "Åsa Öberg 4"}
    assert entry.details["template_version"].startswith("2026.2+")
    stored = archive_folder(ctx) / entry.details["file"]
    assert stored == letter.file and stored.parent.name == str(letter.case_id)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == entry.details["sha256"] == letter.sha256
    # A second letter the same day never overwrites the first: both are evidence.
    again, _ = one(ctx, LetterType.OFFER, s.offer.step_id, tmp_path)
    assert again.file != letter.file and letter.file.exists()


def test_guarantee_information_counts_as_informed_for_pvv(ctx, tmp_path):
    opened = open_case(ctx, 11, started="2026-11-01")
    offered = offer(ctx, opened, on="2026-11-20", appointment="2026-12-10")
    cases.record_answer(ctx, offered, D("2026-11-22"), Answer.DECLINED)
    with pytest.raises(PvvRefused, match="informerats"):
        cases.register_pvv(ctx, opened.step_id, D("2026-11-22"))
    one(ctx, LetterType.INFORMATION, opened.step_id, tmp_path)
    with ctx.db.transaction() as session:
        informed = session.scalars(select(CaseEvent).where(CaseEvent.step_id == opened.step_id,
                                                           CaseEvent.kind == "informed")).one()
        assert informed.on == D("2026-11-22") and informed.details["how"] == "brev"
    cases.register_pvv(ctx, opened.step_id, D("2026-11-22"))
    assert cases.step_clock(ctx, opened.step_id).state is State.PVV


def test_notice_records_the_notice_and_clears_the_flag(ctx, tmp_path):
    opened = open_case(ctx, 12, started="2026-11-01")
    with ctx.db.transaction() as session:
        assert session.get(Step, opened.step_id).notice_due is not None
    assert opened.step_id in due_step_ids(ctx, LetterType.NOTICE)
    one(ctx, LetterType.NOTICE, opened.step_id, tmp_path)
    with ctx.db.transaction() as session:
        assert session.get(Step, opened.step_id).notice_due is None
        notice = session.scalars(select(CaseEvent).where(CaseEvent.step_id == opened.step_id,
                                                         CaseEvent.kind == "notice")).one()
        assert notice.details["cannot_meet"] is True
    assert opened.step_id not in due_step_ids(ctx, LetterType.NOTICE)


def test_protected_identity_never_prints_an_address(ctx, tmp_path):
    opened = open_case(ctx, 13, protected_identity=True, street="Hemliga gatan 5", postal_code="999 99",
                       city="Gömstad")
    letter, text = one(ctx, LetterType.INFORMATION, opened.step_id, tmp_path)
    raw = letter.file.read_bytes()
    assert "Skyddad identitet – hanteras manuellt" in text
    for secret in ("Hemliga", "999 99", "Gömstad"):
        assert secret not in text
        assert secret.encode() not in raw
    assert letter.manual_handling
    assert "hanteras manuellt" in pdftext.info(letter.file)["Keywords"]


def test_guardian_receives_the_letter_in_the_patients_language(ctx, tmp_path):
    opened = open_case(ctx, 14, language="en", representative_kind="vardnadshavare",
                       representative_name="Per Öberg", representative_address="Ängsvägen 7\n211 34 Malmö")
    letter, text = one(ctx, LetterType.INFORMATION, opened.step_id, tmp_path)
    flat = squash(text)
    assert "Information about the care guarantee" in flat
    assert "as guardian for Åsa Öberg 14" in flat
    assert "Per Öberg" in flat and "Ängsvägen 7" in flat
    view = cases.view_case(ctx, letter.case_id)
    entry = next(e for e in view.timeline if e.kind == cases.Note.LETTER)
    assert entry.details["recipient"] == {"kind": "vardnadshavare", "name": "Per Öberg"}
    assert entry.details["language"] == "en"


def test_fonts_are_embedded_and_metadata_set(ctx, tmp_path):
    s = build(ctx)
    letter, _ = one(ctx, LetterType.OFFER, s.offer.step_id, tmp_path)
    fonts = pdftext.fonts(letter.file)
    assert len(fonts) == 2 and all(row[-5:-3] == ["yes", "yes"] for row in fonts), fonts  # emb, sub
    meta = pdftext.info(letter.file)
    assert meta["Title"] == f"Erbjudande om vård hos en annan vårdgivare – Ärende {letter.case_id}"
    assert meta["Author"] == "Vårdlotsen, Region Exempel" and meta["Creator"] == "Lotsen"
    assert meta["Page size"].endswith("(A4)")


def test_long_letters_repeat_reference_date_and_page_on_every_page(ctx, tmp_path):
    folder = archive_folder(ctx) / "mallar"
    folder.mkdir(parents=True)
    shipped = (Path(__file__).parents[2] / "resources" / "letters" / "sv.toml").read_text("utf-8")
    long_text = "Det här är en mening som upprepas för att brevet ska bli långt. " * 60
    folder.joinpath("sv.toml").write_text(
        shipped.replace('version = "2026.2"', 'version = "lokal-3"')
        + f'\n[[information.block]]\np = "{long_text}"\n', "utf-8")
    opened = open_case(ctx, 15)
    letter, _ = one(ctx, LetterType.INFORMATION, opened.step_id, tmp_path)
    pages = int(pdftext.info(letter.file)["Pages"])
    assert pages >= 2
    for page in range(1, pages + 1):
        flat = squash(pdftext.text(letter.file, page))
        assert f"Ärende {letter.case_id}" in flat and "2026-11-22" in flat
        assert f"Sida {page} av {pages}" in flat
    entry = next(e for e in cases.view_case(ctx, letter.case_id).timeline if e.kind == cases.Note.LETTER)
    assert entry.details["template_version"].startswith("lokal-3+")


def test_steps_without_what_a_letter_needs_are_skipped_with_the_reason(ctx):
    s = build(ctx)
    prepared = prepare(ctx, LetterType.OFFER, [s.information.step_id, s.offer.step_id])
    assert [job.step_id for job in prepared.jobs] == [s.offer.step_id]
    assert prepared.skipped[0].reason == "det finns inget obesvarat erbjudande på steget"
    uninformed = open_case(ctx, 16, started="2026-10-01")
    answered = offer(ctx, uninformed, on="2026-10-05", appointment="2026-10-30", reply_by=None)
    cases.record_answer(ctx, answered, D("2026-10-06"), Answer.DECLINED)
    prepared = prepare(ctx, LetterType.DECLINED, [uninformed.step_id, s.information.step_id])
    assert "informerades om vårdgarantin" in prepared.skipped[0].reason
    assert "inte tackat nej" in prepared.skipped[1].reason
    assert not prepared.jobs


def test_due_lists_follow_what_has_been_sent(ctx, tmp_path):
    s = build(ctx)
    assert due_step_ids(ctx, LetterType.OFFER) == [s.notice_booked.step_id, s.offer.step_id]  # both unanswered
    assert due_step_ids(ctx, LetterType.DECLINED) == [s.declined.step_id]
    assert due_step_ids(ctx, LetterType.RESTART) == [s.restart.step_id]
    assert s.information.step_id in due_step_ids(ctx, LetterType.INFORMATION)
    assert s.declined.step_id not in due_step_ids(ctx, LetterType.INFORMATION)  # informed 2026-09-05
    generate(ctx, LetterType.OFFER, [s.notice_booked.step_id, s.offer.step_id])
    generate(ctx, LetterType.RESTART, [s.restart.step_id])
    assert due_step_ids(ctx, LetterType.OFFER) == []
    assert due_step_ids(ctx, LetterType.RESTART) == []


def test_sender_settings_are_printed(ctx, tmp_path):
    assert get_sender(ctx.db) == Sender()
    set_sender(ctx.db, Sender(region="Region Halland", unit="Vårdlotsen Halland", phone="035-13 10 00",
                              signature="Lisa Lots, vårdlots"), ctx.user_id)
    opened = open_case(ctx, 17)
    _, text = one(ctx, LetterType.INFORMATION, opened.step_id, tmp_path)
    flat = squash(text)
    assert "Region Halland" in flat and "035-13 10 00" in flat and "Vårdlotsen Halland" in flat
    assert "Lisa Lots, vårdlots" in flat  # the signature closes the letter


def test_a_batch_of_200_letters(ctx, tmp_path):
    step_ids = []
    for n in range(200):
        opened = open_case(ctx, 1000 + n, protected_identity=n == 0)
        offer(ctx, opened)
        step_ids.append(opened.step_id)
    result = generate(ctx, LetterType.OFFER, step_ids, print_file=tmp_path / "print.pdf")
    assert len(result.letters) == 200 and not result.skipped
    assert result.manual_count == 1
    assert int(pdftext.info(result.print_file)["Pages"]) == sum(len(layout.pages) for layout in result.layouts)
    printed = squash(pdftext.text(result.print_file))
    # The protected patient's letter is archived but never printed with the others: the batch ends with it listed.
    assert printed.count("Erbjudande om vård hos en annan vårdgivare") == 199
    assert "Patient 1199" in printed and "Patient 1000" not in printed
    protected = next(letter for letter in result.letters if letter.manual_handling)
    last = squash(pdftext.text(result.print_file, int(pdftext.info(result.print_file)["Pages"])))
    assert last.startswith("Region Exempel Datum") and "Att hantera manuellt: 1 brev" in last
    assert f"Ärende {protected.case_id} skyddad identitet – arkivfil {protected.case_id}/" in last
    assert "Skyddad identitet – hanteras manuellt" in squash(pdftext.text(protected.file))
    assert len({letter.sha256 for letter in result.letters}) == 200
    with ctx.db.transaction() as session:
        letters = session.scalars(select(CaseEvent).where(CaseEvent.kind == "letter")).all()
    assert len(letters) == 200


def test_personnummer_is_written_with_a_dash():
    assert format_id("195803144211") == "19580314-4211"
