"""case_event.care_kind: where an offered care takes place, copied from the register when the offer is made
(app.care_kind), so that the yearly count of patients helped elsewhere leaves out the patient's own clinic

Revision ID: 0012
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("care_kind", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_column("care_kind")
