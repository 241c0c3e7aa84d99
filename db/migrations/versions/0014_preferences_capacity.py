"""the patient's preferences on a case (issue 18), used by the list-wide matching

Revision ID: 0014
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_preferences",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unavailable", sa.JSON(), nullable=False),
        sa.Column("max_travel_km", sa.Integer(), nullable=True),
        sa.Column("interpreter", sa.Boolean(), nullable=False),
        sa.Column("interpreter_language", sa.String(length=40), nullable=True),
        sa.Column("contact_by", sa.String(length=8), nullable=True),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_preferences_case_id_case_file")),
        sa.ForeignKeyConstraint(["changed_by"], ["app_user.id"],
                                name=op.f("fk_case_preferences_changed_by_app_user")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_preferences")),
    )


def downgrade() -> None:
    op.drop_table("case_preferences")
