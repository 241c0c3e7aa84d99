"""patient_change: the history of a patient's contact details (address, phone, language, representative,
protected identity), one row per changed field

Revision ID: 0013
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_patient_change_patient_id_patient")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_patient_change_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_change")),
    )
    op.create_index(op.f("ix_patient_change_patient_id"), "patient_change", ["patient_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_patient_change_patient_id"), table_name="patient_change")
    op.drop_table("patient_change")
