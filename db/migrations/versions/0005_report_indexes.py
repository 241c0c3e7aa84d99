"""indexes of the monthly figures and the export (db/exports.py), in their present form: case_file
(specialty_code), the steps with an interrupted clock by (started_on, stopped_on), and the three of 0002 again
where a database holds an older shape of them (0002 changed during development) or none

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# db.exports.CLOCK_UNINTERRUPTED, written out so that this migration never changes with the models.
UNINTERRUPTED = ("clock_start = started_on AND waiting_since = clock_start AND pvv_since IS NULL "
                 "AND paused_since IS NULL")
INTERRUPTED = f"NOT ({UNINTERRUPTED})"
EXACT_COLUMNS = ["stopped_on", "case_id", "started_on", "met", "frozen_waited", "code", "target_date", "risk_from",
                 "clock_start", "waiting_since", "pvv_since", "paused_since"]

# (table, index, columns, partial condition or None)
INDEXES = [
    ("case_event", "ix_case_event_kind_on", ["kind", "on", "step_id"], None),
    ("case_file", "ix_case_file_specialty_code", ["specialty_code"], None),
    ("step", "ix_step_clock_exact", EXACT_COLUMNS, UNINTERRUPTED),
    ("step", "ix_step_clock_interrupted", ["started_on", "stopped_on"], INTERRUPTED),
]


def _ensure(table: str, name: str, columns: list[str], where: str | None) -> None:
    """Create the index, or replace one of that name with other columns; an index already right is kept (building
    one again costs tens of seconds on a large file)."""
    existing = {i["name"]: i["column_names"] for i in sa.inspect(op.get_bind()).get_indexes(table)}
    if existing.get(name) == columns:
        return
    partial = {} if where is None else {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}
    with op.batch_alter_table(table, schema=None) as batch_op:
        if name in existing:
            batch_op.drop_index(name)
        batch_op.create_index(name, columns, unique=False, **partial)


def upgrade() -> None:
    for table, name, columns, where in INDEXES:
        _ensure(table, name, columns, where)


def downgrade() -> None:
    # Back to the indexes 0002 makes.
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_index("ix_step_clock_interrupted")
        batch_op.create_index("ix_step_clock_interrupted", ["started_on"], unique=False,
                              sqlite_where=sa.text(INTERRUPTED), postgresql_where=sa.text(INTERRUPTED))
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_specialty_code")
