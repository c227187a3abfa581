"""audit: append an event in one statement (lock, head, hash and insert in the database)

Revision ID: 0015_audit_append
Revises: 0014_fhir
"""

from __future__ import annotations

from alembic import op

revision = '0015_audit_append'
down_revision = '0014_fhir'
branch_labels = None
depends_on = None

# Every write request appends its audit event just before commit, under the chain's lock,
# which is then held to the commit. Lock, head, insert as three statements made that
# serialised stretch three round trips (each waiting its turn on a busy server's event loop);
# here it is one. The statements inside a VOLATILE function each take a fresh snapshot in READ
# COMMITTED, so the head read after the lock is the committed head (one statement could not:
# its snapshot would predate the lock). The hash is the chain's own definition
# (server/audit/chain.py): SHA-256(prev_hash || canonical JSON), the JSON given as the bytes
# before and after the sequence number.
CREATE = r"""
CREATE FUNCTION audit_append(fields jsonb, before_seq bytea, after_seq bytea, lock_key bigint)
RETURNS TABLE (appended_seq bigint, appended_hash bytea)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head_seq bigint;
    head_hash bytea;
    e audit_event;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT a.seq, a.hash INTO head_seq, head_hash
      FROM audit_event a ORDER BY a.seq DESC LIMIT 1;
    e := jsonb_populate_record(NULL::audit_event, fields);
    e.seq := COALESCE(head_seq, 0) + 1;
    e.prev_hash := COALESCE(head_hash, decode(repeat('00', 32), 'hex'));
    e.hash := sha256(e.prev_hash || before_seq || convert_to(e.seq::text, 'UTF8') || after_seq);
    INSERT INTO audit_event SELECT e.*;
    appended_seq := e.seq;
    appended_hash := e.hash;
    RETURN NEXT;
END
$$
"""


def upgrade() -> None:
    op.execute(CREATE)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS audit_append(jsonb, bytea, bytea, bigint)")
