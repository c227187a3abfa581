"""events: commit-order renumbering of live events as a function, callable with the audit append

Revision ID: 0016_live_event_order
Revises: 0015_audit_append
"""

from __future__ import annotations

from alembic import op

revision = '0016_live_event_order'
down_revision = '0015_audit_append'
branch_labels = None
depends_on = None

# What server/events/repository.py did as one statement, as a function, so that a write
# request's last statement can be its audit append and this together (one round trip while the
# chain's lock is held, instead of two). The transaction's events get fresh ids in the order
# they were published, under the lock (held to the commit), and the highest is announced.
CREATE = r"""
CREATE FUNCTION live_event_commit_order(ids bigint[], lock_key bigint, channel text)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    newest bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    WITH mine AS (SELECT e.id FROM live_event e WHERE e.id = ANY(ids) ORDER BY e.id),
         fresh AS (SELECT mine.id AS old_id,
                          nextval(pg_get_serial_sequence('live_event', 'id')) AS new_id
                   FROM mine),
         moved AS (UPDATE live_event e SET id = fresh.new_id FROM fresh
                   WHERE e.id = fresh.old_id RETURNING e.id)
    SELECT max(moved.id) INTO newest FROM moved;
    IF newest IS NOT NULL THEN
        PERFORM pg_notify(channel, newest::text);
    END IF;
    RETURN newest;
END
$$
"""


def upgrade() -> None:
    op.execute(CREATE)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS live_event_commit_order(bigint[], bigint, text)")
