"""The access log written by the team server (PostgreSQL): clients call one function, `lotsen_log_append`, with
the rows to log; the server fills in who (session_user's app_user row), when (its own clock) and the chain hash,
under one lock, so that concurrent writers keep one chain and no client can forge a name, a time or a hash.

The function is SECURITY DEFINER and, after `lotsen db init-roles`, owned by the NOLOGIN role lotsen_log_writer,
the only role that may write access_log; app roles may only execute it. The hash is app.audit.chain's rule,
written as SQL by chain.digest_sql, so `verify` recomputes every row in Python as before."""

from __future__ import annotations

from sqlalchemy import Connection, text

from app.audit.chain import GENESIS, digest_sql

LOCK = 4711  # the chain's advisory lock: writers of the log, one after the other
APPEND = "lotsen_log_append"
SIGNATURE = f"{APPEND}(jsonb)"
HEAD = "lotsen_log_head()"  # the chain's head for its anchors (app.audit.anchors), for roles that do not read the log

_ROW = {name: f"r.{name}" for name in ("id", "at", "user_id", "patient_id", "case_id", "action", "detail", "unit")}
_NEW = {"id": "new_id", "at": "now_", "user_id": "uid", "patient_id": "(e->>'patient_id')::integer",
        "case_id": "(e->>'case_id')::integer", "action": "(e->>'action')", "detail": "(e->>'detail')",
        "unit": "(e->>'unit')"}

FUNCTION = f"""CREATE OR REPLACE FUNCTION {APPEND}(entries jsonb) RETURNS SETOF integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    prev text;
    r record;
    e jsonb;
    h text;
    me integer;
    uid integer;
    new_id integer;
    now_ timestamptz := clock_timestamp();
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
    SELECT row_hash INTO prev FROM access_log WHERE row_hash IS NOT NULL ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, '{GENESIS}');
    -- rows bulk-loaded by the schema's owner without a hash are sealed first, oldest first
    FOR r IN SELECT * FROM access_log WHERE row_hash IS NULL ORDER BY id LOOP
        h := {digest_sql("prev", _ROW)};
        UPDATE access_log SET prev_hash = prev, row_hash = h WHERE id = r.id;
        prev := h;
    END LOOP;
    -- a Lotsen user is always logged as themselves; only the schema owner's own connection (IT's tools,
    -- lotsen db copy) names the user in the row
    SELECT id INTO me FROM app_user WHERE login = session_user;
    FOR e IN SELECT value FROM jsonb_array_elements(entries) LOOP
        uid := coalesce(me, (e->>'user_id')::integer);
        IF uid IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'access_log: ' || session_user || ' is not a Lotsen user';
        END IF;
        new_id := nextval(pg_get_serial_sequence('access_log', 'id'));
        h := {digest_sql("prev", _NEW)};
        INSERT INTO access_log (id, at, user_id, patient_id, case_id, action, detail, unit, prev_hash, row_hash)
        VALUES (new_id, now_, uid, (e->>'patient_id')::integer, (e->>'case_id')::integer, e->>'action',
                e->>'detail', e->>'unit', prev, h);
        prev := h;
        RETURN NEXT new_id;
    END LOOP;
END $$"""

HEAD_FUNCTION = f"""CREATE OR REPLACE FUNCTION {HEAD.removesuffix("()")}(OUT id integer, OUT row_hash text, OUT at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT id, row_hash, at FROM access_log WHERE row_hash IS NOT NULL ORDER BY id DESC LIMIT 1
$$"""
SIGNATURES = (SIGNATURE, HEAD)


def install(connection: Connection) -> None:
    connection.execute(text(FUNCTION))
    connection.execute(text(HEAD_FUNCTION))
    for signature in SIGNATURES:
        # PostgreSQL lets everyone execute a new function; app roles get it from `lotsen db init-roles`
        connection.execute(text(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC"))


def uninstall(connection: Connection) -> None:
    for signature in SIGNATURES:
        connection.execute(text(f"DROP FUNCTION IF EXISTS {signature}"))
