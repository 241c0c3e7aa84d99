"""The database file: pragmas, migrations with a backup first, storage errors in plain Swedish; on both backends,
a database from a newer Lotsen refused and foreign keys enforced."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.database import open_database
from app.errors import StorageError
from app.location import Server
from app.paths import ENV_DB, backup_folder, default_db_path
from db import migrate
from db.engine import is_network_path, make_server_engine


@pytest.mark.file_only("SQLite's pragmas (foreign_keys, WAL, busy_timeout) and a file created on first open")
def test_new_database_has_pragmas_reference_data_and_head_revision(db_path):
    db = open_database(db_path)
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("SELECT count(*) FROM region")).scalar() == 21
        assert connection.execute(text("SELECT count(*) FROM municipality")).scalar() == 290
    assert migrate.current_revisions(db.engine) == migrate.head_revisions()
    assert db.backup_before_migration is None  # nothing to back up in a new file
    db.close()


NEXT_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{heads}"


def upgrade():
    with op.batch_alter_table("patient") as batch:
        batch.add_column(sa.Column("nickname", sa.String(40)))
"""


@pytest.mark.file_only("a client never migrates the server: `lotsen db upgrade` does, without a file backup "
                        "(tests/server/test_connecting.py)")
def test_an_older_database_is_backed_up_then_migrated_with_its_data(db_path, tmp_path, monkeypatch, ctx):
    from app import cases
    from tests.db.test_cases import open_first_visit

    opened = open_first_visit(ctx)
    ctx.db.close()
    newer = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, newer)
    (newer / "versions" / "9999_next.py").write_text(NEXT_REVISION.format(heads=max(migrate.head_revisions())))
    monkeypatch.setattr(migrate, "MIGRATIONS", newer)

    db = open_database(db_path)
    assert migrate.current_revisions(db.engine) == {"9999"}
    assert db.backup_before_migration is not None
    with sqlite3.connect(db.backup_before_migration) as copy:
        assert copy.execute("SELECT count(*) FROM patient").fetchone() == (1,)
        assert "nickname" not in [c[1] for c in copy.execute("PRAGMA table_info(patient)")]
    ctx.db = db
    assert cases.view_case(ctx, opened.case_id).patient_name == "Karin Berg"
    db.close()


def test_a_database_from_a_newer_lotsen_is_refused_untouched(db_path):
    db = open_database(db_path)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    db.close()
    if isinstance(db_path, Server):  # the client names both versions and does not touch the server's
        with pytest.raises(StorageError, match="har version from_the_future.*Installera den senaste versionen"):
            open_database(db_path)
        engine = make_server_engine(db_path.url)
        assert migrate.current_revisions(engine) == {"from_the_future"}
        engine.dispose()
        return
    with pytest.raises(StorageError, match="nyare version"):
        open_database(db_path)
    assert not backup_folder(db_path).exists()


def test_foreign_keys_are_enforced(db_path):
    db = open_database(db_path)
    with pytest.raises(IntegrityError, match="(?i)foreign key"), db.engine.begin() as connection:
        connection.execute(text("INSERT INTO municipality (code, name, region_code) VALUES ('9999', 'X', '99')"))
    db.close()


@pytest.mark.file_only("a file whose bytes are not a database")
def test_a_file_that_is_not_a_database_gives_a_clear_message(db_path):
    db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="skadad"):
        open_database(db_path)


def test_storage_location_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DB, str(tmp_path / "x.sqlite"))
    assert default_db_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv(ENV_DB)
    assert default_db_path().name == "lotsen.sqlite" and "Lotsen" in str(default_db_path())


def test_network_paths_are_detected():
    assert is_network_path(Path(r"\\server\share\lotsen.sqlite"))
    assert not is_network_path(Path("/tmp/lotsen.sqlite"))


def test_migrations_create_exactly_the_models_schema(db_path):
    import importlib
    import pkgutil

    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import db as db_package
    from db.models import Base

    for module in pkgutil.iter_modules(db_package.__path__):  # every module that adds tables
        importlib.import_module(f"db.{module.name}")

    db = open_database(db_path)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.close()
    assert differences == []
