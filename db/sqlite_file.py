"""The database file itself (SQLite only): consistent online copies and integrity checks."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def integrity_problems(path: Path, quick: bool = False) -> list[str]:
    """What SQLite's own check finds wrong with the file; [] when it is whole. A file that is not a database at all
    is a problem too. `quick` skips the index cross-checks (PRAGMA quick_check: much faster on a large file)."""
    try:
        connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = connection.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return [str(exc)]
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems


def header_problems(path: Path) -> list[str]:
    """A quick look at start-up, in milliseconds whatever the file's size: is it a database whose schema reads?
    The full check reads every page; it runs on the start-up backup's copy, beside the running app."""
    try:
        connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return [str(exc)]
    return []


def online_copy(source: Path, target: Path) -> None:
    """Copy with SQLite's backup API: consistent while others write, includes what is still in the WAL file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def remove_journal_files(path: Path) -> None:
    """The WAL and shared-memory files beside a database that is being replaced belong to the old file."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
