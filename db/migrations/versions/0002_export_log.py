"""export log, and the indexes of the monthly figures and the export (db/exports.py): case_event (kind, on,
step_id) and two partial indexes on the steps, those whose cached clock is exact and the others

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

# db.exports.CLOCK_UNINTERRUPTED, written out so that this migration never changes with the models.
UNINTERRUPTED = ("clock_start = started_on AND waiting_since = clock_start AND pvv_since IS NULL "
                 "AND paused_since IS NULL")
INTERRUPTED = f"NOT ({UNINTERRUPTED})"
EXACT_COLUMNS = ["stopped_on", "case_id", "started_on", "met", "frozen_waited", "code", "target_date", "risk_from",
                 "clock_start", "waiting_since", "pvv_since", "paused_since"]

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("replacement_id", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_export_log_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_log")),
    )
    with op.batch_alter_table("export_log", schema=None) as batch_op:
        batch_op.create_index("ix_export_log_period_kind", ["period", "kind"], unique=False)
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index("ix_case_event_kind_on", ["kind", "on", "step_id"], unique=False)
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.create_index("ix_step_clock_exact", EXACT_COLUMNS, unique=False,
                              sqlite_where=sa.text(UNINTERRUPTED), postgresql_where=sa.text(UNINTERRUPTED))
        batch_op.create_index("ix_step_clock_interrupted", ["started_on"], unique=False,
                              sqlite_where=sa.text(INTERRUPTED), postgresql_where=sa.text(INTERRUPTED))


def downgrade() -> None:
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_index("ix_step_clock_interrupted")
        batch_op.drop_index("ix_step_clock_exact")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index("ix_case_event_kind_on")
    with op.batch_alter_table("export_log", schema=None) as batch_op:
        batch_op.drop_index("ix_export_log_period_kind")
    op.drop_table("export_log")
