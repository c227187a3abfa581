"""All SQL of the notification outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.notifications.models import Notification, NotificationStatus
from server.patients.models import Patient

# Announced at commit by every transaction that queued a notification: the delivery loops of
# all server processes wake up (NOTIFY is delivered only if the transaction commits).
CHANNEL = "rxp_notifications"


async def patient_phone(session: AsyncSession, patient_id: uuid.UUID) -> tuple[bool, bytes | None]:
    """(whether the patient exists, their encrypted phone number), whatever the session's scope.

    The actor who triggers a notification (a pharmacy accepting an order) usually may not see
    the patient's record; the number is read across row-level security for this one purpose,
    and the scope of the transaction is put back at once.
    """
    # The caller's pending changes are flushed first, under the caller's own scope: flushed
    # inside the widened one, row-level security would check them against every organisation.
    await session.flush()
    previous = (await session.execute(
        text("SELECT current_setting('rxp.visible_orgs', true)"))).scalar()
    await session.execute(text("SELECT set_config('rxp.visible_orgs', '*', true)"))
    try:
        row = (await session.execute(
            select(Patient.id, Patient.phone_enc).where(Patient.id == patient_id))).first()
    finally:
        await session.execute(text("SELECT set_config('rxp.visible_orgs', :v, true)"),
                              {"v": previous or ""})
    if row is None:
        return False, None
    return True, row.phone_enc


async def announce(session: AsyncSession) -> None:
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


async def lock_next_due(session: AsyncSession, *, now: datetime) -> Notification | None:
    """The oldest pending notification due by `now`, locked; rows other processes are sending
    are skipped."""
    return (await session.scalars(
        select(Notification)
        .where(Notification.status == NotificationStatus.PENDING,
               Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True))).first()


async def outbox_state(session: AsyncSession) -> dict[str, Any]:
    """How the outbox stands: messages waiting, given up, and the oldest one waiting."""
    row = (await session.execute(select(
        func.count().filter(Notification.status == NotificationStatus.PENDING),
        func.count().filter(Notification.status == NotificationStatus.FAILED),
        func.min(Notification.created_at).filter(
            Notification.status == NotificationStatus.PENDING)))).one()
    return {"pending": row[0], "failed": row[1], "oldest_pending_at": row[2]}
