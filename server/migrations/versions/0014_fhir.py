"""fhir: business identifiers integration clients gave resources they created

Revision ID: 0014_fhir
Revises: 0013_outbox_hl7
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014_fhir'
down_revision = '0013_outbox_hl7'
branch_labels = None
depends_on = None

# Scoped by row-level security as in 0001 (rxp_visible()), on the prescribing organisation.
ROW_SECURITY = [
    "ALTER TABLE fhir_identifier ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY fhir_identifier_org_scope ON fhir_identifier USING (rxp_visible(org_id))"
    " WITH CHECK (rxp_visible(org_id))",
]


def upgrade() -> None:
    op.create_table('fhir_identifier',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('resource_type', sa.String(length=40), nullable=False),
    sa.Column('system', sa.String(length=255), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('prescription_id', sa.Uuid(), nullable=True),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['integration_client.id'], name=op.f('fk_fhir_identifier_client_id_integration_client')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_fhir_identifier_org_id_organisation')),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_fhir_identifier_prescription_id_prescription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fhir_identifier')),
    sa.UniqueConstraint('resource_type', 'system', 'value', name='uq_fhir_identifier_key')
    )
    op.create_index(op.f('ix_fhir_identifier_prescription_id'), 'fhir_identifier', ['prescription_id'], unique=False)
    for statement in ROW_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS fhir_identifier_org_scope ON fhir_identifier")
    op.drop_index(op.f('ix_fhir_identifier_prescription_id'), table_name='fhir_identifier')
    op.drop_table('fhir_identifier')
