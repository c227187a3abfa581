"""payments: payment, payment_notification, refund

Revision ID: 0008
Revises: 0007

`payment.order_id` has no foreign key yet: the circulation migration adds it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _entity_columns() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'payment',
        sa.Column('order_id', sa.Uuid(), nullable=False),
        sa.Column('patient_id', sa.Uuid(), nullable=False),
        sa.Column('pharmacy_id', sa.Uuid(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('fund_fen', sa.BigInteger(), nullable=False),
        sa.Column('personal_account_fen', sa.BigInteger(), nullable=False),
        sa.Column('cash_fen', sa.BigInteger(), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('subject', sa.String(length=128), nullable=False),
        sa.Column('out_trade_no', sa.String(length=32), nullable=False),
        sa.Column('gateway', sa.String(length=20), nullable=True),
        sa.Column('gateway_trade_no', sa.String(length=64), nullable=True),
        sa.Column('qr_payload', sa.Text(), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('close_reason', sa.String(length=200), nullable=True),
        sa.Column('registered_by_id', sa.Uuid(), nullable=True),
        sa.Column('registered_by_name', sa.String(length=100), nullable=True),
        sa.Column('receipt_no', sa.String(length=64), nullable=True),
        *_entity_columns(),
        sa.CheckConstraint('amount_fen >= 0 AND fund_fen >= 0 AND personal_account_fen >= 0'
                           ' AND cash_fen >= 0', name=op.f('ck_payment_amounts_not_negative')),
        sa.CheckConstraint('fund_fen + personal_account_fen + cash_fen = amount_fen',
                           name=op.f('ck_payment_split_adds_up')),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'],
                                name=op.f('fk_payment_patient_id_patient')),
        sa.ForeignKeyConstraint(['pharmacy_id'], ['organisation.id'],
                                name=op.f('fk_payment_pharmacy_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
        sa.UniqueConstraint('out_trade_no', name=op.f('uq_payment_out_trade_no')),
    )
    op.create_index(op.f('ix_payment_order_id'), 'payment', ['order_id'], unique=False)
    op.create_index(op.f('ix_payment_pharmacy_id'), 'payment', ['pharmacy_id'], unique=False)
    op.create_index('uq_payment_open_order', 'payment', ['order_id'], unique=True,
                    postgresql_where=sa.text("status = 'created'"))

    op.create_table(
        'payment_notification',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('gateway', sa.String(length=20), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('notification_id', sa.String(length=64), nullable=True),
        sa.Column('out_trade_no', sa.String(length=64), nullable=True),
        sa.Column('payment_id', sa.Uuid(), nullable=True),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('body_truncated', sa.Boolean(), nullable=False),
        sa.Column('headers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('remote_ip', sa.String(length=64), nullable=True),
        sa.Column('signature_ok', sa.Boolean(), nullable=False),
        sa.Column('amount_ok', sa.Boolean(), nullable=True),
        sa.Column('duplicate', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['payment_id'], ['payment.id'],
                                name=op.f('fk_payment_notification_payment_id_payment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_notification')),
    )
    op.create_index(op.f('ix_payment_notification_notification_id'), 'payment_notification',
                    ['notification_id'], unique=False)
    op.create_index(op.f('ix_payment_notification_payment_id'), 'payment_notification',
                    ['payment_id'], unique=False)

    op.create_table(
        'refund',
        sa.Column('payment_id', sa.Uuid(), nullable=False),
        sa.Column('out_refund_no', sa.String(length=64), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('requested_by_id', sa.Uuid(), nullable=True),
        sa.Column('requested_by_name', sa.String(length=100), nullable=True),
        sa.Column('gateway_refund_no', sa.String(length=64), nullable=True),
        sa.Column('gateway_status', sa.String(length=20), nullable=True),
        sa.Column('gateway_message', sa.Text(), nullable=True),
        sa.Column('gateway_answer', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(['payment_id'], ['payment.id'],
                                name=op.f('fk_refund_payment_id_payment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refund')),
        sa.UniqueConstraint('out_refund_no', name=op.f('uq_refund_out_refund_no')),
    )
    op.create_index(op.f('ix_refund_payment_id'), 'refund', ['payment_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_refund_payment_id'), table_name='refund')
    op.drop_table('refund')
    op.drop_index(op.f('ix_payment_notification_payment_id'), table_name='payment_notification')
    op.drop_index(op.f('ix_payment_notification_notification_id'),
                  table_name='payment_notification')
    op.drop_table('payment_notification')
    op.drop_index('uq_payment_open_order', table_name='payment',
                  postgresql_where=sa.text("status = 'created'"))
    op.drop_index(op.f('ix_payment_pharmacy_id'), table_name='payment')
    op.drop_index(op.f('ix_payment_order_id'), table_name='payment')
    op.drop_table('payment')
