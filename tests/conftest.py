"""Shared fixtures. Qt runs offscreen. Every test that uses a database runs on both backends: its own SQLite
file, and its own database on a throwaway PostgreSQL server (tests/pg.py) when the server's binaries are found.
Both start from a template migrated once per session. `--backend sqlite|postgresql` (or LOTSEN_TEST_BACKEND)
runs one lane only; a test of a file-only feature is marked `file_only("why")` and skipped on the server."""

from __future__ import annotations

import itertools
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import make_url

from app.context import AppContext, sign_in
from app.database import open_database, upgrade_server
from app.location import Server
from tests import pg
from tests.pg import pg_server  # noqa: F401 - fixture

TODAY = date(2026, 11, 22)
BACKENDS = ("sqlite", "postgresql")
PG_SKIPPED: list[str] = []  # why the PostgreSQL lane did not run, for the summary


def pytest_addoption(parser):
    parser.addoption("--backend", choices=("both", *BACKENDS), default=os.environ.get("LOTSEN_TEST_BACKEND", "both"),
                     help="the database backends to run the suite on (default: both)")


def pytest_configure(config):
    config.addinivalue_line("markers", "file_only(reason): a feature of a database file; not run on the server")
    config.addinivalue_line("markers", "unconfigured_sender: tests/letters leaves the letter sender unset")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--backend")
        metafunc.parametrize("backend", BACKENDS if chosen == "both" else (chosen,))


def pytest_terminal_summary(terminalreporter, config):
    if PG_SKIPPED:
        terminalreporter.write_line(f"PostgreSQL lane SKIPPED: {PG_SKIPPED[0]}", yellow=True, bold=True)
    elif config.getoption("--backend") in ("both", "postgresql"):
        terminalreporter.write_line("PostgreSQL lane ran (a throwaway server from tests/pg.py).", green=True)


@pytest.fixture(autouse=True)
def user_settings(tmp_path_factory) -> Path:
    """Each test's own per-user settings (ui.remembered): never the real user's (HKCU, ~/.config)."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A database file migrated once; each test copies it (the template has no open connection)."""
    path = tmp_path_factory.mktemp("mall") / "lotsen.sqlite"
    open_database(path).close()
    return path


@pytest.fixture(scope="session")
def pg_template(request) -> pg.Server:
    """The throwaway server with a migrated template database that each test's database is created from."""
    if pg.server_binaries() is None:
        PG_SKIPPED.append("no PostgreSQL server binaries (initdb, pg_ctl) on PATH, in /usr/lib/postgresql or in "
                          f"${pg.ENV_BIN}; install Debian's postgresql package to run it")
    else:
        try:
            server = request.getfixturevalue("pg_server")
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            PG_SKIPPED.append(f"the throwaway PostgreSQL server did not start: {exc}")
    if PG_SKIPPED:
        pytest.skip(PG_SKIPPED[0])
    upgrade_server(Server(make_url(server.url(pg.create_database(server, pg.TEMPLATE)))))
    return server


@pytest.fixture
def db_path(backend: str, tmp_path: Path, request):
    """Where the test's database is: a file path (not created yet) or, on the server, a database made from the
    migrated template (Server; str() gives its URL for --db)."""
    if backend == "sqlite":
        yield tmp_path / "lotsen.sqlite"
        return
    if (marker := request.node.get_closest_marker("file_only")) is not None:
        pytest.skip(f"file only: {marker.args[0]}")
    server = request.getfixturevalue("pg_template")
    name = pg.create_database(server, template=pg.TEMPLATE)
    yield Server(make_url(server.url(name)))
    pg.drop_database(server, name)


@pytest.fixture
def ctx(db_path, sqlite_template):
    """A signed-in case worker on a fresh database, with a fixed today."""
    if isinstance(db_path, Path):
        shutil.copyfile(sqlite_template, db_path)
    db = open_database(db_path)
    context: AppContext = sign_in(db, "anna.lots", "Anna Lots")
    context.today = lambda: TODAY
    yield context
    db.close()


@pytest.fixture
def second(ctx, db_path):
    """Another instance of Lotsen (its own engine) on the same file, another case worker."""
    db = open_database(db_path)
    other = sign_in(db, "bo.lots", "Bo Lots")
    other.today = lambda: TODAY
    yield other
    db.close()


_logins = itertools.count()


def _own_login(db_path, request, role: str, name: str):
    """Where a command run by a user connects. A file: the file itself (the user is the operating-system login).
    The server: the test's database under a login role of its own in the role's group (`lotsen db init-roles`,
    `lotsen db add-user`), since there the server says who the user is, never the command line."""
    if not isinstance(db_path, Server):
        return db_path
    from app import server_admin

    request.getfixturevalue("pg_template")
    login = f"{name.lower().replace(' ', '.')}.{os.getpid()}.{next(_logins)}"  # login roles are the cluster's
    server_admin.init_roles(db_path)
    server_admin.add_user(db_path, login, role, name)
    return Server(db_path.url.set(username=login))  # the throwaway server trusts its local socket


@pytest.fixture
def case_worker_db(db_path, request):
    """The database as a vårdlots's command reaches it (_own_login)."""
    return _own_login(db_path, request, "vårdlots", "Kalle Lots")


@pytest.fixture
def administrator_db(db_path, request):
    """The database as an administratör's command reaches it (_own_login). On a file the first user of a new
    database is its administratör: sign in someone else first there."""
    return _own_login(db_path, request, "administratör", "Ada Admin")
