"""Letters and letter texts where every colleague finds them: on the team server a sent letter's PDF is kept in
the database, so a colleague (on another computer) opens it; on a file it lies in the letters folder. Opening one
is a logged read of the patient. The region's own letter texts stored in the database are used by everyone."""

from __future__ import annotations

from importlib.resources import files

import pytest
from PySide6.QtGui import QDesktopServices
from sqlalchemy import func, select

from app.access import Action
from app.database import open_database
from app.errors import InputError, NotFoundError, PermissionDenied, StorageError
from app.letters import LetterType, generate
from app.letters.archive import open_letter, save_template, stored_templates
from db.models import AccessLog, CaseEvent, LetterDocument
from tests.letters import pdftext
from tests.letters.scenario import open_case
from tests.ui.helpers import settled
from ui.case_window import CaseWindow


@pytest.fixture
def sent(ctx, tmp_path):
    opened = open_case(ctx, 7)
    result = generate(ctx, LetterType.INFORMATION, [opened.step_id])
    (letter,) = result.letters
    return letter


def test_a_colleague_opens_a_letter_another_sent(ctx, second, sent, tmp_path):
    on_server = ctx.db.server is not None
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(LetterDocument)) == (1 if on_server else 0)
    if on_server:
        sent.file.unlink()  # the sender's own computer is not the colleague's: the server has the letter
        opened = open_letter(second, sent.event_id)
        copy = tmp_path / opened.name
        copy.write_bytes(opened.pdf)
        text = pdftext.text(copy)
        assert "Information om vårdgarantin" in text and "Åsa Öberg 7" in text
    else:
        opened = open_letter(second, sent.event_id)  # the same file, so the same letters folder
        assert opened.pdf == sent.file.read_bytes()
        sent.file.unlink()
        with pytest.raises(NotFoundError, match="finns inte på den här datorn"):
            open_letter(second, sent.event_id)
    with ctx.db.transaction() as session:
        read = session.scalars(select(AccessLog).where(AccessLog.user_id == second.user_id)
                               .order_by(AccessLog.id.desc()).limit(1)).one()
        assert (read.action, read.case_id, read.detail) == (str(Action.READ), sent.case_id,
                                                           "brev öppnat: Information om vårdgarantin")
        assert read.patient_id is not None


def test_a_letter_changed_after_it_was_sent_is_refused(ctx, sent):
    if ctx.db.server is not None:
        with ctx.db.transaction() as session:
            session.get(LetterDocument, sent.event_id).pdf = b"%PDF-1.4 forged"
    else:
        sent.file.write_bytes(b"%PDF-1.4 forged")
    with pytest.raises(StorageError, match="har ändrats efteråt"):
        open_letter(ctx, sent.event_id)
    with pytest.raises(NotFoundError, match="brevet finns inte"):
        open_letter(ctx, 10**6)


def test_the_case_window_opens_a_sent_letter(ctx, second, sent, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: shown.append(url.toLocalFile()) or True)
    window = settled(CaseWindow(second, sent.case_id))
    qtbot.addWidget(window)
    row = next(r for r in range(window.timeline.rowCount()) if window.timeline.item(r, 1).text() == "Brev")
    window.timeline.setCurrentCell(row, 0)
    window.timeline.cellActivated.emit(row, 0)
    assert len(shown) == 1 and "Åsa Öberg 7" in pdftext.text(shown[0])


def test_the_regions_own_letter_texts_in_the_database(ctx, second, tmp_path):
    shipped = (files("resources") / "letters" / "sv.toml").read_text(encoding="utf-8")
    own = shipped.replace('title = "Information om vårdgarantin"', 'title = "Vårdgarantin – information från '
                                                                   'Region Skåne"')
    assert own != shipped
    with pytest.raises(PermissionDenied):
        save_template(second, "sv", own.encode())  # a vårdlots may not change the region's letters
    with pytest.raises(InputError, match="går inte att läsa"):
        save_template(ctx, "sv", b"title = ")
    with pytest.raises(InputError, match="Språk"):
        save_template(ctx, "../sv", own.encode())
    version = save_template(ctx, "sv", own.encode())
    opened = open_case(ctx, 8)
    result = generate(second, LetterType.INFORMATION, [opened.step_id])  # a colleague's letter uses them
    (letter,) = result.letters
    assert "Vårdgarantin – information från Region Skåne" in " ".join(pdftext.text(letter.file).split())
    with ctx.db.transaction() as session:
        assert session.get(CaseEvent, letter.event_id).details["template_version"] == version


def test_the_letter_texts_command(ctx, db_path, administrator_db, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    own = tmp_path / "sv.toml"
    own.write_text((files("resources") / "letters" / "sv.toml").read_text(encoding="utf-8").replace(
        'title = "Information om vårdgarantin"', 'title = "Om vårdgarantin"'), encoding="utf-8")
    ctx.db.close()
    root = Path(__file__).resolve().parents[2]

    def lotsen(*args):
        env = {**os.environ, "PYTHONPATH": str(root), "LOGNAME": "anna.lots", "USER": "anna.lots"}
        return subprocess.run([sys.executable, "-m", "ui.cli", *args, "--db", str(administrator_db)], cwd=root,
                              env=env, capture_output=True, text=True, check=False, timeout=120)

    done = lotsen("letter-texts", str(own))
    assert done.returncode == 0, done.stderr
    assert "sparade i databasen" in done.stdout
    db = open_database(db_path)
    with db.reading() as session:
        assert stored_templates(session) == {"sv": own.read_bytes()}
    db.close()
    refused = lotsen("letter-texts", str(tmp_path / "saknas.toml"))
    assert refused.returncode == 2 and "kunde inte läsas" in refused.stderr
