"""events: the horizon of pruned live events

Revision ID: 0019_live_event_horizon
Revises: 0018_patient_phone
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019_live_event_horizon'
down_revision = '0018_patient_phone'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The retention job prunes old live events and raises this in the same transaction; a
    # stream resuming from below it tells its client to reload (server/events/stream.py).
    # No row until the first prune: the job upserts it, so a restored or imported database
    # (handover) needs none made here. The server's role gets its rights in env.py.
    op.create_table('live_event_horizon',
    sa.Column('id', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('pruned_through', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_live_event_horizon_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_event_horizon'))
    )


def downgrade() -> None:
    op.drop_table('live_event_horizon')
