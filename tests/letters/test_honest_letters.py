"""Letters that cannot mislead, read back from the PDF: past the deadline they say so, numbers agree with their
words, one consistent account of what a "no" means, and an English letter is English throughout."""

from __future__ import annotations

from dataclasses import replace

from app.letters import LetterType, generate, get_sender, set_sender
from tests.letters import pdftext
from tests.letters.scenario import offer, open_case


def letter_text(ctx, letter_type: LetterType, step_id: int, tmp_path) -> str:
    result = generate(ctx, letter_type, [step_id], print_file=tmp_path / "print.pdf")
    assert len(result.letters) == 1, result.skipped
    return " ".join(pdftext.text(result.letters[0].file).split())


def test_an_information_letter_past_the_deadline_says_so(ctx, tmp_path):
    late = open_case(ctx, 40, started="2026-07-01")  # deadline 2026-09-29, today 2026-11-22
    text = letter_text(ctx, LetterType.INFORMATION, late.step_id, tmp_path)
    assert "Gränsen var 2026-09-29 – den har passerat" in text
    assert "Du har redan väntat längre än vårdgarantin tillåter. Det beklagar vi." in text
    assert "Du ska ha fått vård senast" not in text
    assert "Om vi inte kan ge dig vård senast 2026-09-29" not in text
    assert "Vill du hellre få vård hos en annan vårdgivare? Då hjälper vi dig." in text
    assert "Sida 1 av 1" in text

    in_time = open_case(ctx, 41, started="2026-11-10")
    text = letter_text(ctx, LetterType.INFORMATION, in_time.step_id, tmp_path)
    assert "Du ska ha fått vård senast 2027-02-08" in text and "beklagar" not in text


def test_a_notice_past_the_deadline_promises_no_past_date(ctx, tmp_path):
    late = open_case(ctx, 42, started="2026-07-01")
    text = letter_text(ctx, LetterType.NOTICE, late.step_id, tmp_path)
    assert "Gränsen enligt vårdgarantin var 2026-09-29, och vi har inte kunnat ge dig en tid före den." in text
    assert "Vi kan tyvärr inte ge dig en tid senast" not in text


def test_one_working_day_is_singular_and_the_decline_texts_agree(ctx, tmp_path):
    set_sender(ctx.db, replace(get_sender(ctx.db), reply_working_days=1))
    opened = open_case(ctx, 43)
    offer(ctx, opened, reply_by=None)
    text = letter_text(ctx, LetterType.OFFER, opened.step_id, tmp_path)
    # Sunday 2026-11-22: the letter arrives Tuesday 2026-11-24; one working day more is Wednesday.
    assert "Svara senast 2026-11-25" in text and "Du har 1 arbetsdag på dig." in text
    assert "1 arbetsdagar" not in text and "börjar en ny väntetid räknas" not in text
    assert "Du står kvar i kön" not in text  # a "no" keeps the referral but books nothing until they call
    assert "finns din remiss kvar, men vårdgarantin gäller inte längre och vi bokar ingen ny tid förrän du hör av dig" in text


def test_an_english_letter_is_english_throughout(ctx, tmp_path):
    opened = open_case(ctx, 44, language="en", protected_identity=True)
    offer(ctx, opened)
    text = letter_text(ctx, LetterType.OFFER, opened.step_id, tmp_path)
    assert "a first appointment in orthopaedics" in text and "You have 10 working days." in text
    assert "Protected identity – handled by hand" in text
    for swedish in ("Ortopedi", "ortopedi", "Skyddad", "hanteras", "arbetsdagar", "Du ", " och "):
        assert swedish not in text, swedish
    info = letter_text(ctx, LetterType.INFORMATION, open_case(ctx, 45, language="en", started="2026-07-01").step_id,
                       tmp_path)
    assert "Specialty Orthopaedics" in info and "The limit was 2026-09-29 – it has passed" in info
    assert "Page 1 of 1" in info
