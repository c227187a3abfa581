"""signing certificates and live events

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signing_certificate',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('algorithm', sa.String(length=30), nullable=False),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=True),
    sa.Column('serial_number', sa.String(length=80), nullable=True),
    sa.Column('registered_by', sa.Uuid(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.Uuid(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registered_by'], ['staff_user.id'], name=op.f('fk_signing_certificate_registered_by_staff_user')),
    sa.ForeignKeyConstraint(['revoked_by'], ['staff_user.id'], name=op.f('fk_signing_certificate_revoked_by_staff_user')),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_signing_certificate_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_certificate')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_signing_certificate_fingerprint'))
    )
    op.create_index(op.f('ix_signing_certificate_user_id'), 'signing_certificate', ['user_id'], unique=False)
    # id is a bigserial: `service.publish` renumbers a transaction's events from its sequence
    # at commit, under an advisory lock, so ids follow commit order.
    op.create_table('live_event',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('user_ids', sa.ARRAY(sa.Uuid()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('roles', sa.ARRAY(sa.String(length=30)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('entity_type', sa.String(length=60), nullable=True),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_event'))
    )


def downgrade() -> None:
    op.drop_table('live_event')
    op.drop_index(op.f('ix_signing_certificate_user_id'), table_name='signing_certificate')
    op.drop_table('signing_certificate')
