"""colleagues' changes live: on PostgreSQL, a save of a case notifies every listening client (db.changes); sent
letters' PDFs in the database (letter_document), for the team server

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from db.changes import install, uninstall

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    install(op.get_bind())
    op.create_table(
        "letter_document",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["case_event.id"], name=op.f("fk_letter_document_event_id_case_event")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_letter_document")),
    )


def downgrade() -> None:
    op.drop_table("letter_document")
    uninstall(op.get_bind())
