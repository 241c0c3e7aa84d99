"""The team server enforces identity, roles and the access log itself: each case worker connects as their own
password role (Kerberos in production), and raw SQL as each role shows that every forbidden read or write fails.
PostgreSQL only: a file has no roles."""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy import make_url, select

from app import server_admin, users
from app.audit import anchors, chain
from app.audit.verify import verify_log
from app.context import sign_in
from app.database import open_database
from app.errors import LoginRefused, PermissionDenied
from app.location import Server
from app.roles import ROLE_NAMES, Role
from app.rule_settings import change_rules
from app.server_roles import GROUPS, REPORTING, TABLES, grants
from db.models import AccessLog, Setting, User
from tests import pg
from tests.protection.helpers import open_case
from tests.server.test_connecting import lotsen

PASSWORD = "hemligt-lösen"
_runs = itertools.count(1)


@dataclass
class Team:
    server: pg.Server
    database: str
    owner: Server  # IT's connection as the database's owner
    logins: dict[Role, str]

    def url(self, login: str, password: str = PASSWORD) -> str:
        return f"postgresql+psycopg://{login}:{password}@127.0.0.1:{self.server.tcp_port}/{self.database}"

    def location(self, role: Role) -> Server:
        return Server(make_url(self.url(self.logins[role])))

    def connect(self, role: Role | str) -> psycopg.Connection:
        """Raw SQL as the role, the way any tool a user has could send it."""
        login = self.logins[role] if isinstance(role, Role) else role
        return psycopg.connect(host="127.0.0.1", port=self.server.tcp_port, dbname=self.database, user=login,
                               password=PASSWORD, autocommit=True)


@pytest.fixture
def team(pg_template) -> Team:
    """A database prepared by IT: `lotsen db init-roles`, then `lotsen db add-user` for three people."""
    server = pg_template
    name = pg.create_database(server, template=pg.TEMPLATE)
    owner = Server(make_url(server.url(name)))
    server_admin.init_roles(owner)
    tag = f"{os.getpid()}.{next(_runs)}"  # logins are the cluster's: one set per test
    logins = {Role.ADMINISTRATOR: f"ada.admin.{tag}", Role.VARDLOTS: f"vera.lots.{tag}",
              Role.GRANSKARE: f"greta.gransk.{tag}"}
    for role, login in logins.items():
        server_admin.add_user(owner, login, ROLE_NAMES[role], login.split(".")[0].title())
        pg._admin(server, f"ALTER ROLE \"{login}\" PASSWORD '{PASSWORD}'")
    yield Team(server, name, owner, logins)
    pg.drop_database(server, name)


def test_it_prepares_the_server_with_two_commands(pg_template):
    owner = Server(make_url(pg_template.url(pg.create_database(pg_template, template=pg.TEMPLATE))))
    login = f"cli.lots.{os.getpid()}"
    refused = lotsen("db", "add-user", login, "--db", str(owner))
    assert refused.returncode == 1 and "Kör först lotsen db init-roles" in refused.stderr
    for _ in range(2):  # idempotent
        run = lotsen("db", "init-roles", "--db", str(owner))
        assert run.returncode == 0 and "rollerna för Lotsen finns" in run.stdout, run.stderr
    run = lotsen("db", "add-user", login, "--role", "granskare", "--name", "Cli Lots", "--db", str(owner))
    assert run.returncode == 0 and f"{login} kan logga in i Lotsen" in run.stdout and "granskare" in run.stdout
    wrong = lotsen("db", "add-user", "REGION\\Anna", "--role", "chef", "--db", str(owner))
    assert wrong.returncode == 1 and "Roll" in wrong.stderr and "ingen roll i Lotsen" in wrong.stderr
    pg.drop_database(pg_template, owner.url.database)


def test_every_table_has_its_privileges_and_no_client_owns_one(team):
    with psycopg.connect(host=str(team.server.socket_dir), port=team.server.port, user=team.server.user,
                         dbname=team.database) as raw:
        tables = raw.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' UNION "
                             "SELECT viewname, viewowner FROM pg_views WHERE schemaname = 'public'").fetchall()
    assert {name for name, _ in tables} == set(TABLES)  # a new table needs its line in app.server_roles.TABLES
    assert {owner for _, owner in tables} == {team.server.user}
    assert not any("access_log" in g and "INSERT" in g for group in [*GROUPS.values(), REPORTING]
                   for g in grants(group))


def test_each_user_is_the_servers_login_with_the_groups_role(team, monkeypatch):
    for role in GROUPS:
        monkeypatch.setenv("LOGNAME", team.logins[Role.ADMINISTRATOR])  # never the environment
        monkeypatch.setenv("USER", team.logins[Role.ADMINISTRATOR])
        db = open_database(team.location(role))
        try:
            ctx = sign_in(db)
            assert ctx.role == role.value
            with db.reading() as session:
                assert session.get(User, ctx.user_id).login == team.logins[role]
            other = team.logins[Role.VARDLOTS if role != Role.VARDLOTS else Role.ADMINISTRATOR]
            with pytest.raises(PermissionDenied, match="kan inte använda Lotsen som"):
                sign_in(db, other)
        finally:
            db.close()


def test_a_login_unknown_to_lotsen_is_told_to_ask_it(team):
    pg._admin(team.server, f"CREATE ROLE \"okand.{team.database}\" LOGIN PASSWORD '{PASSWORD}'")
    pg._admin(team.server, f"GRANT CONNECT ON DATABASE {team.database} TO \"okand.{team.database}\"")
    with pytest.raises(LoginRefused, match="har ingen behörighet till Lotsen.*Be IT ge dig behörighet"):
        open_database(Server(make_url(team.url(f"okand.{team.database}"))))
    # a login in a group but not added to Lotsen (IT granted the group by hand)
    pg._admin(team.server, f"GRANT lotsen_vardlots TO \"okand.{team.database}\"")
    db = open_database(Server(make_url(team.url(f"okand.{team.database}"))))
    try:
        with pytest.raises(PermissionDenied, match="finns inte bland Lotsens användare. Be IT"):
            sign_in(db)
    finally:
        db.close()


def test_the_server_writes_the_log_as_the_login_whatever_the_client_says(team, tmp_path, monkeypatch):
    monkeypatch.setenv(anchors.ENV_FOLDERS, str(tmp_path / "share"))  # the share every user's anchors go to
    admin_db, worker_db = open_database(team.location(Role.ADMINISTRATOR)), open_database(team.location(Role.VARDLOTS))
    try:
        admin, worker = sign_in(admin_db), sign_in(worker_db)
        opened = open_case(worker)
        with team.connect(Role.VARDLOTS) as raw:  # a forged user id and time are ignored
            raw.execute("SELECT lotsen_log_append(%s::jsonb)",
                        (f'[{{"user_id": {admin.user_id}, "action": "läsning", "at": "2020-01-01"}}]',))
        with team.connect(Role.GRANSKARE) as raw:
            rows = raw.execute("SELECT user_id, patient_id, at FROM access_log ORDER BY id").fetchall()
        assert {r[0] for r in rows} == {worker.user_id}
        assert rows[0][1] == opened.patient_id and rows[-1][2].year > 2020
        # a case worker anchors the head daily without reading the log (lotsen_log_head)
        anchor = anchors.anchor_if_due(worker_db)
        assert anchor is not None and anchor.id == max(r[0] for r in raw_ids(team))
        reviewer_db = open_database(team.location(Role.GRANSKARE))
        try:
            result = verify_log(reviewer_db)  # `lotsen verify-log` as the granskare
            assert result.ok and result.anchors >= 1, result.message()
        finally:
            reviewer_db.close()
    finally:
        admin_db.close()
        worker_db.close()


def raw_ids(team: Team) -> list[tuple[int]]:
    with team.connect(Role.GRANSKARE) as raw:
        return raw.execute("SELECT id FROM access_log").fetchall()


def test_concurrent_writers_keep_one_chain(team):
    db = open_database(team.location(Role.VARDLOTS))
    worker = sign_in(db)
    db.close()

    def write(n: int, own) -> None:
        try:
            for i in range(15):
                with own.transaction() as session:
                    chain.append_many(session, [{"user_id": 0, "action": "läsning", "detail": f"{n}.{i}.{j}"}
                                                for j in range(3)])
        finally:
            own.close()

    threads = [threading.Thread(target=write, args=(n, open_database(team.location(Role.VARDLOTS)))) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    owner = open_database(team.owner)
    try:
        result = verify_log(owner)
        assert result.ok and result.checked == 4 * 15 * 3
        with owner.reading() as session:
            assert set(session.scalars(select(AccessLog.user_id))) == {worker.user_id}
    finally:
        owner.close()


def forbidden(raw: psycopg.Connection, statement: str, *params) -> None:
    with pytest.raises(psycopg.Error) as raised:
        raw.execute(statement, params or None)
    assert raised.value.sqlstate in ("42501", "42P01"), (statement, raised.value)  # insufficient privilege


LOG_CHANGES = ["UPDATE access_log SET detail = 'ändrad'", "DELETE FROM access_log", "TRUNCATE access_log",
               "INSERT INTO access_log (user_id, action) VALUES (1, 'falsk')",
               "ALTER FUNCTION lotsen_log_append(jsonb) SECURITY INVOKER", "DROP FUNCTION lotsen_log_append(jsonb)",
               "DROP TRIGGER access_log_no_update ON access_log", "ALTER TABLE access_log DISABLE TRIGGER ALL",
               "ALTER TABLE setting DISABLE ROW LEVEL SECURITY"]


def test_no_role_may_change_the_log_or_its_guards(team):
    db = open_database(team.location(Role.VARDLOTS))
    open_case(sign_in(db))
    db.close()
    for role in GROUPS:
        with team.connect(role) as raw:
            for statement in LOG_CHANGES:
                forbidden(raw, statement)


def test_a_case_worker_may_not_change_settings_users_or_roles(team):
    db = open_database(team.location(Role.ADMINISTRATOR))
    change_rules(sign_in(db), {"active_waiting_days": 30})
    db.close()
    with team.connect(Role.VARDLOTS) as raw:
        forbidden(raw, "INSERT INTO setting (key, value, changed_at) VALUES ('letters.sender', '{}', now())")
        changed = raw.execute("UPDATE setting SET value = '{\"active_waiting_days\": 7}' "
                              "WHERE key = 'rules.overrides'")
        assert changed.rowcount == 0  # row-level security: the row is not the case worker's to change
        forbidden(raw, "UPDATE app_user SET role = 'administrator'")
        forbidden(raw, "INSERT INTO app_user (login, display_name, role, active, created_at) "
                       "VALUES ('smyg', 'Smyg', 'administrator', true, now())")
        forbidden(raw, "SELECT lotsen_set_login(%s, false)", team.logins[Role.ADMINISTRATOR])
        forbidden(raw, "SELECT lotsen_grant_role(%s, 'lotsen_administrator')", team.logins[Role.VARDLOTS])
        forbidden(raw, f"GRANT lotsen_administrator TO \"{team.logins[Role.VARDLOTS]}\"")
        forbidden(raw, "SELECT * FROM access_log")
        forbidden(raw, "CREATE TABLE egen (id integer)")
    # their own saved filters are theirs to write
    db = open_database(team.location(Role.VARDLOTS))
    worker = sign_in(db)
    from app.settings import SAVED_FILTERS, update_setting

    update_setting(db, SAVED_FILTERS.format(user_id=worker.user_id), lambda v: {"mina": {}}, worker.user_id)
    with db.reading() as session:
        assert session.get(Setting, "rules.overrides").value["active_waiting_days"] == 30
    db.close()


def test_a_reviewer_reads_the_log_but_not_the_care(team):
    db = open_database(team.location(Role.VARDLOTS))
    open_case(sign_in(db))
    db.close()
    with team.connect(Role.GRANSKARE) as raw:
        assert raw.execute("SELECT count(*) FROM access_log").fetchone()[0] > 0
        assert raw.execute("SELECT patient_id, assigned_user_id FROM case_file").fetchall()
        for table in ("step", "case_event", "worklist_entry", "event_correction", "import_link", "provider"):
            forbidden(raw, f"SELECT * FROM {table}")
        forbidden(raw, "SELECT * FROM case_file")
        forbidden(raw, "UPDATE patient SET name = 'x'")
    with team.connect(Role.ADMINISTRATOR) as raw:  # separation of duties: the administratör does not read the log
        forbidden(raw, "SELECT * FROM access_log")
    pg._admin(team.server, f"CREATE ROLE \"rapport.{team.database}\" LOGIN PASSWORD '{PASSWORD}' IN ROLE {REPORTING}")
    with team.connect(f"rapport.{team.database}") as raw:
        assert raw.execute("SELECT count(*) FROM step").fetchone()[0] == 1
        for table in ("patient", "access_log", "app_user", "setting"):
            forbidden(raw, f"SELECT * FROM {table}")
        forbidden(raw, "UPDATE step SET code = 'x'")


def test_a_deactivated_user_loses_login_and_their_open_sessions_end(team):
    admin_db = open_database(team.location(Role.ADMINISTRATOR))
    worker_db = open_database(team.location(Role.VARDLOTS))
    try:
        admin, worker = sign_in(admin_db), sign_in(worker_db)
        open_session = team.connect(Role.VARDLOTS)
        users.set_active(admin, worker.user_id, False)
        with pytest.raises(psycopg.OperationalError):
            open_session.execute("SELECT 1")
        with pytest.raises(LoginRefused, match="avstängd: användaren är inaktiverad"):
            open_database(team.location(Role.VARDLOTS))
        users.set_active(admin, worker.user_id, True)
        open_database(team.location(Role.VARDLOTS)).close()
        # the role comes from the group: an administratör hands it out, the server follows
        users.set_role(admin, worker.user_id, Role.GRANSKARE)
        again = open_database(team.location(Role.VARDLOTS))
        assert sign_in(again).role == Role.GRANSKARE
        again.close()
    finally:
        admin_db.close()
        worker_db.close()


def test_the_server_hash_is_the_python_rule(team):
    """app.audit.chain.digest_sql against row_digest, for texts that JSON escapes."""
    from datetime import UTC, datetime

    texts = ["vanlig", "åäö ÅÄÖ", 'citat " och \\ snedstreck', "rad\nbrytning\ttab\r", "\x01\x1f\x7f", "€ 😀 ✓",
             "</script>", "", None]
    with team.connect(Role.GRANSKARE) as raw:
        for i, detail in enumerate(texts):
            content = {"id": i + 1, "at": datetime(2026, 11, 22, 8, 5, 3, 12345 * i, tzinfo=UTC), "user_id": 3,
                       "patient_id": None if i % 2 else 77, "case_id": 5, "action": "läsning", "detail": detail,
                       "unit": "Vårdlotsen, Malmö"}
            values = {name: f"%({name})s" for name in content}
            sql = chain.digest_sql("%(prev)s", values).replace("%(at)s", "%(at)s::timestamptz")
            for name in ("id", "user_id", "patient_id", "case_id"):
                sql = sql.replace(f"%({name})s", f"%({name})s::integer")
            for name in ("action", "detail", "unit"):
                sql = sql.replace(f"%({name})s", f"%({name})s::text")
            got = raw.execute(f"SELECT {sql}", {**content, "prev": "ab" * 32}).fetchone()[0]
            assert got == chain.row_digest("ab" * 32, content), detail


def test_each_role_does_its_work_through_lotsen_under_the_servers_grants(team, tmp_path):
    """The grants are enough for the app's own work: a case worker's day, an administratör's changes, a granskare's
    review and a patient's log extract."""
    from datetime import date

    from app import cases, worklist
    from app.audit import extract, review
    from app.identity import display_id, make_personnummer
    from app.worklist import Filter, SortOrder

    dbs = {role: open_database(team.location(role)) for role in GROUPS}
    try:
        admin, worker, reviewer = (sign_in(dbs[r]) for r in (Role.ADMINISTRATOR, Role.VARDLOTS, Role.GRANSKARE))
        for ctx in (admin, worker, reviewer):
            ctx.today = lambda: date(2026, 11, 22)
        opened = open_case(worker)
        cases.record_contact(worker, opened.step_id, date(2026, 10, 5), "telefon")
        cases.assign(worker, opened.case_id, worker.user_id)
        cases.view_case(worker, opened.case_id)
        ids = worklist.open_step_ids(worker, Filter(), SortOrder())
        assert [row.step_id for row in worklist.rows_for(worker, ids)] == [opened.step_id]
        worklist.save_filter(worker, "Mina", Filter())
        change_rules(admin, {"active_waiting_days": 30})
        new_id = users.add_user(admin, f"nils.ny.{team.database}", "Nils Ny")
        users.set_role(admin, new_id, Role.GRANSKARE)
        with team.connect(Role.GRANSKARE) as raw:  # the login exists, in the granskare group only
            groups = raw.execute("SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                                 "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
                                 (f"nils.ny.{team.database}",)).fetchall()
        assert groups == [("lotsen_granskare",)]
        total, rows = review.search(reviewer, review.LogFilter())
        assert total >= 4 and {r.user for r in rows} == {"Vera"}
        review.record_review(reviewer, rows[0].id, review.Outcome.JUSTIFIED, "kontrollerad")
        review.unusual_access(reviewer)
        made = extract.patient_extract(reviewer, display_id(make_personnummer(date(1958, 3, 14), 421)))
        assert made.rows and made.patient_name == "Karin Berg"
        with pytest.raises(PermissionDenied):  # and the app says why before the server refuses
            cases.view_case(reviewer, opened.case_id)
        from app import register

        assert register.save_provider(worker, register.ProviderData("Privatkliniken Syd", "12")) > 0
        with pytest.raises(PermissionDenied, match="får inte ändra registret"):
            register.save_provider(reviewer, register.ProviderData("Smygkliniken", "12"))
        with team.connect(Role.GRANSKARE) as raw:
            forbidden(raw, "INSERT INTO provider (name, public, region_code) VALUES ('Smyg', false, '12')")
    finally:
        for db in dbs.values():
            db.close()


def test_a_case_worker_reconciles_a_whole_list_under_the_servers_grants(team, tmp_path):
    """The import's bulk paths (COPY, new ids drawn from the sequences, updates in batches, the worklist's bulk
    refresh) need no more than the grants of a case worker."""
    from datetime import date

    from app import importer
    from tests.importer.lists import HEADINGS, waiting_rows, write_csv

    db = open_database(team.location(Role.VARDLOTS))
    try:
        worker = sign_in(db)
        worker.today = lambda: date(2026, 11, 22)
        columns = importer.guess_columns("waiting-list", HEADINGS)
        rows = waiting_rows(30, date(2026, 11, 22))

        def imported(name: str, listed: list[list[str]]) -> importer.Result:
            return importer.import_file(worker, "waiting-list", write_csv(tmp_path / name, listed), columns,
                                        "Ortopeden SUS", whole_list=True)

        first = imported("i-går.csv", rows)
        rows[0][8] = "1" if rows[0][8] != "1" else "2"  # a new priority
        second = imported("i-dag.csv", rows[:-1])
        assert (first.created, first.problems) == (30, [])
        assert (second.created, second.updated, second.unchanged, second.missing) == (0, 1, 28, 1)
    finally:
        db.close()


def test_the_app_tells_a_login_without_lotsen_user_to_ask_it(team, qtbot, monkeypatch):
    from ui import app as ui_app

    login = f"utan.anvandare.{team.database}"
    pg._admin(team.server, f"CREATE ROLE \"{login}\" LOGIN PASSWORD '{PASSWORD}' IN ROLE lotsen_vardlots")
    shown = []
    monkeypatch.setattr(ui_app.QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    assert ui_app.open_main_window(Server(make_url(team.url(login)))) is None
    assert shown == [(f"Inloggning: inloggningen {login} har behörighet på databasservern men finns inte bland "
                      "Lotsens användare. Be IT lägga till dig i Lotsen.")]
