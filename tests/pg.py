"""A throwaway PostgreSQL server for tests: one cluster per test session in a temporary folder (initdb, pg_ctl),
reached through its Unix socket (trust) and on loopback (passwords), and a fresh database per test.

Plain functions (`start_server`, `new_database`) so that a wider PostgreSQL lane can reuse them; the fixtures
`pg_server` and `pg_url` skip with a reason when no server binaries are found. As root (postgres refuses to run
as root), the server runs as the user LOTSEN_PG_USER names, or `postgres` when that user exists."""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from glob import glob
from pathlib import Path

import pytest

ENV_BIN = "LOTSEN_PG_BIN"    # folder of initdb and pg_ctl, when they are not on PATH
ENV_USER = "LOTSEN_PG_USER"  # the user the server runs as when the tests run as root


@dataclass(frozen=True)
class Server:
    socket_dir: Path
    port: int
    user: str  # the cluster's superuser role

    tcp_port: int = 0  # loopback; password authentication (scram) there, trust on the socket

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.tcp_port}/{database}"


def server_binaries() -> Path | None:
    """The folder with initdb and pg_ctl: LOTSEN_PG_BIN, PATH, or the newest /usr/lib/postgresql/*/bin."""
    candidates = [os.environ.get(ENV_BIN), os.path.dirname(shutil.which("initdb") or ""),
                  *sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)]
    return next((Path(c) for c in candidates if c and (Path(c) / "pg_ctl").exists()), None)


def _run_as() -> list[str]:
    """The command prefix that runs the server as a non-root user (empty when not root)."""
    if os.geteuid() != 0:
        return []
    user = os.environ.get(ENV_USER, "postgres")
    try:
        pwd.getpwnam(user)
    except KeyError:
        raise RuntimeError(f"running as root: set {ENV_USER} to a user that may run the PostgreSQL server") \
            from None
    return ["runuser", "-u", user, "--"]


def start_server() -> Server:
    """Start a new cluster in a temporary folder; it is stopped and deleted when the process exits."""
    binaries = server_binaries()
    if binaries is None:
        raise FileNotFoundError(f"no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in ${ENV_BIN}")
    prefix = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="lotsen-pg-"))
    if prefix:
        shutil.chown(folder, prefix[2])
    data = folder / "data"
    subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8", "--locale=C", "--no-sync"], check=True, capture_output=True)
    tcp_port = _free_port()
    options = (f"-k {folder} -p {tcp_port} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c full_page_writes=off -c max_connections=300")
    pg_ctl = [*prefix, str(binaries / "pg_ctl"), "-D", str(data)]
    subprocess.run([*pg_ctl, "-o", options, "-l", str(folder / "server.log"), "-w", "start"], check=True,
                   capture_output=True)

    def stop() -> None:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return Server(folder, tcp_port, "postgres", tcp_port)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_names = itertools.count(1)
TEMPLATE = "lotsen_template"  # migrated once per session (tests/conftest.py); each test's database copies it


def _admin(server: Server, statement: str, database: str = "postgres") -> None:
    import psycopg

    with psycopg.connect(host=str(server.socket_dir), port=server.port, user=server.user, dbname=database,
                         autocommit=True) as connection:
        connection.execute(statement)


def create_database(server: Server, name: str | None = None, template: str | None = None) -> str:
    """A new database (empty, or a copy of `template`, which must have no open connection); its name."""
    name = name or f"lotsen_test_{os.getpid()}_{next(_names)}"
    _admin(server, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def drop_database(server: Server, name: str) -> None:
    _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_database(server: Server) -> str:
    """A new empty database on the server; its SQLAlchemy URL."""
    return server.url(create_database(server))


@pytest.fixture(scope="session")
def pg_server() -> Server:
    if server_binaries() is None:
        pytest.skip(f"PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in ${ENV_BIN}")
    pytest.importorskip("psycopg", reason="the PostgreSQL driver psycopg is not installed")
    return start_server()


@pytest.fixture
def pg_url(pg_server: Server) -> str:
    """The URL of a fresh, empty database (postgresql+psycopg://...)."""
    return new_database(pg_server)
