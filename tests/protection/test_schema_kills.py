"""A kill -9 at any moment, the first schema creation and every migration included, leaves a file that opens."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from db import migrate
from db.engine import make_engine
from tests.protection.kill_loop import OLD_REVISION, kill_loop, old_file


@pytest.mark.slow
def test_killed_schema_changes_and_demo_runs_leave_files_that_open(tmp_path):
    result = kill_loop(tmp_path, rounds=100)
    assert result.failures == []
    assert result.opened == result.rounds == 100
    assert result.killed >= 60  # most kills landed in the middle of the work


def test_a_failed_migration_leaves_the_old_revision(tmp_path):
    """The migrations run in one transaction, DDL included: a failure after several of them have run (here as
    the last one records its revision) leaves the file at the old revision, none of their tables behind."""
    path = old_file(tmp_path / "gammal.sqlite")
    engine = make_engine(path)
    last = max(migrate.head_revisions())
    schema_before = _schema(engine)

    @event.listens_for(engine, "before_cursor_execute")
    def fail_at_the_end(_conn, _cursor, statement, parameters, *_):
        if statement.startswith("UPDATE alembic_version") and f"'{last}'" in statement:
            raise RuntimeError("killed here")

    with pytest.raises(RuntimeError, match="killed here"):
        migrate.upgrade_to(engine, "heads")
    event.remove(engine, "before_cursor_execute", fail_at_the_end)
    assert migrate.current_revisions(engine) == {OLD_REVISION}
    assert _schema(engine) == schema_before  # not one table, index or trigger of the later migrations
    engine.dispose()


def _schema(engine) -> list[tuple]:
    with engine.connect() as connection:
        return list(connection.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"))


def test_retried_migrations_rotate_their_backups(tmp_path):
    path = old_file(tmp_path / "gammal.sqlite")
    folder = tmp_path / "backups"
    engine = make_engine(path)
    made = [migrate.backup_copy(path, folder, f"fore-{label}") for label in ("a", "a", "b", "c", "d", "a")]
    engine.dispose()
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == migrate.KEEP_BEFORE_UPGRADE
    assert made[-1].name in left and made[-2].name in left
    assert sum(name.endswith("-fore-a.sqlite") for name in left) == 1
