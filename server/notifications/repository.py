"""All SQL of the notification outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.notifications.models import Notification, NotificationStatus

# Announced at commit by every transaction that queued a notification: the delivery loops of
# all server processes wake up (NOTIFY is delivered only if the transaction commits).
CHANNEL = "rxp_notifications"


_PATIENT_PHONE = text("SELECT found, phone_enc FROM patient_phone_enc(:patient)")


async def patient_phone(session: AsyncSession, patient_id: uuid.UUID) -> tuple[bool, bytes | None]:
    """(whether the patient exists, their encrypted phone number), whatever the session's scope.

    The actor who triggers a notification (a pharmacy accepting an order) usually may not see
    the patient's record: the number is read by a database function (migration 0018) that may
    read that one column of that one row across row-level security.
    """
    row = (await session.execute(_PATIENT_PHONE, {"patient": patient_id})).first()
    if row is None:
        return False, None
    return True, row.phone_enc


async def announce(session: AsyncSession) -> None:
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


@cache
def _next_due() -> Select[Any]:
    """Built once: the sender runs it after every notification queued, and at each poll."""
    return (select(Notification)
            .where(Notification.status == NotificationStatus.PENDING,
                   Notification.next_attempt_at <= bindparam("now"))
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(1)
            .with_for_update(skip_locked=True))


async def lock_next_due(session: AsyncSession, *, now: datetime) -> Notification | None:
    """The oldest pending notification due by `now`, locked; rows other processes are sending
    are skipped."""
    return (await session.scalars(_next_due(), {"now": now})).first()


async def outbox_state(session: AsyncSession) -> dict[str, Any]:
    """How the outbox stands: messages waiting, given up, and the oldest one waiting."""
    row = (await session.execute(select(
        func.count().filter(Notification.status == NotificationStatus.PENDING),
        func.count().filter(Notification.status == NotificationStatus.FAILED),
        func.min(Notification.created_at).filter(
            Notification.status == NotificationStatus.PENDING)))).one()
    return {"pending": row[0], "failed": row[1], "oldest_pending_at": row[2]}
