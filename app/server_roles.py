"""The team server's roles and privileges, generated from one table: app.roles.PERMISSIONS says what each role may
do, TABLES says which permission reads and writes each table, and the GRANTs, row-level security policies and
IT's functions below are written from the two. The app checks the same permissions (app.roles.require), so the
UI can say why an action is off, and the server refuses what a client tries anyway.

`lotsen db init-roles` (IT, as the database's owner; idempotent) creates the NOLOGIN group roles, the separate
NOLOGIN owner of the access log's function (lotsen_log_writer), and grants. Case workers log in as their own
LOGIN role, a member of one group (`lotsen db add-user`, or the users window as administratör). Clients never
own the schema: `lotsen db upgrade` runs as the owner and applies the grants again for new tables."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from app.audit.server_log import SIGNATURES as LOG_FUNCTIONS
from app.export.config import SECRET_KEY
from app.roles import PERMISSIONS, Permission, Role
from app.rule_settings import PENDING
from app.settings import SAVED_FILTERS

GROUPS: dict[Role, str] = {Role.ADMINISTRATOR: "lotsen_administrator", Role.VARDLOTS: "lotsen_vardlots",
                           Role.GRANSKARE: "lotsen_granskare"}
REPORTING = "lotsen_rapport"      # read-only reporting (statistics tools): no patient identities, no log
LOG_WRITER = "lotsen_log_writer"  # owns lotsen_log_append; the only role that writes access_log
EVERYONE = frozenset(Permission)
CASES = frozenset({Permission.CASE_WORK})


@dataclass(frozen=True)
class Access:
    read: frozenset[Permission]
    write: frozenset[Permission] = frozenset()
    review_columns: tuple[str, ...] = ()  # what a role that may only review the log reads of a case table
    report: bool = False                  # the reporting role reads it
    # Those who lock rows without changing them: the worklist's triggers read a case's sources FOR SHARE, which
    # PostgreSQL allows only with UPDATE; row-level security then refuses every changed row.
    lock: frozenset[Permission] = frozenset()


TABLES: dict[str, Access] = {
    # reference data: written by `lotsen db upgrade` (the owner)
    **{name: Access(EVERYONE, report=True) for name in ("region", "municipality", "activity", "alembic_version")},
    "specialty": Access(EVERYONE, report=True, lock=CASES),
    "app_user": Access(EVERYONE, frozenset({Permission.MANAGE_USERS}), lock=CASES),
    # patients and cases: a granskare reads who the logged patient is, and whose case it was, nothing of the care
    "patient": Access(CASES | {Permission.REVIEW_LOG}, CASES),
    "case_file": Access(CASES, CASES, review_columns=("id", "patient_id", "assigned_user_id"), report=True),
    **{name: Access(CASES, CASES, report=True) for name in ("step", "case_event", "worklist_entry")},
    "worklist_source": Access(CASES),  # the view the worklist's triggers read
    **{name: Access(CASES, CASES) for name in ("worklist_day", "event_correction", "import_link",
                                               "import_mapping", "list_review", "list_record",
                                               "case_preferences", "letter_document", "patient_change")},
    "export_log": Access(CASES, CASES, report=True),
    # the register of providers: read in case work, changed by those with the right
    **{name: Access(CASES, frozenset({Permission.CHANGE_REGISTER}), report=True)
       for name in ("provider", "care_unit", "contract", "unit_service", "capacity_report", "register_change")},
    # settings: every role reads them; which keys a role writes is row-level security (SETTING_KEYS)
    "setting": Access(EVERYONE, EVERYONE),
    "setting_change": Access(EVERYONE, EVERYONE),
    # the access log: written only by lotsen_log_append, read by the log review
    "access_log": Access(frozenset({Permission.REVIEW_LOG})),
    "audit_review": Access(frozenset({Permission.REVIEW_LOG}), frozenset({Permission.REVIEW_LOG})),
}
SETTINGS = ("setting", "setting_change")
ROW_SECURITY = (*SETTINGS, *(name for name, access in TABLES.items() if access.lock))

_OWN_ID = "(SELECT id FROM app_user WHERE login = session_user)"
# Which setting keys each permission may write (a condition on the row's key).
SETTING_KEYS: dict[Permission, str] = {
    Permission.CHANGE_SETTINGS: "true",
    Permission.MANAGE_USERS: "key LIKE 'user.%'",
    # their own saved filters, the export's pseudonym key made at the first export, and finishing an interrupted
    # refresh after a change of thresholds (its marker)
    Permission.CASE_WORK: f"(key = '{SAVED_FILTERS.format(user_id='')}' || {_OWN_ID} OR key IN ('{SECRET_KEY}', "
                          f"'{PENDING}'))",
}

# IT's functions for logins, executed by an administratör through the app (SECURITY DEFINER: the owner's rights,
# which include CREATEROLE) and only on roles that are Lotsen logins, never on the owner or a superuser.
_GROUP_LIST = ", ".join(f"'{g}'" for g in GROUPS.values())
_IS_LOTSEN_LOGIN = (f"EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                    f"JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = login AND g.rolname IN ({_GROUP_LIST}))")
FUNCTIONS = {
    "lotsen_grant_role(text, text)": f"""CREATE OR REPLACE FUNCTION lotsen_grant_role(login text, grp text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE g text;
BEGIN
    IF grp NOT IN ({_GROUP_LIST}) THEN
        RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'unknown Lotsen group ' || grp;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = login) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', login);
    ELSIF EXISTS (SELECT FROM pg_roles WHERE rolname = login AND (rolsuper OR rolcreaterole OR rolname = current_user)) THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = login || ' is not a case worker''s login';
    END IF;
    FOREACH g IN ARRAY ARRAY[{_GROUP_LIST}] LOOP
        IF g <> grp THEN EXECUTE format('REVOKE %I FROM %I', g, login); END IF;
    END LOOP;
    EXECUTE format('GRANT %I TO %I', grp, login);
END $$""",
    "lotsen_set_login(text, boolean)": f"""CREATE OR REPLACE FUNCTION lotsen_set_login(login text, active boolean)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE ended integer := 0; session_pid integer;
BEGIN
    IF NOT {_IS_LOTSEN_LOGIN} THEN
        RETURN 0;  -- no login of that name on this server (a user known only to Lotsen)
    END IF;
    EXECUTE format('ALTER ROLE %I %s', login, CASE WHEN active THEN 'LOGIN' ELSE 'NOLOGIN' END);
    IF NOT active THEN  -- the pids first: a filter beside pg_terminate_backend may run in any order
        FOR session_pid IN SELECT a.pid FROM pg_stat_activity a WHERE a.usename = login
                                                                  AND a.pid <> pg_backend_pid() LOOP
            IF pg_terminate_backend(session_pid) THEN ended := ended + 1; END IF;
        END LOOP;
    END IF;
    RETURN ended;
END $$""",
}


def install_functions(connection: Connection) -> None:
    """The login functions, created by the migration; only the owner and (after init-roles) administratörer run
    them."""
    for signature, body in FUNCTIONS.items():
        connection.execute(text(body))
        connection.execute(text(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC"))


def uninstall_functions(connection: Connection) -> None:
    for signature in FUNCTIONS:
        connection.execute(text(f"DROP FUNCTION IF EXISTS {signature}"))


def _permissions(group: str) -> frozenset[Permission]:
    if group == REPORTING:
        return frozenset()
    return PERMISSIONS[next(role for role, name in GROUPS.items() if name == group)]


def grants(group: str) -> list[str]:
    """The GRANT statements of one group, from TABLES and the group's permissions."""
    held = _permissions(group)
    out = []
    for table, access in TABLES.items():
        if held & access.write:
            out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {group}")
        elif held & access.lock:
            out.append(f"GRANT SELECT, UPDATE ON {table} TO {group}")
        elif held & access.read:
            out.append(f"GRANT SELECT ON {table} TO {group}")
        elif access.review_columns and Permission.REVIEW_LOG in held:
            out.append(f"GRANT SELECT ({', '.join(access.review_columns)}) ON {table} TO {group}")
        elif access.report and group == REPORTING:
            out.append(f"GRANT SELECT ON {table} TO {group}")
    return out


def policies(group: str) -> list[str]:
    """Row-level security: which setting keys the group may write; which rows it may lock but not change."""
    held = _permissions(group)
    out = []
    for table in ROW_SECURITY:
        access = TABLES[table]
        if access.read & held or (access.report and group == REPORTING):
            out.append(f"CREATE POLICY {group}_read ON {table} FOR SELECT TO {group} USING (true)")
        if table in SETTINGS:
            keys = [SETTING_KEYS[p] for p in sorted(held, key=lambda p: p.name) if p in SETTING_KEYS]
            if keys:
                check = " OR ".join(keys)
                out += [f"CREATE POLICY {group}_insert ON {table} FOR INSERT TO {group} WITH CHECK ({check})",
                        (f"CREATE POLICY {group}_update ON {table} FOR UPDATE TO {group} USING ({check}) "
                         f"WITH CHECK ({check})"),
                        f"CREATE POLICY {group}_delete ON {table} FOR DELETE TO {group} USING ({check})"]
        elif access.write & held:
            out.append(f"CREATE POLICY {group}_write ON {table} FOR ALL TO {group} USING (true) WITH CHECK (true)")
        elif access.lock & held:
            out.append(f"CREATE POLICY {group}_lock ON {table} FOR UPDATE TO {group} USING (true) WITH CHECK (false)")
    return out


def init_roles(connection: Connection) -> None:
    """Create the roles and grant exactly what TABLES allows; run as the database's owner. Idempotent: every
    grant and policy is taken away first and given again."""
    database = connection.scalar(text("SELECT current_database()"))
    groups = [*GROUPS.values(), REPORTING]
    for role in [*groups, LOG_WRITER]:
        connection.execute(text(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
                                f"CREATE ROLE {role} NOLOGIN; END IF; END $$"))
    everyone = ", ".join([*groups, LOG_WRITER, "PUBLIC"])
    connection.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
    connection.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {", ".join(groups)}'))
    connection.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {', '.join([*groups, LOG_WRITER])}"))
    connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {everyone}"))
    connection.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {everyone}"))
    for group in groups:
        for statement in grants(group):
            connection.execute(text(statement))
    _grant_sequences(connection)
    for table in ROW_SECURITY:
        for (name,) in connection.execute(text("SELECT policyname FROM pg_policies WHERE tablename = :t"),
                                          {"t": table}):
            connection.execute(text(f'DROP POLICY "{name}" ON {table}'))
        connection.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
    for group in groups:
        for statement in policies(group):
            connection.execute(text(statement))
    # The log: written by its function only, owned by a role no one logs in as. The owner stays a member so that
    # a later `lotsen db upgrade` may replace the function.
    connection.execute(text(f"GRANT {LOG_WRITER} TO current_user"))
    connection.execute(text(f"GRANT SELECT, INSERT, UPDATE (prev_hash, row_hash) ON access_log TO {LOG_WRITER}"))
    connection.execute(text(f"GRANT SELECT (id, login) ON app_user TO {LOG_WRITER}"))
    connection.execute(text(f"CREATE POLICY {LOG_WRITER}_read ON app_user FOR SELECT TO {LOG_WRITER} USING (true)"))
    connection.execute(text(f"GRANT USAGE ON SEQUENCE {_sequence(connection, 'access_log')} TO {LOG_WRITER}"))
    for function in LOG_FUNCTIONS:
        connection.execute(text(f"ALTER FUNCTION {function} OWNER TO {LOG_WRITER}"))
        connection.execute(text(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC"))
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {', '.join(GROUPS.values())}"))
    for signature in FUNCTIONS:
        connection.execute(text(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC"))
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION {signature} TO {GROUPS[Role.ADMINISTRATOR]}"))


def _sequence(connection: Connection, table: str) -> str:
    return connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})


def _grant_sequences(connection: Connection) -> None:
    """Writers of a table draw its ids."""
    for table, access in TABLES.items():
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, a.attname) FROM pg_attribute a "
                                          "WHERE a.attrelid = CAST(:t AS regclass) AND a.attnum > 0 "
                                          "AND pg_get_serial_sequence(:t, a.attname) IS NOT NULL LIMIT 1"),
                                     {"t": table})
        if sequence is None:
            continue
        writers = [GROUPS[role] for role in GROUPS if PERMISSIONS[role] & access.write]
        if writers:
            connection.execute(text(f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO {', '.join(writers)}"))


def has_roles(connection: Connection) -> bool:
    """Whether `lotsen db init-roles` has run on this database: the group roles are the cluster's, the grants
    each database's own."""
    group = GROUPS[Role.VARDLOTS]
    return bool(connection.scalar(text(f"SELECT to_regrole('{group}') IS NOT NULL AND "
                                       f"has_table_privilege('{group}', 'step', 'SELECT')")))


def group_role(connection: Connection) -> Role | None:
    """The Lotsen role of the signed-in login, from its group membership; None for a login in no group (the
    owner's own connection)."""
    for role, group in GROUPS.items():  # administratör first: a login in two groups gets the wider one
        # a superuser counts as a member of every role: it is the owner's side, never a case worker
        if connection.scalar(text("SELECT to_regrole(:g) IS NOT NULL AND NOT (SELECT rolsuper FROM pg_roles "
                                  "WHERE rolname = session_user) AND pg_has_role(session_user, :g, 'MEMBER')"),
                             {"g": group}):
            return role
    return None


def grant_role(connection: Connection, login: str, role: Role) -> None:
    """Make `login` a LOGIN role in the role's group (created when missing)."""
    connection.execute(text("SELECT lotsen_grant_role(:login, :grp)"), {"login": login, "grp": GROUPS[role]})


def set_login(connection: Connection, login: str, active: bool) -> int:
    """Let the login sign in again, or take LOGIN away and end its open sessions (how many ended)."""
    return connection.scalar(text("SELECT lotsen_set_login(:login, :active)"), {"login": login, "active": active})


def init(engine: Engine) -> None:
    with engine.begin() as connection:
        init_roles(connection)
