"""Other processes on the same file never cost a running instance its saves (issue: a plain open()/close() of
the live file inside the app dropped its POSIX locks, and the next process to close deleted the WAL file).

An instance keeps writing while `lotsen letters`, `lotsen verify-log` and the instance's own backups run; every
save it reported is then visible to a third process, and the WAL file is still there while it is open."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.database import open_database
from db import sqlite_file
from tests.letters.scenario import configure_sender
from tests.protection.helpers import open_case

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.file_only("other processes on the same file: SQLite's POSIX locks, its WAL file and plain "
                                   "file I/O of the live file")


class Instance:
    def __init__(self, db_path: Path, step_id: int):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.protection.instance", str(db_path), str(step_id)], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def do(self, command: str) -> list[int]:
        """Run a command; the event ids it reported as saved."""
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        saved = []
        while (line := self.process.stdout.readline().strip()) != "ok":
            assert line, "the instance ended"
            saved.append(int(line))
        return saved

    def quit(self) -> None:
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        assert self.process.wait(timeout=60) == 0


def lotsen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def contacts_seen_by_another_process(db_path: Path) -> set[int]:
    with sqlite3.connect(db_path) as raw:
        return {row[0] for row in raw.execute("SELECT id FROM case_event WHERE kind = 'contact'")}


def test_other_processes_never_cost_an_instance_its_saves(ctx, db_path, tmp_path):
    step_id = open_case(ctx).step_id
    configure_sender(ctx)  # so that the letters command writes what is due
    ctx.db.close()
    instance = Instance(db_path, step_id)
    saved = instance.do("start") + instance.do("write 10")
    for round_ in range(3):
        assert lotsen("letters", "--type", "omstart", "--due", "--out", str(tmp_path / f"brev{round_}"),
                      "--db", str(db_path)).returncode in (0, 1)  # 1: no letter due, still an open and close
        assert lotsen("verify-log", "--db", str(db_path)).returncode == 0
        saved += instance.do("backup") + instance.do("write 10")  # the backup reads the live file's kind
        assert Path(f"{db_path}-wal").exists(), "another process deleted the running instance's WAL file"
    assert len(saved) == 40
    assert set(saved) <= contacts_seen_by_another_process(db_path)
    instance.quit()
    assert set(saved) <= contacts_seen_by_another_process(db_path)
    db = open_database(db_path)
    db.close()


def test_nothing_reads_a_live_file_with_plain_file_io(ctx, db_path, monkeypatch):
    """In this process too: while a connection is open, asking what kind of file it is reads no byte of it."""
    real_open = open

    def guarded_open(file, *args, **kwargs):
        assert Path(str(file)).resolve() != db_path.resolve(), "the live database was opened with open()"
        return real_open(file, *args, **kwargs)

    assert sqlite_file.is_live(db_path)
    monkeypatch.setattr("builtins.open", guarded_open)
    assert sqlite_file.is_encrypted(db_path) is False
    from app import backup

    backup.backup_now(ctx.db, "manuell")
    ctx.db.close()
    monkeypatch.undo()
    assert not sqlite_file.is_live(db_path)


@pytest.mark.parametrize("damage", ["header", "first pages"])
def test_a_damaged_plain_file_is_not_taken_for_an_encrypted_one(ctx, db_path, damage):
    open_case(ctx)
    ctx.db.close()
    data = bytearray(db_path.read_bytes())
    size = 100 if damage == "header" else 8192
    data[:size] = bytes((i * 151 + 7) % 256 for i in range(size))  # noise
    db_path.write_bytes(data)
    assert sqlite_file.is_encrypted(db_path) is False
