"""Encryption at rest (SQLCipher): an encrypted file cannot be read without its key, shows no patient data in its
bytes, opens with the key as before, and everything that opens the file (backups, restore, migrations, the
command line) works on it. A missing or wrong key gives a clear Swedish message."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sqlcipher3")

from app import backup, cases, encryption
from app.database import open_database
from app.errors import CorruptDatabase
from app.paths import backup_folder
from db import migrate
from db.sqlite_file import is_encrypted
from tests.protection.helpers import D, open_case
from ui.cli import main as lotsen

KEY = encryption.new_key()
NAME = b"Karin Berg"
pytestmark = [pytest.mark.usefixtures("credential_store"),
              pytest.mark.file_only("encryption at rest is SQLCipher's encryption of the file")]


@pytest.fixture
def encrypted(ctx, db_path):
    """A database with a case, encrypted (Lotsen closed), not yet opened again. Yields the case."""
    opened = open_case(ctx)
    cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon", "ringde Karin Berg")
    ctx.db.close()
    done = encryption.encrypt_database(db_path, KEY)
    assert done.kept is None
    yield opened
    encryption.forget_while_running(db_path)


def _every_file(db_path: Path) -> list[Path]:
    return [p for p in [*db_path.parent.glob(f"{db_path.name}*"), *backup_folder(db_path).glob("*")] if p.is_file()]


def _reopen(ctx, db_path: Path, key: str | None = KEY):
    ctx.db = open_database(db_path, key)
    return ctx


def test_the_file_cannot_be_read_as_plain_sqlite_and_shows_no_patient(ctx, db_path):
    open_case(ctx)
    ctx.db.close()
    assert any(NAME in p.read_bytes() for p in _every_file(db_path))  # the control: plain, the name is there
    encryption.encrypt_database(db_path, KEY)
    assert is_encrypted(db_path)
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(db_path).execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert not [p for p in _every_file(db_path) if NAME in p.read_bytes()]


def test_with_the_key_the_same_cases_show_and_work_goes_on(ctx, db_path, encrypted):
    _reopen(ctx, db_path)
    view = cases.view_case(ctx, encrypted.case_id)
    assert view.patient_name == "Karin Berg" and [e.kind for e in view.timeline] == ["start", "contact"]
    cases.add_note(ctx, encrypted.case_id, "ny anteckning")
    ctx.db.close()
    assert not [p for p in _every_file(db_path) if b"ny anteckning" in p.read_bytes()]


def test_a_missing_key_is_asked_for_in_swedish(db_path, encrypted):
    with pytest.raises(encryption.KeyNeeded, match="är krypterad och nyckeln finns inte sparad") as missing:
        open_database(db_path)
    assert not isinstance(missing.value, encryption.WrongKey) and missing.value.path == db_path


def test_a_wrong_key_is_refused_in_swedish_and_the_file_is_not_called_damaged(db_path, encrypted):
    before = db_path.read_bytes()
    for wrong in (encryption.new_key(), "fel nyckel"):
        with pytest.raises(encryption.WrongKey, match="Nyckeln öppnar inte databasen"):
            open_database(db_path, wrong)
    assert db_path.read_bytes() == before


def test_a_file_that_is_no_database_is_still_called_damaged(db_path):
    db_path.write_bytes(b"\x00garbage" * 300)  # not whole pages: not an encrypted database either
    with pytest.raises(CorruptDatabase, match="skadad"):
        open_database(db_path)


def test_the_key_is_found_in_the_environment_or_the_credential_store(ctx, db_path, encrypted, monkeypatch,
                                                                     credential_store):
    monkeypatch.setenv(encryption.ENV_KEY, KEY)
    _reopen(ctx, db_path, None).db.close()
    encryption.forget_while_running(db_path)
    monkeypatch.delenv(encryption.ENV_KEY)
    encryption.store_key(db_path, KEY)
    assert list(credential_store.stored) == [("Lotsen", str(db_path.resolve()))]
    _reopen(ctx, db_path, None).db.close()
    assert encryption.delete_stored_key(db_path) and not encryption.delete_stored_key(db_path)


def test_a_backup_of_an_encrypted_database_is_encrypted_and_restorable(ctx, db_path, encrypted):
    _reopen(ctx, db_path)
    made = backup.backup_now(ctx.db, "start")
    cases.add_note(ctx, encrypted.case_id, "efter kopian")
    ctx.db.close()
    assert is_encrypted(made.path) and NAME not in made.path.read_bytes()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(made.path).execute("SELECT count(*) FROM patient").fetchone()
    assert backup.problems(made.path, db_path, KEY) == [] and backup.latest_good_backup(db_path, KEY) == made
    replaced = backup.restore(made.path, db_path, KEY)
    assert is_encrypted(replaced) and is_encrypted(db_path)
    _reopen(ctx, db_path)
    assert [e.kind for e in cases.view_case(ctx, encrypted.case_id).timeline] == ["start", "contact"]
    ctx.db.close()


def test_older_plain_backups_are_encrypted_too_unless_the_plain_file_is_kept(ctx, db_path):
    open_case(ctx)
    old = backup.backup_now(ctx.db, "start")
    ctx.db.close()
    other = db_path.with_name("annan.sqlite")
    shutil.copyfile(db_path, other)
    kept = encryption.encrypt_database(other, KEY, keep_plain=True)
    assert kept.kept is not None and not is_encrypted(kept.kept) and NAME in kept.kept.read_bytes()
    assert not is_encrypted(old.path)  # kept plain: the administratör asked for it
    done = encryption.encrypt_database(db_path, KEY)
    assert done.backups_converted == 1 and is_encrypted(old.path)
    assert backup.problems(old.path, db_path, KEY) == []


def test_a_migration_backs_up_an_encrypted_database_encrypted(ctx, db_path, encrypted, tmp_path, monkeypatch):
    from tests.db.test_storage import NEXT_REVISION

    newer = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, newer)
    (newer / "versions" / "9999_next.py").write_text(NEXT_REVISION.format(heads=max(migrate.head_revisions())))
    monkeypatch.setattr(migrate, "MIGRATIONS", newer)
    _reopen(ctx, db_path)
    assert migrate.current_revisions(ctx.db.engine) == {"9999"}
    copy = ctx.db.backup_before_migration
    assert copy is not None and is_encrypted(copy) and backup.problems(copy, db_path, KEY) == []
    assert cases.view_case(ctx, encrypted.case_id).patient_name == "Karin Berg"
    ctx.db.close()


def test_decrypting_gives_back_a_plain_database(ctx, db_path, encrypted):
    done = encryption.decrypt_database(db_path, KEY, by="anna.lots")
    assert not is_encrypted(db_path) and is_encrypted(done.kept)
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT name FROM patient").fetchall() == [("Karin Berg",)]
        # every patient's data now lies in a plain file: who did it is in the access log
        assert raw.execute("SELECT a.action, a.patient_id, a.detail, u.login FROM access_log a JOIN app_user u "
                           "ON u.id = a.user_id ORDER BY a.id DESC LIMIT 1").fetchone() == (
            "händelse", None, f"kryptering avstängd; den krypterade filen sparades som {done.kept.name}", "anna.lots")
    _reopen(ctx, db_path, None)
    assert cases.view_case(ctx, encrypted.case_id).patient_name == "Karin Berg"
    ctx.db.close()


def test_a_database_in_use_by_another_program_is_not_converted(ctx, db_path):
    ctx.db.close()
    program = ("import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); "
               "c.execute('SELECT 1 FROM sqlite_master').fetchall(); print('open', flush=True); time.sleep(30)")
    holder = subprocess.Popen([sys.executable, "-c", program, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(encryption.StorageError, match="används just nu"):
            encryption.encrypt_database(db_path, KEY)
    finally:
        holder.kill()
        holder.wait()
    assert not is_encrypted(db_path)


def test_the_command_line_encrypts_prints_the_key_once_and_can_remember_it(ctx, db_path, capsys, credential_store):
    open_case(ctx)
    ctx.db.close()
    assert lotsen(["--db", str(db_path), "encrypt", "--remember"]) == 0
    out = capsys.readouterr().out
    key = credential_store.stored[("Lotsen", str(db_path.resolve()))]
    assert out.count(key) == 1 and "nyckelförvaring" in out and is_encrypted(db_path)
    assert lotsen(["--db", str(db_path), "encrypt"]) == 1
    assert "redan krypterad" in capsys.readouterr().err
    assert lotsen(["--db", str(db_path), "verify-log"]) == 0  # the key from the credential store
    encryption.forget_while_running(db_path)


def test_verify_log_without_the_key_says_so_without_a_traceback(db_path, encrypted, capfd, monkeypatch):
    """capfd: what SQLCipher itself might print on the process's stderr counts too."""
    assert lotsen(["--db", str(db_path), "verify-log"]) == 1
    err = capfd.readouterr().err
    assert "är krypterad" in err and encryption.ENV_KEY in err
    monkeypatch.setenv(encryption.ENV_KEY, "fel")
    assert lotsen(["--db", str(db_path), "verify-log"]) == 1
    err += capfd.readouterr().err
    assert "Nyckeln öppnar inte" in err
    assert "Traceback" not in err and "ERROR" not in err
    monkeypatch.setenv(encryption.ENV_KEY, KEY)
    assert lotsen(["--db", str(db_path), "verify-log"]) == 0
    assert "Loggen är hel" in capfd.readouterr().out
