"""patient-data protection: access-log unit and hash chain, append-only triggers, user details for the log
review, review notes and corrected event dates

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CONTENT = ("id", "at", "user_id", "patient_id", "case_id", "action", "detail", "unit")
MESSAGE = "access_log is append-only"  # db.audit.APPEND_ONLY; app.errors maps it to a Swedish message

# Refuse every UPDATE but sealing an unsealed row once (setting its hashes, nothing else), and every DELETE.
SQLITE_TRIGGERS = [
    ("CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
     "WHEN OLD.row_hash IS NOT NULL OR " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)
     + f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"),
    f"CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
POSTGRESQL_TRIGGERS = [
    ("CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
     "IF TG_OP IN ('DELETE', 'TRUNCATE') OR OLD.row_hash IS NOT NULL OR "
     + " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CONTENT)
     + f" THEN RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END $$"),
    *(f"CREATE TRIGGER access_log_no_{op.lower()} BEFORE {op} ON access_log FOR EACH {each} "
      "EXECUTE FUNCTION access_log_append_only()"
      for op, each in (("UPDATE", "ROW"), ("DELETE", "ROW"), ("TRUNCATE", "STATEMENT"))),
]


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("surname", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("street", sa.String(length=160), nullable=True))
        batch.add_column(sa.Column("postal_code", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("unit", sa.String(length=160), nullable=True))
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("unit", sa.String(length=160), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    # Existing rows stay unsealed; the first writer after the upgrade seals them (app.audit.chain.seal).
    op.create_index("ix_access_log_unsealed", "access_log", ["id"], unique=False,
                    sqlite_where=sa.text("row_hash IS NULL"), postgresql_where=sa.text("row_hash IS NULL"))
    op.create_table(
        "audit_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_log_id", sa.Integer(), nullable=False),
        sa.Column("sample", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["access_log_id"], ["access_log.id"],
                                name=op.f("fk_audit_review_access_log_id_access_log")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["app_user.id"], name=op.f("fk_audit_review_reviewer_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_review")),
    )
    op.create_index(op.f("ix_audit_review_access_log_id"), "audit_review", ["access_log_id"], unique=False)
    op.create_table(
        "event_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("old_on", sa.Date(), nullable=False),
        sa.Column("new_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_event_correction_case_id_case_file")),
        sa.ForeignKeyConstraint(["event_id"], ["case_event.id"],
                                name=op.f("fk_event_correction_event_id_case_event")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_event_correction_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_correction")),
    )
    op.create_index(op.f("ix_event_correction_case_id"), "event_correction", ["case_id"], unique=False)
    op.create_index(op.f("ix_event_correction_event_id"), "event_correction", ["event_id"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in ("access_log_no_update", "access_log_no_delete", "access_log_no_truncate"):
            op.execute(f"DROP TRIGGER {name} ON access_log")
        op.execute("DROP FUNCTION access_log_append_only()")
    else:
        op.execute("DROP TRIGGER access_log_no_update")
        op.execute("DROP TRIGGER access_log_no_delete")
    op.drop_table("event_correction")
    op.drop_table("audit_review")
    op.drop_index("ix_access_log_unsealed", table_name="access_log")
    with op.batch_alter_table("access_log") as batch:
        for column in ("row_hash", "prev_hash", "unit"):
            batch.drop_column(column)
    with op.batch_alter_table("app_user") as batch:
        for column in ("unit", "postal_code", "street", "surname"):
            batch.drop_column(column)
