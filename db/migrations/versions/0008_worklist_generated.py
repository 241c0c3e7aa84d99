"""the worklist's view and triggers generated from the clock's state rule (app.worklist_read_model): on SQLite in
place of 0006's hand-written ones, on PostgreSQL for the first time (PL/pgSQL, upserts)

Revision ID: 0008
Revises: 0007
"""

import importlib

from alembic import op

from app.worklist_read_model import install, uninstall

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Imports live code on purpose: its one job is to install the form generated now, so that the rule stays in one
# place (app.guarantee.STATE_RULE). RULE is app.worklist_read_model.fingerprint() of the form this migration was
# written for; when the generated form changes, a test asks for a new migration like this one with the new RULE.
RULE = "cd1e15e86140b5fb"


def upgrade() -> None:
    install(op.get_bind())


def downgrade() -> None:
    uninstall(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":  # 0006's own form again
        before = importlib.import_module("db.migrations.versions.0006_worklist")
        op.execute(before.SOURCE)
        for name, body in before.TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
