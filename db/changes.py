"""How one client learns that another has saved: what differs between the backends, in one place.

PostgreSQL: a statement trigger on case_file sends `NOTIFY lotsen_changes, '{"cases": [ids], "kind": ...}'` in the
transaction of the save, so that every writer (the services, the importer, a colleague's older client) notifies,
and a notice is delivered only if the save commits. Every change of a case bumps its version counter (app.cases),
so case_file is the one table to watch. The listener is a connection of its own that LISTENs.

SQLite: no server to tell anyone; `PRAGMA data_version` changes when another connection (another process, or
another connection of this one) has committed, and reading it costs no disk access, so it is polled. It says that
something changed, not which cases."""

from __future__ import annotations

import logging
import time

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

CHANNEL = "lotsen_changes"
MANY = 500  # more cases than this in one statement (an import): the notice says "cases": null, keeping it short
POLL_SECONDS = 0.2  # SQLite: how often data_version is read
RECONNECT_SECONDS = 2.0

_FUNCTION = "lotsen_notify_case_changes"
_TRIGGERS = {"case_file_changes_insert": "INSERT", "case_file_changes_update": "UPDATE"}


def install(connection: Connection) -> None:
    """The notifying trigger (PostgreSQL; nothing on SQLite). Transition tables need one trigger per event."""
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql(f"""
CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
    ids json;
BEGIN
    SELECT count(*) INTO changed FROM changed_cases;  -- one row per case: a statement changes a row once
    IF changed BETWEEN 1 AND {MANY} THEN
        SELECT json_agg(id ORDER BY id) INTO ids FROM changed_cases;
    END IF;
    IF changed > 0 THEN
        PERFORM pg_notify('{CHANNEL}', json_build_object('cases', ids, 'kind', lower(TG_OP))::text);
    END IF;
    RETURN NULL;
END $$""")
    for name, event in _TRIGGERS.items():
        connection.exec_driver_sql(f"CREATE TRIGGER {name} AFTER {event} ON case_file REFERENCING NEW TABLE AS "
                                   f"changed_cases FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()")


def uninstall(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for name in _TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON case_file")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_FUNCTION}()")


class Listener:
    """A connection of its own that waits for changes. `wait(timeout)` returns the notices that came within
    `timeout` seconds: JSON texts (PostgreSQL), or None for "something changed, not known what" (SQLite, and
    after the connection was lost and made again, when notices may have been missed). A lost connection is made
    again on the next wait; until then wait returns nothing. Used from one thread at a time."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._server = engine.dialect.name == "postgresql"
        self._raw = self._driver = None
        self._version: int | None = None
        self._lost = False

    def wait(self, timeout: float) -> list[str | None]:
        try:
            if self._raw is None:
                self._connect()
                if self._lost:
                    self._lost = False
                    return [None]
            return self._notices(timeout) if self._server else self._poll(timeout)
        except Exception as exc:  # noqa: BLE001 - any failure of the connection: made again after a pause
            log.warning("Listening for changes failed: %s", exc)
            self.close()
            self._lost = True
            time.sleep(min(timeout, RECONNECT_SECONDS))
            return []

    def close(self) -> None:
        if self._raw is not None:
            try:
                self._raw.close()
            except Exception as exc:  # noqa: BLE001 - already broken: nothing to hand back
                log.debug("Closing the listener's connection: %s", exc)
            self._raw = self._driver = None

    def _connect(self) -> None:
        raw = self._engine.raw_connection()
        driver = raw.driver_connection
        raw.detach()  # this connection is the listener's alone, never handed back to the pool
        self._raw, self._driver = raw, driver
        if self._server:
            driver.autocommit = True  # LISTEN takes effect at once, and no transaction is held open
            driver.execute(f"LISTEN {CHANNEL}")
        else:
            self._version = self._data_version()

    def _notices(self, timeout: float) -> list[str | None]:
        driver = self._driver
        found = [notice.payload for notice in driver.notifies(timeout=timeout, stop_after=1)]
        if found:  # the rest of a burst, without waiting again
            found += [notice.payload for notice in driver.notifies(timeout=0)]
        return found

    def _poll(self, timeout: float) -> list[str | None]:
        deadline = time.monotonic() + timeout
        while True:
            version = self._data_version()
            if version != self._version:
                self._version = version
                return [None]
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            time.sleep(min(POLL_SECONDS, left))

    def _data_version(self) -> int:
        cursor = self._driver.cursor()
        try:
            return cursor.execute("PRAGMA data_version").fetchone()[0]
        finally:
            cursor.close()
