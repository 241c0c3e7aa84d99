"""Where Lotsen keeps its files: platformdirs' per-user local data folder, a portable folder beside the program,
or LOTSEN_DB / --db."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path

ENV_DB = "LOTSEN_DB"
PORTABLE_MARKER = "portable.txt"  # beside Lotsen.exe: keep the data beside the program (a USB stick, a test folder)
PORTABLE_FOLDER = "data"
DB_FILE = "lotsen.sqlite"


def program_folder() -> Path:
    """The folder of Lotsen.exe in the built app; of the `lotsen` launcher (or script) when run from Python."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(sys.argv[0]).resolve().parent


def is_portable() -> bool:
    """portable.txt beside the built app's exe. A Python install asks with --portable (or LOTSEN_DB) instead: its
    launcher's folder is shared by other programs."""
    return bool(getattr(sys, "frozen", False)) and (program_folder() / PORTABLE_MARKER).is_file()


def default_db_path(portable: bool = False) -> Path:
    """LOTSEN_DB first; then the portable folder (asked for, or marked by portable.txt); else the local data dir."""
    override = os.environ.get(ENV_DB)
    if override:
        return Path(override).expanduser()
    if portable or is_portable():
        return program_folder() / PORTABLE_FOLDER / DB_FILE
    # roaming=False: health data stays on this machine, not in a roaming profile.
    return user_data_path("Lotsen", appauthor=False, roaming=False) / DB_FILE


def backup_folder(db_path: Path) -> Path:
    return db_path.parent / "backups"


def log_file(folder: Path) -> Path:
    """The program's log in a database's folder (app.database.Database.folder)."""
    return folder / "logs" / "lotsen.log"


def letters_folder(folder: Path) -> Path:
    """Archived patient letters (evidence, one folder per case) and print batches, beside the database."""
    return folder / "letters"
