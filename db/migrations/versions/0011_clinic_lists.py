"""the clinics' lists: a mapping can be a unit's whole list, the review list of steps a whole list no
longer holds ("saknas i senaste listan"), a source's inbox folder, and the clinic's own record of a step (planned date, Avvikelse)

Revision ID: 0011
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_mapping") as batch:
        batch.add_column(sa.Column("whole_list", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(sa.Column("inbox", sa.String(length=400), nullable=True))
    op.create_table(
        "list_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("list_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["step_id"], ["step.id"], name=op.f("fk_list_review_step_id_step")),
        sa.ForeignKeyConstraint(["resolved_by"], ["app_user.id"], name=op.f("fk_list_review_resolved_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_review")),
    )
    op.create_index(op.f("ix_list_review_step_id"), "list_review", ["step_id"], unique=False)
    op.create_table(
        "list_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("deviation", sa.Integer(), nullable=True),
        sa.Column("deviation_from", sa.Date(), nullable=True),
        sa.Column("deviation_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["step_id"], ["step.id"], name=op.f("fk_list_record_step_id_step")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_record")),
        sa.UniqueConstraint("step_id", name=op.f("uq_list_record_step_id")),
    )


def downgrade() -> None:
    op.drop_table("list_record")
    op.drop_index(op.f("ix_list_review_step_id"), table_name="list_review")
    op.drop_table("list_review")
    with op.batch_alter_table("import_mapping") as batch:
        batch.drop_column("inbox")
        batch.drop_column("whole_list")
