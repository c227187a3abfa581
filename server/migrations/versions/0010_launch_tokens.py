"""launch tokens: an HIS starts the doctor's app logged in, on a patient

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Scoped by row-level security as in 0001 (rxp_visible()), on the issuing HIS's hospital.
ROW_SECURITY = [
    "ALTER TABLE launch_token ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY launch_token_org_scope ON launch_token USING (rxp_visible(org_id))"
    " WITH CHECK (rxp_visible(org_id))",
]


def upgrade() -> None:
    op.create_table('launch_token',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.LargeBinary(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['integration_client.id'], name=op.f('fk_launch_token_client_id_integration_client')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_launch_token_org_id_organisation')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_launch_token_patient_id_patient')),
    sa.ForeignKeyConstraint(['session_id'], ['auth_session.id'], name=op.f('fk_launch_token_session_id_auth_session')),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_launch_token_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_launch_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_launch_token_token_hash'))
    )
    op.create_index(op.f('ix_launch_token_org_id'), 'launch_token', ['org_id'], unique=False)
    for statement in ROW_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS launch_token_org_scope ON launch_token")
    op.drop_index(op.f('ix_launch_token_org_id'), table_name='launch_token')
    op.drop_table('launch_token')
