"""Where the data lives: the local app data dir, a portable folder beside the program, LOTSEN_DB and --db."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.paths import ENV_DB, default_db_path, is_portable
from ui.cli import main


@pytest.fixture
def frozen(tmp_path, monkeypatch) -> Path:
    """A built Lotsen in tmp_path/Lotsen: what sys.frozen and sys.executable say inside the bundle."""
    folder = tmp_path / "Lotsen"
    folder.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(folder / "Lotsen.exe"))
    monkeypatch.delenv(ENV_DB, raising=False)
    return folder


def test_installed_app_keeps_data_in_the_local_app_data_dir(frozen, monkeypatch):
    import app.paths

    monkeypatch.setattr(app.paths, "user_data_path",
                        lambda name, appauthor, roaming: Path(f"/local/{name}/roaming={roaming}"))
    assert not is_portable()
    assert default_db_path() == Path("/local/Lotsen/roaming=False/lotsen.sqlite")


def test_portable_marker_keeps_data_beside_the_exe(frozen):
    (frozen / "portable.txt").write_text("", "utf-8")
    assert is_portable()
    assert default_db_path() == frozen / "data" / "lotsen.sqlite"


def test_portable_option_without_marker(frozen):
    assert default_db_path(portable=True) == frozen / "data" / "lotsen.sqlite"


def test_lotsen_db_wins_over_portable_mode(frozen, monkeypatch, tmp_path):
    (frozen / "portable.txt").write_text("", "utf-8")
    monkeypatch.setenv(ENV_DB, str(tmp_path / "delad" / "lotsen.sqlite"))
    assert default_db_path(portable=True) == tmp_path / "delad" / "lotsen.sqlite"


def test_from_python_the_launcher_folder_is_the_program_folder(tmp_path, monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.delenv(ENV_DB, raising=False)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "portable.txt").write_text("", "utf-8")
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "bin" / "lotsen")])
    assert not is_portable()  # the marker is for the built app; a Python install asks with --portable
    assert default_db_path(portable=True) == tmp_path / "bin" / "data" / "lotsen.sqlite"


@pytest.mark.parametrize("args", [["--portable", "self-test"], ["self-test", "--portable"]])
def test_portable_option_reaches_the_command(frozen, args, capsys):
    """Before or after the subcommand: the run's log folder is made in the portable folder."""
    assert main([*args, "--utan-qt"]) == 0
    assert (frozen / "data" / "logs").is_dir()


@pytest.mark.parametrize("before", [True, False])
def test_db_option_before_or_after_the_subcommand(frozen, tmp_path, before, capsys):
    db = tmp_path / "annan" / "lotsen.sqlite"
    args = ["--db", str(db), "self-test", "--utan-qt"] if before else ["self-test", "--utan-qt", "--db", str(db)]
    assert main(args) == 0
    assert (db.parent / "logs").is_dir()
    assert not (frozen / "data").exists()
