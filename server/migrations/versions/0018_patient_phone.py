"""notifications: a patient's encrypted phone number read by a function, not a widened scope

Revision ID: 0018_patient_phone
Revises: 0017_duty_unstamped
"""

from __future__ import annotations

from alembic import op

revision = '0018_patient_phone'
down_revision = '0017_duty_unstamped'
branch_labels = None
depends_on = None

# The actor who triggers a notification (a pharmacy accepting an order) usually may not see the
# patient's record. The server used to widen the transaction's scope to every organisation
# around one SELECT (four statements, and the caller's pending writes flushed first). This
# function runs as its owner, the schema owner, whom row-level security does not restrict, and
# returns that one column (still encrypted) of that one row: one statement, and nothing else
# of the record is exposed.
CREATE = r"""
CREATE FUNCTION patient_phone_enc(patient uuid)
RETURNS TABLE (found boolean, phone_enc bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT true, p.phone_enc FROM public.patient p WHERE p.id = patient
$$
"""


def upgrade() -> None:
    op.execute(CREATE)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS patient_phone_enc(uuid)")
