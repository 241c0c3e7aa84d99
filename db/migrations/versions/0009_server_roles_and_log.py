"""the team server writes the access log itself: a SECURITY DEFINER function fills in user, time and chain hash
(app.audit.server_log), and IT's functions for Lotsen's logins (app.server_roles); PostgreSQL only

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Imports live code, as 0008 does: the log's hash must stay app.audit.chain's rule, written once. Imported only on
# PostgreSQL: a file's migrations start quicker without them.


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from app import server_roles
        from app.audit import server_log

        server_log.install(op.get_bind())
        server_roles.install_functions(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from app import server_roles
        from app.audit import server_log

        server_roles.uninstall_functions(op.get_bind())
        server_log.uninstall(op.get_bind())
