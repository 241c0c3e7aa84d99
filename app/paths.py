"""Where Lotsen keeps its files: platformdirs' per-user local data folder, or LOTSEN_DB / --db."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

ENV_DB = "LOTSEN_DB"


def default_db_path() -> Path:
    override = os.environ.get(ENV_DB)
    if override:
        return Path(override).expanduser()
    # roaming=False: health data stays on this machine, not in a roaming profile.
    return user_data_path("Lotsen", appauthor=False, roaming=False) / "lotsen.sqlite"


def backup_folder(db_path: Path) -> Path:
    return db_path.parent / "backups"


def log_file(db_path: Path) -> Path:
    return db_path.parent / "logs" / "lotsen.log"


def letters_folder(db_path: Path) -> Path:
    """Archived patient letters (evidence, one folder per case) and print batches, beside the database."""
    return db_path.parent / "letters"
