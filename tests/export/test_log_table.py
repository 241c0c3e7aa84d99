"""The export-log table: the migration matches the model; months parse and end where the calendar says."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from app.errors import InputError
from app.reports.months import Month
from db.exports import ExportLog


def test_migration_creates_the_table_of_the_model(ctx):
    columns = {c["name"]: c for c in inspect(ctx.db.engine).get_columns("export_log")}
    assert set(columns) == {c.name for c in ExportLog.__table__.columns}
    assert not any(c["nullable"] for name, c in columns.items())
    assert "ix_export_log_period_kind" in {i["name"] for i in inspect(ctx.db.engine).get_indexes("export_log")}


@pytest.mark.parametrize("text", ["2026-13", "26-10", "oktober", "", "2026-1"])
def test_bad_months_are_refused_in_swedish(text):
    with pytest.raises(InputError, match="ÅÅÅÅ-MM"):
        Month.parse(text)


def test_month_arithmetic():
    assert Month.parse("2026-01").previous == Month(2025, 12)
    assert Month(2024, 2).last == date(2024, 2, 29) and Month(2100, 2).last == date(2100, 2, 28)
    assert Month(2026, 10).a_year_earlier == Month(2025, 10) and str(Month(2026, 3)) == "2026-03"
    assert Month(2026, 10).label == "oktober 2026"


def test_0005_brings_report_indexes_of_any_earlier_shape_to_the_models(tmp_path):
    """Databases made while 0002 changed hold other shapes of the report indexes, or none: 0005 leaves each as
    the models have it."""
    import importlib
    import pkgutil

    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import db as db_package
    from app.database import open_database
    from db import migrate
    from db.engine import make_engine
    from db.models import Base

    path = tmp_path / "older.sqlite"
    engine = make_engine(path)
    migrate.upgrade_to(engine, "0004")
    with engine.begin() as connection:
        for sql in ("DROP INDEX ix_step_clock_exact", "DROP INDEX ix_step_clock_interrupted",
                    "DROP INDEX ix_case_event_kind_on", 'CREATE INDEX ix_case_event_kind_on ON case_event (kind, "on")'):
            connection.exec_driver_sql(sql)
    engine.dispose()

    for module in pkgutil.iter_modules(db_package.__path__):  # every module that adds tables or indexes
        importlib.import_module(f"db.{module.name}")
    db = open_database(path)
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        indexes = {i["name"]: i["column_names"] for i in inspect(connection).get_indexes("case_event")}
    db.close()
    assert indexes["ix_case_event_kind_on"] == ["kind", "on", "step_id"]
