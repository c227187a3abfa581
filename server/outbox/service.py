"""Queueing messages to outside systems, and the administrator's view of what could not be
delivered.

`enqueue` only writes a row in the caller's transaction: a change that rolls back sends
nothing, and a committed one is sure to be delivered even if the receiver is down at that
moment. Delivery is the relay's business (relay.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.core.context import RequestContext
from server.core.errors import Conflict, NotFound
from server.core.services import Services
from server.outbox import repository
from server.outbox.models import OutboxMessage, OutboxStatus

MAX_KEY = 100


async def enqueue(session: AsyncSession, *, destination: str, payload: str, now: datetime,
                  topic: str = "", ordering_key: str | None = None,
                  message_id: uuid.UUID | None = None) -> OutboxMessage:
    """Queue `payload` for `destination` (a registered handler) in the current transaction.

    Messages with the same `ordering_key` are delivered in the order they were queued, each
    only after the one before it was delivered. Returns the row; its `id` is the message id the
    receiver deduplicates by.
    """
    if ordering_key is not None and len(ordering_key) > MAX_KEY:
        raise ValueError(f"ordering key longer than {MAX_KEY} characters")
    message = OutboxMessage(
        id=message_id or uuid.uuid4(), destination=destination, topic=topic,
        ordering_key=ordering_key, payload=payload, status=OutboxStatus.PENDING, attempts=0,
        next_attempt_at=now, created_at=now)
    await repository.insert(session, message)
    return message


async def dead_letters(ctx: RequestContext, *, destination: str | None, limit: int,
                       offset: int) -> tuple[Sequence[OutboxMessage], int]:
    return await repository.dead_letters(ctx.session, destination=destination, limit=limit,
                                         offset=offset)


async def retry(ctx: RequestContext, svc: Services, message_id: uuid.UUID) -> OutboxMessage:
    """Give a dead letter a fresh set of attempts, due now (in its place in its key's order)."""
    message = await repository.get(ctx.session, message_id, for_update=True)
    ctx.note("outbox.retry", "outbox_message", message_id)
    if message is None:
        raise NotFound("没有这条消息", field="message_id")
    if message.status != OutboxStatus.DEAD:
        raise Conflict("只有投递失败（死信）的消息可以重试", current_status=message.status)
    ctx.note("outbox.retry", "outbox_message", message.id, destination=message.destination,
             topic=message.topic, ordering_key=message.ordering_key,
             attempts=message.attempts, last_error=message.last_error)
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.dead_at = None
    message.next_attempt_at = svc.clock.now()
    await repository.announce(ctx.session)
    return message


@dataclass
class DestinationCounts:
    pending: int = 0
    due: int = 0
    dead: int = 0
    oldest_pending_at: datetime | None = None


@dataclass
class OutboxStats:
    destinations: dict[str, DestinationCounts] = field(default_factory=dict)

    @property
    def pending(self) -> int:
        return sum(d.pending for d in self.destinations.values())

    @property
    def dead(self) -> int:
        return sum(d.dead for d in self.destinations.values())


async def stats(session: AsyncSession, *, now: datetime) -> OutboxStats:
    """Backlog and dead letters per destination, for the administrator and for metrics."""
    result = OutboxStats()
    for destination, status, count, due, oldest in await repository.counts(session, now=now):
        counts = result.destinations.setdefault(destination, DestinationCounts())
        if status == OutboxStatus.PENDING:
            counts.pending, counts.due, counts.oldest_pending_at = count, due, oldest
        elif status == OutboxStatus.DEAD:
            counts.dead = count
    return result
