"""Connecting to the team server: what --db and the connection profile accept, a server at another revision, an
unreachable server, wrong credentials, TLS, a connection dropped in the middle of a save; `lotsen db upgrade`
and `lotsen db copy`. These run against the throwaway PostgreSQL server (tests/pg.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import make_url, select

from app import cases
from app.audit.verify import verify_log
from app.context import sign_in
from app.database import SAVE_NOT_MADE, PasswordNeeded, open_database
from app.errors import ConnectionLost, InputError, LoginRefused, StorageError
from app.letters import LetterType, generate
from app.letters.archive import open_letter
from app.location import Server, default_location, parse
from db import migrate
from db.engine import make_server_engine
from db.models import Setting
from tests import pg
from tests.letters.scenario import configure_sender
from tests.protection.helpers import open_case

ROOT = Path(__file__).resolve().parents[2]


def lotsen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


def server_db(server: pg.Server, template: str | None = None) -> Server:
    return Server(make_url(server.url(pg.create_database(server, template=template))))


@pytest.mark.parametrize("text", ["lotsen.sqlite", "C:\\Lotsen\\lotsen.sqlite", "/data/lotsen.sqlite",
                                  "\\\\filserver\\lotsen\\lotsen.sqlite"])
def test_paths_are_files(text):
    assert parse(text) == Path(text)


@pytest.mark.parametrize("text", ["postgresql://lotsen.region.se/lotsen?sslmode=verify-full",
                                  "postgres://lotsen.region.se:5433/lotsen", "postgresql+psycopg://h/lotsen"])
def test_postgresql_urls_are_servers(text):
    server = parse(text)
    assert isinstance(server, Server) and server.url.drivername == "postgresql+psycopg"
    assert server.url.database == "lotsen"


def test_other_urls_are_refused_and_never_become_a_file(tmp_path):
    with pytest.raises(InputError, match="mysql:// stöds inte"):
        parse("mysql://anna:hemligt@server/lotsen")
    run = lotsen("--db", "mysql://anna:hemligt@server/lotsen", "verify-log", cwd=tmp_path)
    assert run.returncode == 2 and "stöds inte" in run.stderr and "Traceback" not in run.stderr
    assert not any("hemligt" in str(p) or "mysql" in str(p) for p in tmp_path.rglob("*"))


def test_the_connection_profile_makes_case_workers_just_start_lotsen(tmp_path, monkeypatch):
    profile = tmp_path / "lotsen-server.toml"
    profile.write_text('[server]\nurl = "postgresql://lotsen.region.se/lotsen?sslmode=verify-full"\n')
    monkeypatch.setenv("LOTSEN_PROFILE", str(profile))
    monkeypatch.delenv("LOTSEN_DB", raising=False)
    assert default_location() == parse("postgresql://lotsen.region.se/lotsen?sslmode=verify-full")
    assert default_location("min.sqlite") == Path("min.sqlite")  # --db still wins
    profile.write_text('[server]\nurl = "postgresql://anna:hemligt@lotsen.region.se/lotsen"\n')
    with pytest.raises(InputError, match="lösenord"):
        default_location()


def test_a_server_at_another_revision_is_refused_naming_both(pg_server):
    empty = server_db(pg_server)
    with pytest.raises(StorageError, match="inte förberedd.*lotsen db upgrade"):
        open_database(empty)
    engine = make_server_engine(empty.url)
    migrate.upgrade_to(engine, "0007")
    engine.dispose()
    heads = ", ".join(sorted(migrate.head_revisions()))
    with pytest.raises(StorageError, match=f"version 0007.*kräver version {heads}.*lotsen db upgrade"):
        open_database(empty)
    run = lotsen("db", "upgrade", "--db", str(empty))
    assert run.returncode == 0, run.stderr
    assert f"version {heads} (var 0007)" in run.stdout
    open_database(empty).close()


def test_an_unreachable_server_is_told_in_swedish(pg_server, tmp_path):
    nowhere = Server(make_url(f"postgresql+psycopg://postgres@/lotsen?host={tmp_path}&port=1"))
    with pytest.raises(StorageError, match="kunde inte nås") as raised:
        open_database(nowhere)
    assert "Traceback" not in raised.value.message


def test_wrong_or_missing_password_and_tls(pg_template):
    pg_server = pg_template
    database = server_db(pg_server, pg.TEMPLATE)
    pg._admin(pg_server, "CREATE ROLE lotsen_pw LOGIN PASSWORD 'rätt-lösen'")
    pg._admin(pg_server, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO lotsen_pw", database.url.database)
    tcp = pg_server.tcp_url(database.url.database)  # password authentication needs TCP (trust on the socket)
    person = Server(make_url(tcp).set(username="lotsen_pw"))
    with pytest.raises(PasswordNeeded):
        open_database(person)
    with pytest.raises(LoginRefused, match="godtog inte din inloggning"):
        open_database(person.with_password("fel"))
    open_database(person.with_password("rätt-lösen")).close()
    with pytest.raises(StorageError, match="TLS"):
        open_database(Server(person.with_password("rätt-lösen").url.update_query_dict({"sslmode": "require"})))


def test_a_connection_dropped_in_the_middle_of_a_save_is_told_and_nothing_half_saved(pg_template):
    pg_server = pg_template
    db = open_database(server_db(pg_server, pg.TEMPLATE))
    ctx = sign_in(db, "anna.lots", "Anna Lots")
    opened = open_case(ctx)
    with pytest.raises(ConnectionLost) as raised, db.transaction() as session:
        session.add(Setting(key="halvsparad", value=1))
        session.flush()
        pg._admin(pg_server, f"SELECT pg_terminate_backend({session.connection().connection.dbapi_connection.info.backend_pid})")
        session.execute(select(1))
    assert raised.value.message == SAVE_NOT_MADE
    with db.reading() as session:  # the pool replaces the dropped connection; the half save is not there
        assert session.get(Setting, "halvsparad") is None
    assert cases.record_contact(ctx, opened.step_id, date(2026, 11, 1), "telefon") > 0
    db.close()


def test_db_copy_moves_a_file_all_or_nothing(ctx, db_path, pg_server, backend):
    if backend != "sqlite":
        pytest.skip("copies a database file to the server")
    first = open_case(ctx)
    cases.record_contact(ctx, first.step_id, date(2026, 10, 5), "telefon")
    configure_sender(ctx)
    (letter,) = generate(ctx, LetterType.INFORMATION, [first.step_id]).letters  # a PDF in the letters folder
    ctx.db.close()
    target = server_db(pg_server)
    run = lotsen("db", "copy", "--from", str(db_path), "--to", str(target))
    assert run.returncode == 0, run.stderr
    assert "loggen över åtkomst är hel" in run.stdout and "1 skickade brev finns nu i databasen" in run.stdout
    db = open_database(target)
    assert verify_log(db).ok
    moved = sign_in(db, "anna.lots", "Anna Lots")
    assert open_letter(moved, letter.event_id).pdf == letter.file.read_bytes()  # colleagues can open it now
    second = open_case(moved, name="Per Lund", serial=433)  # the sequences follow the copied ids
    assert second.case_id > first.case_id and second.step_id > first.step_id
    db.close()
    again = lotsen("db", "copy", "--from", str(db_path), "--to", str(target))
    assert again.returncode == 1 and "redan innehåll" in again.stderr


def test_demo_on_a_server_prepares_it_and_new_cases_follow_the_demo_ids(pg_server):
    target = server_db(pg_server)  # empty: `lotsen demo` brings it to this version first
    run = lotsen("demo", "--cases", "40", "--db", str(target))
    assert run.returncode == 0, run.stderr
    db = open_database(target)
    ctx = sign_in(db, "anna.lots", "Anna Lots")  # a user id after the demo's users
    opened = open_case(ctx, name="Per Lund", serial=433)  # patient, case and step ids after the demo's
    assert opened.case_id == 40 * 5 + 1
    db.close()
    again = lotsen("demo", "--cases", "40", "--db", str(target))
    assert again.returncode == 2 and "redan patienter" in again.stderr
