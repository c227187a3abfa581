"""circulation: orders, dispensed packages, delivery events, queue numbers

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Both sides of an order see it: the prescribing hospital (org_id) and the pharmacy.
SHARED_TABLES = ("circulation_order", "circulation_order_line", "dispensed_package",
                 "delivery_event")
ROW_SECURITY = [
    statement
    for table in SHARED_TABLES
    for statement in (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_org_scope ON {table}"
        f" USING (rxp_visible(org_id) OR rxp_visible(pharmacy_id))"
        f" WITH CHECK (rxp_visible(org_id) OR rxp_visible(pharmacy_id))",
    )
]


def upgrade() -> None:
    op.execute("CREATE SEQUENCE circulation_order_number_seq")
    op.create_table('queue_counter',
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.Column('called_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_queue_counter_org_id_organisation')),
    sa.PrimaryKeyConstraint('org_id', 'day', name=op.f('pk_queue_counter'))
    )
    op.create_table('circulation_order',
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('prescription_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('pharmacy_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=30), nullable=False),
    sa.Column('appointment_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lock_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('address_enc', sa.LargeBinary(), nullable=True),
    sa.Column('recipient_enc', sa.LargeBinary(), nullable=True),
    sa.Column('recipient_phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('items_fen', sa.BigInteger(), nullable=False),
    sa.Column('delivery_fee_fen', sa.BigInteger(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('carrier_code', sa.String(length=30), nullable=True),
    sa.Column('fee_rule', sa.Text(), nullable=True),
    sa.Column('paid', sa.Boolean(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Uuid(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('dispenser_id', sa.Uuid(), nullable=True),
    sa.Column('checker_id', sa.Uuid(), nullable=True),
    sa.Column('dispensed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tracking_number', sa.String(length=40), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outbound_number', sa.String(length=30), nullable=True),
    sa.Column('pickup_code_enc', sa.LargeBinary(), nullable=True),
    sa.Column('pickup_code_bidx', sa.LargeBinary(), nullable=True),
    sa.Column('queue_number', sa.String(length=10), nullable=True),
    sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handover_method', sa.String(length=20), nullable=True),
    sa.Column('handover_signature', sa.LargeBinary(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_circulation_order_org_id_organisation')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_circulation_order_patient_id_patient')),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['organisation.id'], name=op.f('fk_circulation_order_pharmacy_id_organisation')),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_circulation_order_prescription_id_prescription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circulation_order')),
    sa.UniqueConstraint('number', name=op.f('uq_circulation_order_number'))
    )
    op.create_index('ix_circulation_order_inbox', 'circulation_order', ['pharmacy_id', 'state', sa.literal_column('created_at DESC')], unique=False)
    op.create_index('ix_circulation_order_lock', 'circulation_order', ['lock_expires_at'], unique=False, postgresql_where=sa.text("state = 'active' AND accepted_at IS NULL"))
    op.create_index(op.f('ix_circulation_order_pickup_code_bidx'), 'circulation_order', ['pickup_code_bidx'], unique=False)
    op.create_index('ix_circulation_order_prescription', 'circulation_order', ['prescription_id'], unique=False)
    op.create_index('uq_circulation_order_active', 'circulation_order', ['prescription_id'], unique=True, postgresql_where=sa.text("state = 'active'"))
    op.create_table('circulation_order_line',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('pharmacy_id', sa.Uuid(), nullable=False),
    sa.Column('prescription_line_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('dispensed', sa.Integer(), nullable=False),
    sa.Column('unit_price_fen', sa.BigInteger(), nullable=False),
    sa.Column('not_dispensed_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['circulation_order.id'], name=op.f('fk_circulation_order_line_order_id_circulation_order')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_circulation_order_line_org_id_organisation')),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['organisation.id'], name=op.f('fk_circulation_order_line_pharmacy_id_organisation')),
    sa.ForeignKeyConstraint(['prescription_line_id'], ['prescription_line.id'], name=op.f('fk_circulation_order_line_prescription_line_id_prescription_line')),
    sa.ForeignKeyConstraint(['product_id'], ['catalogue_product.id'], name=op.f('fk_circulation_order_line_product_id_catalogue_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circulation_order_line'))
    )
    op.create_index(op.f('ix_circulation_order_line_order_id'), 'circulation_order_line', ['order_id'], unique=False)
    op.create_table('delivery_event',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('pharmacy_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=True),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['circulation_order.id'], name=op.f('fk_delivery_event_order_id_circulation_order')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_delivery_event_org_id_organisation')),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['organisation.id'], name=op.f('fk_delivery_event_pharmacy_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_event')),
    sa.UniqueConstraint('order_id', 'external_id', name='uq_delivery_event_external')
    )
    op.create_index(op.f('ix_delivery_event_order_id'), 'delivery_event', ['order_id'], unique=False)
    op.create_table('dispensed_package',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('trace_code', sa.String(length=80), nullable=False),
    sa.Column('code_format', sa.String(length=10), nullable=False),
    sa.Column('raw_scan', sa.String(length=120), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('order_line_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('pharmacy_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('batch', sa.String(length=40), nullable=False),
    sa.Column('expiry', sa.Date(), nullable=False),
    sa.Column('scanned_by_id', sa.Uuid(), nullable=False),
    sa.Column('scanned_by', sa.String(length=100), nullable=False),
    sa.Column('workstation', sa.String(length=100), nullable=True),
    sa.Column('scanned_at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['circulation_order.id'], name=op.f('fk_dispensed_package_order_id_circulation_order')),
    sa.ForeignKeyConstraint(['order_line_id'], ['circulation_order_line.id'], name=op.f('fk_dispensed_package_order_line_id_circulation_order_line')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_dispensed_package_org_id_organisation')),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['organisation.id'], name=op.f('fk_dispensed_package_pharmacy_id_organisation')),
    sa.ForeignKeyConstraint(['product_id'], ['catalogue_product.id'], name=op.f('fk_dispensed_package_product_id_catalogue_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispensed_package')),
    sa.UniqueConstraint('trace_code', name=op.f('uq_dispensed_package_trace_code'))
    )
    op.create_index(op.f('ix_dispensed_package_order_id'), 'dispensed_package', ['order_id'], unique=False)
    op.add_column('catalogue_product', sa.Column('trace_prefix', sa.String(length=7), nullable=True))
    op.add_column('catalogue_product', sa.Column('gtin', sa.String(length=14), nullable=True))
    op.create_index(op.f('ix_catalogue_product_gtin'), 'catalogue_product', ['gtin'], unique=False)
    op.create_index(op.f('ix_catalogue_product_trace_prefix'), 'catalogue_product', ['trace_prefix'], unique=False)
    for statement in ROW_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SEQUENCE IF EXISTS circulation_order_number_seq")
    for table in SHARED_TABLES:
        op.execute(f"DROP POLICY IF EXISTS {table}_org_scope ON {table}")
    op.drop_index(op.f('ix_catalogue_product_trace_prefix'), table_name='catalogue_product')
    op.drop_index(op.f('ix_catalogue_product_gtin'), table_name='catalogue_product')
    op.drop_column('catalogue_product', 'gtin')
    op.drop_column('catalogue_product', 'trace_prefix')
    op.drop_index(op.f('ix_dispensed_package_order_id'), table_name='dispensed_package')
    op.drop_table('dispensed_package')
    op.drop_index(op.f('ix_delivery_event_order_id'), table_name='delivery_event')
    op.drop_table('delivery_event')
    op.drop_index(op.f('ix_circulation_order_line_order_id'), table_name='circulation_order_line')
    op.drop_table('circulation_order_line')
    op.drop_index('uq_circulation_order_active', table_name='circulation_order', postgresql_where=sa.text("state = 'active'"))
    op.drop_index('ix_circulation_order_prescription', table_name='circulation_order')
    op.drop_index(op.f('ix_circulation_order_pickup_code_bidx'), table_name='circulation_order')
    op.drop_index('ix_circulation_order_lock', table_name='circulation_order', postgresql_where=sa.text("state = 'active' AND accepted_at IS NULL"))
    op.drop_index('ix_circulation_order_inbox', table_name='circulation_order')
    op.drop_table('circulation_order')
    op.drop_table('queue_counter')
