"""insurance: claims of circulation orders at the insurance e-prescription centre

Revision ID: 0011_insurance
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_insurance'
down_revision = '0010'
branch_labels = None
depends_on = None

# Both sides of the order see its claim, as they see the order (0009).
ROW_SECURITY = [
    "ALTER TABLE insurance_claim ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY insurance_claim_org_scope ON insurance_claim"
    " USING (rxp_visible(org_id) OR rxp_visible(pharmacy_id))"
    " WITH CHECK (rxp_visible(org_id) OR rxp_visible(pharmacy_id))",
]


def upgrade() -> None:
    op.create_table('insurance_claim',
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('prescription_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('pharmacy_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('hi_rxno', sa.String(length=40), nullable=True),
    sa.Column('rx_trace_code', sa.String(length=40), nullable=True),
    sa.Column('sign_cert_sn', sa.String(length=64), nullable=True),
    sa.Column('refusal_code', sa.Integer(), nullable=True),
    sa.Column('refusal', sa.Text(), nullable=True),
    sa.Column('setl_id', sa.String(length=40), nullable=True),
    sa.Column('fund_fen', sa.BigInteger(), nullable=True),
    sa.Column('personal_account_fen', sa.BigInteger(), nullable=True),
    sa.Column('cash_fen', sa.BigInteger(), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('written_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivery_error', sa.Text(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['circulation_order.id'], name=op.f('fk_insurance_claim_order_id_circulation_order')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_insurance_claim_org_id_organisation')),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['organisation.id'], name=op.f('fk_insurance_claim_pharmacy_id_organisation')),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_insurance_claim_prescription_id_prescription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_claim')),
    sa.UniqueConstraint('order_id', name=op.f('uq_insurance_claim_order_id'))
    )
    op.create_index(op.f('ix_insurance_claim_prescription_id'), 'insurance_claim', ['prescription_id'], unique=False)
    for statement in ROW_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS insurance_claim_org_scope ON insurance_claim")
    op.drop_index(op.f('ix_insurance_claim_prescription_id'), table_name='insurance_claim')
    op.drop_table('insurance_claim')
