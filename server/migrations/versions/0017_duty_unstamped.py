"""review: assignments no longer stamp the pharmacist's duty row

Revision ID: 0017_duty_unstamped
Revises: 0016_live_event_order
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017_duty_unstamped'
down_revision = '0016_live_event_order'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The tie-break among equally loaded pharmacists is random now: the stamp's row lock,
    # held to each submit's commit, queued concurrent submits (server/prescriptions/repository.py).
    op.drop_column('pharmacist_duty', 'last_assigned_at')


def downgrade() -> None:
    op.add_column('pharmacist_duty',
                  sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True))
