"""All SQL of the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.outbox.models import OutboxMessage, OutboxStatus

# Announced at commit by every transaction that queued a message: the relays wake up.
CHANNEL = "rxp_outbox"
# Namespace of the per-key advisory locks (the second key is the ordering key's hash).
KEY_LOCK = 0x52584F42  # "RXOB"


async def insert(session: AsyncSession, message: OutboxMessage) -> None:
    if message.ordering_key is not None:
        # Held to the commit: of two transactions queueing for one key, the second takes its
        # `seq` after the first committed, so a later `seq` never becomes visible first and
        # the relay cannot deliver the later message before the earlier one exists.
        await session.execute(text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))"),
                              {"ns": KEY_LOCK, "key": message.ordering_key})
    session.add(message)
    await session.flush()
    await announce(session)


async def announce(session: AsyncSession) -> None:
    """Wake the relays when this transaction commits (NOTIFY is dropped on rollback)."""
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


async def claim_due(session: AsyncSession, *, now: datetime,
                    limit: int) -> Sequence[OutboxMessage]:
    """Due pending messages, locked, oldest first: at most one per ordering key, the first not
    yet delivered one (a later message waits while an earlier one of its key is pending or
    dead), skipping rows another relay holds."""
    return (await session.scalars(_claim_due(), {"now": now, "limit": limit})).all()


@cache
def _claim_due() -> Select[Any]:
    """Built once: the relay runs it after every commit that queued a message."""
    earlier = aliased(OutboxMessage)
    blocked = exists().where(earlier.ordering_key == OutboxMessage.ordering_key,
                             earlier.seq < OutboxMessage.seq,
                             earlier.status != OutboxStatus.DELIVERED)
    return (select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING,
                   OutboxMessage.next_attempt_at <= bindparam("now"), ~blocked)
            .order_by(OutboxMessage.seq)
            .limit(bindparam("limit"))
            .with_for_update(skip_locked=True, of=OutboxMessage))


async def get(session: AsyncSession, message_id: uuid.UUID, *,
              for_update: bool = False) -> OutboxMessage | None:
    query = select(OutboxMessage).where(OutboxMessage.id == message_id)
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def dead_letters(session: AsyncSession, *, destination: str | None, limit: int,
                       offset: int) -> tuple[Sequence[OutboxMessage], int]:
    where = [OutboxMessage.status == OutboxStatus.DEAD]
    if destination:
        where.append(OutboxMessage.destination == destination)
    rows = (await session.scalars(select(OutboxMessage).where(*where)
                                  .order_by(OutboxMessage.seq).limit(limit)
                                  .offset(offset))).all()
    total = (await session.execute(select(func.count()).select_from(OutboxMessage)
                                   .where(*where))).scalar_one()
    return rows, total


async def counts(session: AsyncSession, *, now: datetime) -> list[tuple[str, str, int, int,
                                                                         datetime | None]]:
    """(destination, status, count, due now, oldest created) for what is not delivered."""
    due = func.count().filter(OutboxMessage.next_attempt_at <= now)
    rows = (await session.execute(
        select(OutboxMessage.destination, OutboxMessage.status, func.count(), due,
               func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status != OutboxStatus.DELIVERED)
        .group_by(OutboxMessage.destination, OutboxMessage.status))).all()
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
