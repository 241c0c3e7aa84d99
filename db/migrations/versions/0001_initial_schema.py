"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 21:03:29.218266
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=120), nullable=False),
    sa.Column('display_name', sa.String(length=160), nullable=False),
    sa.Column('hsa_id', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('login', name=op.f('uq_app_user_login'))
    )
    op.create_table('region',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    op.create_table('specialty',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('bup', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_specialty'))
    )
    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_access_log_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_user_id'), ['user_id'], unique=False)

    op.create_table('activity',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('mvo_code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['mvo_code'], ['specialty.code'], name=op.f('fk_activity_mvo_code_specialty')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_activity'))
    )
    op.create_table('municipality',
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_municipality_region_code_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipality'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['app_user.id'], name=op.f('fk_setting_changed_by_app_user')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=12), nullable=False),
    sa.Column('id_kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('search_name', sa.String(length=160), nullable=False),
    sa.Column('street', sa.String(length=160), nullable=True),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('protected_identity', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('representative_kind', sa.String(length=16), nullable=True),
    sa.Column('representative_name', sa.String(length=160), nullable=True),
    sa.Column('representative_address', sa.Text(), nullable=True),
    sa.Column('home_region_code', sa.String(length=2), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['home_region_code'], ['region.code'], name=op.f('fk_patient_home_region_code_region')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_patient_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient')),
    sa.UniqueConstraint('id_number', name=op.f('uq_patient_id_number'))
    )
    op.create_table('case_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('specialty_code', sa.String(length=8), nullable=False),
    sa.Column('activity_code', sa.String(length=16), nullable=True),
    sa.Column('waiting_unit', sa.String(length=160), nullable=True),
    sa.Column('medical_priority', sa.String(length=16), nullable=True),
    sa.Column('assigned_user_id', sa.Integer(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('close_reason', sa.String(length=40), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_code'], ['activity.code'], name=op.f('fk_case_file_activity_code_activity')),
    sa.ForeignKeyConstraint(['assigned_user_id'], ['app_user.id'], name=op.f('fk_case_file_assigned_user_id_app_user')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_case_file_patient_id_patient')),
    sa.ForeignKeyConstraint(['specialty_code'], ['specialty.code'], name=op.f('fk_case_file_specialty_code_specialty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_file'))
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_assigned_user_id'), ['assigned_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_patient_id'), ['patient_id'], unique=False)

    op.create_table('step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('rule_set', sa.String(length=40), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('clock_start', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('risk_from', sa.Date(), nullable=True),
    sa.Column('akut_from', sa.Date(), nullable=False),
    sa.Column('notice_due', sa.Date(), nullable=True),
    sa.Column('contact_due', sa.Date(), nullable=False),
    sa.Column('last_contact', sa.Date(), nullable=True),
    sa.Column('paused_since', sa.Date(), nullable=True),
    sa.Column('pvv_since', sa.Date(), nullable=True),
    sa.Column('waiting_since', sa.Date(), nullable=False),
    sa.Column('frozen_waited', sa.Integer(), nullable=True),
    sa.Column('frozen_remaining', sa.Integer(), nullable=True),
    sa.Column('stopped_on', sa.Date(), nullable=True),
    sa.Column('met', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_step_case_id_case_file')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step'))
    )
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_step_worklist', ['deadline', 'stopped_on', 'pvv_since', 'paused_since', 'akut_from', 'risk_from', 'frozen_remaining'], unique=False, sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('appointment', sa.Date(), nullable=True),
    sa.Column('reply_by', sa.Date(), nullable=True),
    sa.Column('answer', sa.String(length=16), nullable=True),
    sa.Column('pause', sa.String(length=8), nullable=True),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_case_event_case_id_case_file')),
    sa.ForeignKeyConstraint(['offer_id'], ['case_event.id'], name=op.f('fk_case_event_offer_id_case_event')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_case_event_step_id_step')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_case_event_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_event_step_id'), ['step_id'], unique=False)


    op.create_table('setting_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('old_value', sa.JSON(), nullable=True),
    sa.Column('new_value', sa.JSON(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['app_user.id'], name=op.f('fk_setting_change_changed_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setting_change'))
    )
    with op.batch_alter_table('setting_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_setting_change_key'), ['key'], unique=False)

def downgrade() -> None:
    op.drop_table('setting_change')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_step_id'))
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_index('ix_step_worklist')
        batch_op.drop_index(batch_op.f('ix_step_case_id'))

    op.drop_table('step')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_file_patient_id'))
        batch_op.drop_index(batch_op.f('ix_case_file_assigned_user_id'))

    op.drop_table('case_file')
    op.drop_table('patient')
    op.drop_table('setting')
    op.drop_table('municipality')
    op.drop_table('activity')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_access_log_patient_id'))
        batch_op.drop_index(batch_op.f('ix_access_log_at'))

    op.drop_table('access_log')
    op.drop_table('specialty')
    op.drop_table('region')
    op.drop_table('app_user')
