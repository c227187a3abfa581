"""outbox of messages to outside systems; HL7 inbound answers and HIS-placed orders

Revision ID: 0013_outbox_hl7
Revises: 0012_incidents
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013_outbox_hl7'
down_revision = '0012_incidents'
branch_labels = None
depends_on = None

# System-only tables (as `notification`): no row-level security; the API never serves them
# to organisation-scoped staff.


def upgrade() -> None:
    op.create_table('outbox_message',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('destination', sa.String(length=40), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('ordering_key', sa.String(length=100), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dead_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('seq', name=op.f('uq_outbox_message_seq'))
    )
    op.create_index('ix_outbox_message_pending', 'outbox_message', ['seq'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_outbox_message_undelivered', 'outbox_message', ['ordering_key', 'seq'], unique=False, postgresql_where=sa.text("status <> 'delivered'"))
    op.create_index('ix_outbox_message_dead', 'outbox_message', ['seq'], unique=False, postgresql_where=sa.text("status = 'dead'"))
    op.create_table('hl7_inbound_message',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('control_id', sa.String(length=199), nullable=False),
    sa.Column('message_type', sa.String(length=20), nullable=False),
    sa.Column('digest', sa.LargeBinary(), nullable=False),
    sa.Column('ack_code', sa.String(length=2), nullable=True),
    sa.Column('ack', sa.LargeBinary(), nullable=True),
    sa.Column('prescription_id', sa.Uuid(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['integration_client.id'], name=op.f('fk_hl7_inbound_message_client_id_integration_client')),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_hl7_inbound_message_prescription_id_prescription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hl7_inbound_message')),
    sa.UniqueConstraint('client_id', 'control_id', name=op.f('uq_hl7_inbound_message_client_id_control_id'))
    )
    op.create_table('hl7_order',
    sa.Column('prescription_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('facility', sa.String(length=40), nullable=False),
    sa.Column('placer_group', sa.String(length=100), nullable=False),
    sa.Column('placer_numbers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('patient_id_type', sa.String(length=10), nullable=False),
    sa.Column('visit_number', sa.String(length=50), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['integration_client.id'], name=op.f('fk_hl7_order_client_id_integration_client')),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_hl7_order_prescription_id_prescription')),
    sa.PrimaryKeyConstraint('prescription_id', name=op.f('pk_hl7_order')),
    sa.UniqueConstraint('client_id', 'placer_group', name=op.f('uq_hl7_order_client_id_placer_group'))
    )


def downgrade() -> None:
    op.drop_table('hl7_order')
    op.drop_table('hl7_inbound_message')
    op.drop_index('ix_outbox_message_dead', table_name='outbox_message', postgresql_where=sa.text("status = 'dead'"))
    op.drop_index('ix_outbox_message_undelivered', table_name='outbox_message', postgresql_where=sa.text("status <> 'delivered'"))
    op.drop_index('ix_outbox_message_pending', table_name='outbox_message', postgresql_where=sa.text("status = 'pending'"))
    op.drop_table('outbox_message')
