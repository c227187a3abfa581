"""incidents with the contract's clocks, their timeline; kiosks' device status

Revision ID: 0012_incidents
Revises: 0011_insurance
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_incidents'
down_revision = '0011_insurance'
branch_labels = None
depends_on = None

# Scoped by row-level security as in 0001 (rxp_visible()): an incident belongs to the
# organisation it was reported for, a device to its kiosk's organisation.
SCOPED_TABLES = ("incident", "incident_event", "device_status")
ROW_SECURITY = [
    statement
    for table in SCOPED_TABLES
    for statement in (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_org_scope ON {table} USING (rxp_visible(org_id))"
        f" WITH CHECK (rxp_visible(org_id))",
    )
]


def upgrade() -> None:
    op.execute("CREATE SEQUENCE incident_number_seq")
    op.create_table('incident',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('service', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('alert_name', sa.String(length=100), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Uuid(), nullable=True),
    sa.Column('reported_by_name', sa.String(length=100), nullable=False),
    sa.Column('respond_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fix_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Uuid(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_by_id', sa.Uuid(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Uuid(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('respond_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('respond_breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fix_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fix_breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_incident_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('number', name=op.f('uq_incident_number'))
    )
    op.create_index(op.f('ix_incident_org_id'), 'incident', ['org_id'], unique=False)
    op.create_index('ix_incident_opened_at', 'incident', ['opened_at'], unique=False)
    op.create_index('ix_incident_unresolved', 'incident', ['fix_due_at'], unique=False,
                    postgresql_where=sa.text("status <> 'resolved'"))
    op.create_table('incident_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_event_incident_id_incident')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_incident_event_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_event'))
    )
    op.create_index(op.f('ix_incident_event_incident_id'), 'incident_event', ['incident_id'], unique=False)
    op.create_table('device_status',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('client_name', sa.String(length=100), nullable=False),
    sa.Column('device', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('fault', sa.String(length=40), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['integration_client.id'], name=op.f('fk_device_status_client_id_integration_client')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_device_status_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_status')),
    sa.UniqueConstraint('client_id', 'device', name=op.f('uq_device_status_client_id_device'))
    )
    op.create_index(op.f('ix_device_status_org_id'), 'device_status', ['org_id'], unique=False)
    for statement in ROW_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    for table in SCOPED_TABLES:
        op.execute(f"DROP POLICY IF EXISTS {table}_org_scope ON {table}")
    op.drop_index(op.f('ix_device_status_org_id'), table_name='device_status')
    op.drop_table('device_status')
    op.drop_index(op.f('ix_incident_event_incident_id'), table_name='incident_event')
    op.drop_table('incident_event')
    op.drop_index('ix_incident_unresolved', table_name='incident')
    op.drop_index('ix_incident_opened_at', table_name='incident')
    op.drop_index(op.f('ix_incident_org_id'), table_name='incident')
    op.drop_table('incident')
    op.execute("DROP SEQUENCE incident_number_seq")
