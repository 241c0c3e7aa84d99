"""the worklist's read model (db/worklist.py): worklist_entry, one row per open step with every sort key a plain
indexed column, worklist_day, the view worklist_source that computes an entry, and the triggers that keep the
entries in step with step, case_file, patient, app_user and specialty

Revision ID: 0006
Revises: 0005
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Written out (not imported from db.worklist) so that this migration never changes with the models.
COLUMNS = [
    ("step_id", sa.Integer(), False), ("case_id", sa.Integer(), False), ("patient_id", sa.Integer(), False),
    ("severity", sa.Integer(), False), ("severity_until", sa.Date(), True), ("remaining_key", sa.Date(), False),
    ("waited_key", sa.Date(), False), ("deadline", sa.Date(), False), ("clock_start", sa.Date(), False),
    ("last_contact", sa.Date(), True), ("notice_flag_from", sa.Date(), True), ("contact_flag_from", sa.Date(), True),
    ("step_code", sa.String(24), False), ("specialty_code", sa.String(8), False),
    ("specialty_name", sa.String(120), False), ("waiting_unit", sa.String(160), True),
    ("medical_priority", sa.String(16), True), ("assigned_user_id", sa.Integer(), True),
    ("assignee_name", sa.String(160), True), ("search_name", sa.String(160), False),
    ("id_number", sa.String(12), False), ("home_region_code", sa.String(2), False),
]
NAMES = ", ".join(name for name, _type, _null in COLUMNS)
INDEXES = {
    "ix_worklist_entry_urgency": ["severity", "remaining_key", "deadline", "step_id", "search_name", "id_number"],
    "ix_worklist_entry_notice_flag_from": ["notice_flag_from", "severity"],
    "ix_worklist_entry_contact_flag_from": ["contact_flag_from", "severity"],
    **{f"ix_worklist_entry_{c}": [c] for c in (
        "search_name", "id_number", "step_code", "specialty_name", "medical_priority", "deadline", "remaining_key", "waited_key", "clock_start",
        "waiting_unit", "assignee_name", "last_contact", "case_id", "patient_id", "assigned_user_id",
        "specialty_code")},
}

# app.worklist.severity_sql on the entries' day (app.guarantee.SEVERITY: 0 overdue, 1 akut, 2 risk, 3 ok,
# 4 paused, 5 PvV, 6 closed), and the first later day on which it changes.
SEVERITY = """CASE
    WHEN s.stopped_on IS NOT NULL THEN 6 WHEN s.pvv_since IS NOT NULL THEN 5 WHEN s.paused_since IS NOT NULL THEN 4
    WHEN s.deadline < d.as_of THEN 0 WHEN s.akut_from <= d.as_of THEN 1
    WHEN s.risk_from IS NOT NULL AND s.risk_from <= d.as_of THEN 2 ELSE 3 END"""
UNTIL = """CASE
    WHEN s.stopped_on IS NOT NULL OR s.pvv_since IS NOT NULL OR s.paused_since IS NOT NULL
         OR s.deadline < d.as_of THEN NULL
    WHEN s.akut_from <= d.as_of THEN date(s.deadline, '+1 day')
    WHEN s.risk_from IS NOT NULL AND s.risk_from <= d.as_of THEN s.akut_from
    WHEN s.risk_from IS NOT NULL AND s.risk_from < s.akut_from THEN s.risk_from ELSE s.akut_from END"""
SOURCE = f"""CREATE VIEW worklist_source AS SELECT
    s.id AS step_id, s.case_id AS case_id, c.patient_id AS patient_id,
    {SEVERITY} AS severity,
    {UNTIL} AS severity_until,
    CASE WHEN s.frozen_remaining IS NULL THEN s.deadline
         ELSE date(d.as_of, printf('%+d days', s.frozen_remaining)) END AS remaining_key,
    CASE WHEN s.frozen_waited IS NULL THEN s.waiting_since
         ELSE date(d.as_of, printf('%+d days', -s.frozen_waited)) END AS waited_key,
    s.deadline AS deadline, s.clock_start AS clock_start, s.last_contact AS last_contact,
    CASE WHEN s.pvv_since IS NULL THEN s.notice_due END AS notice_flag_from,
    CASE WHEN s.pvv_since IS NULL THEN s.contact_due END AS contact_flag_from,
    s.code AS step_code, c.specialty_code AS specialty_code, sp.name AS specialty_name,
    c.waiting_unit AS waiting_unit, c.medical_priority AS medical_priority,
    c.assigned_user_id AS assigned_user_id, u.display_name AS assignee_name,
    p.search_name AS search_name, p.id_number AS id_number, p.home_region_code AS home_region_code
FROM step s
JOIN case_file c ON c.id = s.case_id
JOIN patient p ON p.id = c.patient_id
JOIN specialty sp ON sp.code = c.specialty_code
LEFT JOIN app_user u ON u.id = c.assigned_user_id
CROSS JOIN worklist_day d
WHERE s.is_open = 1"""


def _renew(key: str, value: str) -> str:
    """The statements that write the entries of the open steps whose `key` is `value` again."""
    return (f"DELETE FROM worklist_entry WHERE {key} = OLD.{value}; "
            f"INSERT INTO worklist_entry ({NAMES}) SELECT {NAMES} FROM worklist_source WHERE {key} = NEW.{value};")


TRIGGERS = {
    "worklist_step_insert": f"AFTER INSERT ON step WHEN NEW.is_open = 1 BEGIN "
                            f"INSERT INTO worklist_entry ({NAMES}) SELECT {NAMES} FROM worklist_source "
                            f"WHERE step_id = NEW.id; END",
    "worklist_step_update": f"AFTER UPDATE ON step BEGIN {_renew('step_id', 'id')} END",
    "worklist_step_delete": "AFTER DELETE ON step BEGIN DELETE FROM worklist_entry WHERE step_id = OLD.id; END",
    "worklist_case_update": "AFTER UPDATE OF patient_id, specialty_code, waiting_unit, medical_priority, "
                            f"assigned_user_id ON case_file BEGIN {_renew('case_id', 'id')} END",
    "worklist_patient_update": "AFTER UPDATE OF name, search_name, id_number, home_region_code ON patient "
                               f"BEGIN {_renew('patient_id', 'id')} END",
    "worklist_user_update": "AFTER UPDATE OF display_name ON app_user BEGIN UPDATE worklist_entry "
                            "SET assignee_name = NEW.display_name WHERE assigned_user_id = NEW.id; END",
    "worklist_specialty_update": "AFTER UPDATE OF name ON specialty BEGIN UPDATE worklist_entry "
                                 "SET specialty_name = NEW.name WHERE specialty_code = NEW.code; END",
}


def upgrade() -> None:
    # PostgreSQL gets the tables only: the view and triggers are 0008's, generated from the clock's rule.
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "worklist_day",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worklist_day")),
    )
    op.create_table(
        "worklist_entry",
        *(sa.Column(name, kind, nullable=nullable, autoincrement=False) for name, kind, nullable in COLUMNS),
        sa.PrimaryKeyConstraint("step_id", name=op.f("pk_worklist_entry")),
    )
    # The local date, as the app's today (entries of another day are brought up to date by the first query).
    op.execute(sa.text("INSERT INTO worklist_day (id, as_of) VALUES (1, :today)").bindparams(
        sa.bindparam("today", date.today(), sa.Date())))
    if sqlite:
        op.execute(SOURCE)
        op.execute(f"INSERT INTO worklist_entry ({NAMES}) SELECT {NAMES} FROM worklist_source")
    for name, columns in INDEXES.items():  # after the rows: one sorted build per index, not 100 000 inserts
        op.create_index(name, "worklist_entry", columns, unique=False)
    if sqlite:
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP VIEW IF EXISTS worklist_source")
    op.drop_table("worklist_entry")
    op.drop_table("worklist_day")
