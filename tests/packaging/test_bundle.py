"""Build the PyInstaller bundle (as on the Windows build machine, here on Linux) and run it headless.

Slow (about 1.5 minutes on 2 cores) and needs pyinstaller: `python -m pytest -m slow tests/packaging`.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.bundle import ROOT, load_build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    pytest.importorskip("PyInstaller")
    build = load_build()
    out = tmp_path_factory.mktemp("bundle")
    result = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--no-check",
                             "--dist", str(out / "dist"), "--work", str(out / "work")],
                            capture_output=True, text=True, timeout=1200, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return build, out / "dist" / "Lotsen", out


def lotsen_cli(bundle: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    """Headless, with a scratch home so that nothing reaches this machine's own Lotsen data."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    env.pop("LOTSEN_DB", None)
    return subprocess.run([str(bundle / "lotsen-cli"), *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_bundle_has_what_the_app_needs(built):
    build, bundle, _ = built
    assert build.missing_files(bundle) == []
    assert (bundle / "Lotsen").is_file() and (bundle / "lotsen-cli").is_file()


def test_version_from_both_executables(built):
    build, bundle, out = built
    expected = f"Lotsen {build.project_version()}"
    assert lotsen_cli(bundle, "--version", home=out).stdout.strip() == expected
    windowed = subprocess.run([str(bundle / "Lotsen"), "--version"], capture_output=True, text=True, timeout=120,
                              check=False)
    assert windowed.stdout.strip() == expected


def test_every_subcommand_is_found_in_the_bundle(built):
    _, bundle, out = built
    shown = lotsen_cli(bundle, "--help", home=out).stdout
    from ui.cli import parser

    names = next(a.choices for a in parser()._actions if a.dest == "command")  # as discovered from the source
    assert len(names) >= 5 and all(f"    {name}" in shown for name in names), shown


def test_self_test_passes_in_the_bundle(built, tmp_path):
    _, bundle, _ = built
    result = lotsen_cli(bundle, "--db", str(tmp_path / "lotsen.sqlite"), "self-test", home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Självtestet lyckades" in result.stdout
    assert "OK   Qt: plattform offscreen" in result.stdout


def test_an_old_database_is_backed_up_and_migrated_by_the_bundle(built, tmp_path):
    from db import migrate
    from db.engine import make_engine

    _, bundle, _ = built
    old = tmp_path / "gammal.sqlite"
    engine = make_engine(old)
    migrate.upgrade_to(engine, "0001")
    engine.dispose()
    # The export stops at the missing SKR settings; opening the database has migrated it by then.
    lotsen_cli(bundle, "--db", str(old), "export", "--month", "2026-10", "--out", str(tmp_path), home=tmp_path)
    with sqlite3.connect(old) as connection:
        revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    assert revisions == migrate.head_revisions()
    backups = list((tmp_path / "backups").glob("gammal-*.sqlite"))
    assert len(backups) == 1


def test_portable_marker_keeps_data_beside_the_program(built, tmp_path):
    _, bundle, _ = built
    marker = bundle / "portable.txt"
    marker.write_text("", "utf-8")
    try:
        result = lotsen_cli(bundle, "demo", "--cases", "3", home=tmp_path)
    finally:
        marker.unlink()
    assert result.returncode == 0, result.stderr
    assert (bundle / "data" / "lotsen.sqlite").is_file()
    assert not (tmp_path / "data" / "Lotsen").exists()  # nothing in the user's data dir
