"""indexes for finding care elsewhere (app/register/candidates.py): unit_service by (kind, code, unit_id) so the
units offering a service come from the index alone, contract by (provider_id, unit_id) for a provider's
contracts that cover all its units, and capacity_report by (unit_id, service, as_of) for the newest report

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (old index, its columns) replaced by (new index, its columns): each new one starts with the old one's columns.
REPLACED = [
    ("unit_service", "ix_unit_service_kind_code", ["kind", "code"],
     "ix_unit_service_kind_code_unit", ["kind", "code", "unit_id"]),
    ("contract", "ix_contract_provider_id", ["provider_id"],
     "ix_contract_provider_unit", ["provider_id", "unit_id"]),
    ("capacity_report", "ix_capacity_report_unit_service", ["unit_id", "service"],
     "ix_capacity_report_unit_service_as_of", ["unit_id", "service", "as_of"]),
]


def upgrade() -> None:
    for table, old, _, new, columns in REPLACED:
        op.create_index(new, table, columns, unique=False)
        op.drop_index(old, table_name=table)


def downgrade() -> None:
    for table, old, old_columns, new, _ in REPLACED:
        op.create_index(old, table, old_columns, unique=False)
        op.drop_index(new, table_name=table)
