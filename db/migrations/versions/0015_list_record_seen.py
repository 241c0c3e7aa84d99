"""the date of the latest list that held a step (issue 15): the case window shows the clinic's record; an index
of booked dates for the worklist's "Bokad efter tidsgränsen"

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("list_record", sa.Column("seen_on", sa.Date(), nullable=True))
    op.create_index(op.f("ix_list_record_planned_on"), "list_record", ["planned_on"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_list_record_planned_on"), table_name="list_record")
    with op.batch_alter_table("list_record") as batch:
        batch.drop_column("seen_on")
