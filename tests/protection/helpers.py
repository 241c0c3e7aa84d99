"""Shared steps of the protection tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine

from app import cases
from app.identity import make_personnummer
from app.location import Location

D = date.fromisoformat


def open_case(ctx, name: str = "Karin Berg", born: date = date(1958, 3, 14), serial: int = 421,
              street: str = "Storgatan 1") -> cases.Opened:
    patient = cases.NewPatient(make_personnummer(born, serial), name, "12", "1280", street, "211 34", "Malmö")
    return cases.open_case(ctx, patient, cases.NewCase("SV_FORSTA_BESOK", D("2026-10-01"), "311"))


def raw_engine(location: Location) -> Engine:
    """The database as a plain tool sees it (sqlite3 on the file, psycopg on the server): no Lotsen engine
    settings, no write lock, no read-only reading."""
    return create_engine(f"sqlite:///{location}" if isinstance(location, Path) else location.url)


def drop_access_log_guard(connection: Connection) -> None:
    """What someone with the file and a SQLite tool, or the server's owner role, could do: drop the access log's
    append-only triggers (migration 0004)."""
    if connection.dialect.name == "sqlite":
        for name in ("access_log_no_update", "access_log_no_delete"):
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
    else:
        for name in ("access_log_no_update", "access_log_no_delete", "access_log_no_truncate"):
            connection.exec_driver_sql(f"DROP TRIGGER {name} ON access_log")
