"""provider and contract register, capacity, change history, import mappings and links

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("org_number", sa.String(length=11), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_provider_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider")),
        sa.UniqueConstraint("org_number", name=op.f("uq_provider_org_number")),
    )
    op.create_table(
        "care_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hsa_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=240), nullable=True),
        sa.Column("municipality_code", sa.String(length=4), nullable=True),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("accepts_other_regions", sa.Boolean(), nullable=False),
        sa.Column("referral_required", sa.Boolean(), nullable=False),
        sa.Column("contact_person", sa.String(length=160), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(["municipality_code"], ["municipality.code"],
                                name=op.f("fk_care_unit_municipality_code_municipality")),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"], name=op.f("fk_care_unit_provider_id_provider")),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_care_unit_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_unit")),
        sa.UniqueConstraint("hsa_id", name=op.f("uq_care_unit_hsa_id")),
    )
    op.create_index(op.f("ix_care_unit_provider_id"), "care_unit", ["provider_id"], unique=False)
    op.create_table(
        "unit_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["care_unit.id"], name=op.f("fk_unit_service_unit_id_care_unit"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_service")),
        sa.UniqueConstraint("unit_id", "kind", "code", name="uq_unit_service_unit_kind_code"),
    )
    op.create_index("ix_unit_service_kind_code", "unit_service", ["kind", "code"], unique=False)
    op.create_index(op.f("ix_unit_service_unit_id"), "unit_service", ["unit_id"], unique=False)
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("form", sa.String(length=24), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("renewal_on", sa.Date(), nullable=True),
        sa.Column("volume_ceiling", sa.Integer(), nullable=True),
        sa.Column("volume_used", sa.Integer(), nullable=False),
        sa.Column("prices", sa.JSON(), nullable=False),
        sa.Column("open_to_other_regions", sa.Boolean(), nullable=False),
        sa.Column("open_regions", sa.JSON(), nullable=False),
        sa.Column("other_region_terms", sa.Text(), nullable=True),
        sa.Column("excluded_groups", sa.Text(), nullable=True),
        sa.Column("document_ref", sa.String(length=240), nullable=True),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"], name=op.f("fk_contract_provider_id_provider")),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_contract_region_code_region")),
        sa.ForeignKeyConstraint(["unit_id"], ["care_unit.id"], name=op.f("fk_contract_unit_id_care_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
    )
    op.create_index(op.f("ix_contract_provider_id"), "contract", ["provider_id"], unique=False)
    op.create_index(op.f("ix_contract_unit_id"), "contract", ["unit_id"], unique=False)
    op.create_table(
        "capacity_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("free_slots", sa.Integer(), nullable=True),
        sa.Column("wait_days", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["care_unit.id"],
                                name=op.f("fk_capacity_report_unit_id_care_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_report")),
    )
    op.create_index("ix_capacity_report_unit_service", "capacity_report", ["unit_id", "service"], unique=False)
    op.create_table(
        "register_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_register_change_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_change")),
    )
    op.create_index("ix_register_change_entity", "register_change", ["entity", "entity_id"], unique=False)
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["changed_by"], ["app_user.id"],
                                name=op.f("fk_import_mapping_changed_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
        sa.UniqueConstraint("kind", "name", name="uq_import_mapping_kind"),
    )
    op.create_table(
        "import_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("external_id", sa.String(length=80), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["step_id"], ["step.id"], name=op.f("fk_import_link_step_id_step")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_link")),
        sa.UniqueConstraint("source", "external_id", name="uq_import_link_source"),
    )


def downgrade() -> None:
    for table in ("import_link", "import_mapping", "register_change", "capacity_report", "contract",
                  "unit_service", "care_unit", "provider"):
        op.drop_table(table)
