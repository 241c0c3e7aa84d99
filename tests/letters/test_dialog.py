"""The letters dialog, clicked as a user: choose a type, create, print through Qt's printer (to a PDF file here)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import ui.letters_dialog as module
from app.letters import LABEL, LetterType
from tests.letters import pdftext
from tests.letters.scenario import build
from tests.ui.helpers import print_action, print_to_pdf, settled
from ui.letters_dialog import LettersDialog

SHOTS = Path(os.environ.get("LOTSEN_SHOTS", "/tmp"))


def test_create_and_print_offer_letters(ctx, qtbot, tmp_path, monkeypatch):
    s = build(ctx)
    dialog = LettersDialog(ctx, [s.information.step_id, s.offer.step_id, s.notice_booked.step_id])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.print_button.isEnabled()
    dialog.kind.setCurrentIndex(dialog.kind.findText(LABEL[LetterType.OFFER]))
    assert dialog.preview.text().startswith("2 av 3 markerade steg")
    assert dialog.skipped.count() == 1 and "inget obesvarat erbjudande" in dialog.skipped.item(0).text()
    dialog.grab().save(str(SHOTS / "letters_dialog.png"))

    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    settled(dialog)  # the batch runs off the UI thread
    assert dialog.result_ is not None and len(dialog.result_.letters) == 2
    assert "Klart: 2 brev" in dialog.status.text()
    assert dialog.print_button.isEnabled() and dialog.open_button.isEnabled()
    assert not dialog.create_button.isEnabled()
    dialog.grab().save(str(SHOTS / "letters_dialog_done.png"))

    target = tmp_path / "qt-print.pdf"
    print_to_pdf(monkeypatch, module, target)
    monkeypatch.setattr(LettersDialog, "confirm_print", lambda self, _dialog: True)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert "2 sidor" in dialog.status.text()
    shutil.copy(target, SHOTS / "letters_qt_print.pdf")
    printed = " ".join(pdftext.text(target).split())
    assert printed.count("Erbjudande om vård hos en annan vårdgivare") == 2
    assert "Mottagning 2" in printed and "Sida 1 av 1" in printed


def test_every_control_has_an_accessible_name(ctx, qtbot):
    dialog = LettersDialog(ctx, [])
    qtbot.addWidget(dialog)
    assert dialog.preview.text().startswith("0 av 0")
    for widget in (dialog.kind, dialog.create_button, dialog.print_button, dialog.open_button, dialog.skipped):
        assert widget.accessibleName()
    assert not dialog.create_button.isEnabled()


def test_print_preview_before_and_after_creating(ctx, qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget

    from tests.letters.scenario import offer, open_case
    from tests.ui.helpers import when_modal
    from tests.ui.shots import shot

    s = build(ctx)
    protected = open_case(ctx, 30, protected_identity=True)
    offer(ctx, protected)
    dialog = LettersDialog(ctx, [s.offer.step_id, protected.step_id])
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findText(LABEL[LetterType.OFFER]))
    seen: list[tuple[str, int]] = []

    def look(preview: QPrintPreviewDialog) -> None:
        widget = preview.findChild(QPrintPreviewWidget)
        widget.updatePreview()
        seen.append((preview.windowTitle(), widget.pageCount(), print_action(preview).isVisible()))
        shot(preview, f"letters_preview_{len(seen)}", tmp_path, size=(1366, 768))
        preview.reject()

    when_modal(look)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    # Before creating: the one letter that will be posted; the protected patient's is not in the print, and
    # nothing can be printed before it is archived and recorded.
    assert seen == [("Förhandsgranskning: Erbjudande om vård hos annan vårdgivare, 1 brev (inte skapade än – skapa "
                     "breven för att skriva ut dem)", 1, False)]
    assert dialog.result_ is None  # a preview records nothing

    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    settled(dialog)  # the batch runs off the UI thread
    assert "utskriftens sista sida listar dem" in dialog.status.text()
    when_modal(look)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert seen[1] == ("Förhandsgranskning: Erbjudande om vård hos annan vårdgivare, 2 brev", 2, True)  # + list


def test_a_batch_is_previewed_page_by_page_and_printed_from_the_preview(ctx, qtbot, tmp_path, monkeypatch):
    from tests.letters.scenario import offer, open_case
    from tests.ui.helpers import print_from_preview

    opened = [open_case(ctx, 40 + n) for n in range(4)]
    for case in opened:
        offer(ctx, case)
    dialog = LettersDialog(ctx, [case.step_id for case in opened])
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findText(LABEL[LetterType.OFFER]))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    settled(dialog)  # the batch runs off the UI thread
    assert len(dialog.result_.letters) == 4

    target = tmp_path / "fran-forhandsgranskningen.pdf"
    print_to_pdf(monkeypatch, module, target)
    seen: list[object] = []
    print_from_preview(seen, "letters_preview_batch", tmp_path)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    # One page per letter, then Qt's print dialog, accepted.
    assert seen == ["Förhandsgranskning: Erbjudande om vård hos annan vårdgivare, 4 brev", 4, True]
    assert dialog.status.text() == "4 sidor skickade till skrivaren från förhandsgranskningen."
    assert pdftext.info(target)["Pages"] == "4"
    printed = " ".join(pdftext.text(target).split())
    assert printed.count("Erbjudande om vård hos en annan vårdgivare") == 4
    for case in opened:
        assert f"Ärende {case.case_id}" in printed
    assert "Åsa Öberg 40" in printed and "Mottagning 2" in printed


@pytest.mark.unconfigured_sender
def test_the_dialog_refuses_letters_while_the_sender_is_not_set(ctx, qtbot):
    from app.letters.sender import sender_missing
    from tests.letters.scenario import nothing_written
    from tests.ui.helpers import answer_message

    s = build(ctx)
    dialog = LettersDialog(ctx, [s.offer.step_id])
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findText(LABEL[LetterType.OFFER]))
    message = sender_missing(ctx.db)
    assert dialog.sender_notice.isVisibleTo(dialog) and dialog.sender_notice.text() == message
    assert "fliken Avsändare" in message and "inga brev kan skapas" in message
    assert not dialog.create_button.isEnabled() and not dialog.preview_button.isEnabled()
    seen: list[str] = []
    answer_message(seen)
    dialog.create_letters()  # as if the button had been pressed: the service itself refuses
    settled(dialog)  # the batch runs off the UI thread
    assert seen == [f"Breven kunde inte skapas: {message}"]
    assert dialog.result_ is None and nothing_written(ctx, s.offer.case_id)
