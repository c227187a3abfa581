"""The relay: delivers what the outbox holds, through the handler registered for each
destination.

A round claims due messages in one transaction with `FOR UPDATE SKIP LOCKED` (so several
relays, in the server processes and in `python -m server.outbox`, share the queue without
taking the same row), delivers them concurrently (at most one per ordering key, see
repository.claim_due), records each outcome and commits. A relay killed mid-round commits
nothing: its rows are unlocked by PostgreSQL when the connection drops and delivered again by
the next round, which is why delivery is at least once and receivers deduplicate by message id.
A message whose key has an earlier message still pending or dead waits, so a key's messages
reach the receiver in the order they were queued.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from server.audit import repository as audit_repository
from server.core.listen import ChannelListener
from server.core.services import Services
from server.events.hub import libpq_dsn
from server.outbox import repository
from server.outbox.handlers import Delivery, DeliveryRefused, Handlers
from server.outbox.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

APPLICATION_NAME = "rxp-outbox-relay"
MAX_BACKOFF = timedelta(hours=1)
ERROR_MAX = 500
# Deliveries of one round in flight at once (each to a different ordering key).
CONCURRENCY = 10


@dataclass
class RoundReport:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0

    @property
    def claimed(self) -> int:
        return self.delivered + self.retrying + self.dead


def backoff(svc: Services, attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: the base, doubled for every failure so far."""
    seconds = svc.settings.outbox_retry_seconds * 2 ** max(0, attempts - 1)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


async def _attempt(svc: Services, handlers: Handlers, row: OutboxMessage,
                   gate: asyncio.Semaphore) -> Exception | None:
    """Deliver `row` once: None when delivered, else what went wrong."""
    handler = handlers.get(row.destination)
    if handler is None:
        return LookupError(f"没有目的地 {row.destination} 的投递程序")
    delivery = Delivery(id=row.id, destination=row.destination, topic=row.topic,
                        ordering_key=row.ordering_key, payload=row.payload,
                        attempt=row.attempts + 1, created_at=row.created_at, seq=row.seq)
    async with gate:
        try:
            async with asyncio.timeout(svc.settings.outbox_delivery_timeout):
                await handler(delivery)
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            return TimeoutError(f"投递超时（超过 {svc.settings.outbox_delivery_timeout:g} 秒）")
        except Exception as exc:  # a handler's failure is this message's outcome, not the round's
            return exc
    return None


def _record(svc: Services, row: OutboxMessage, error: Exception | None, now: datetime) -> str:
    row.attempts += 1
    if error is None:
        row.status = OutboxStatus.DELIVERED
        row.delivered_at = now
        row.last_error = None
        return "delivered"
    row.last_error = (str(error) or type(error).__name__)[:ERROR_MAX]
    if isinstance(error, DeliveryRefused) or row.attempts >= svc.settings.outbox_max_attempts:
        row.status = OutboxStatus.DEAD
        row.dead_at = now
        return "dead"
    row.next_attempt_at = now + backoff(svc, row.attempts)
    log.info("outbox message %s to %s/%s not delivered (attempt %d): %s", row.id,
             row.destination, row.topic, row.attempts, row.last_error)
    return "retrying"


async def deliver_due(svc: Services, handlers: Handlers, *, limit: int | None = None
                      ) -> RoundReport:
    """One round: claim up to `limit` due messages, deliver them, record what happened."""
    report = RoundReport()
    async with svc.db.session() as session, session.begin():
        rows = await repository.claim_due(session, now=svc.clock.now(),
                                          limit=limit or svc.settings.outbox_batch)
        if not rows:
            return report
        gate = asyncio.Semaphore(CONCURRENCY)
        errors = await asyncio.gather(*(_attempt(svc, handlers, row, gate) for row in rows))
        now = svc.clock.now()
        for row, error in zip(rows, errors, strict=True):
            outcome = _record(svc, row, error, now)
            setattr(report, outcome, getattr(report, outcome) + 1)
        await session.flush()
        for row in rows:
            if row.status == OutboxStatus.DEAD:
                log.warning("outbox message %s to %s/%s is a dead letter: %s", row.id,
                            row.destination, row.topic, row.last_error)
                await audit_repository.append(session, _dead_letter_audit(row))
    return report


def _dead_letter_audit(row: OutboxMessage) -> dict[str, Any]:
    return {
        "occurred_at": datetime.now(UTC), "actor_kind": "system", "actor_name": "rxp-outbox",
        "action": "outbox.dead_letter", "entity_type": "outbox_message",
        "entity_id": str(row.id), "outcome": "failure", "request_id": uuid.uuid4().hex,
        "summary": {"destination": row.destination, "topic": row.topic,
                    "ordering_key": row.ordering_key, "attempts": row.attempts,
                    "error": row.last_error},
    }


async def relay_loop(svc: Services, handlers: Handlers, *, stop: asyncio.Event,
                     poll_seconds: float | None = None) -> None:
    """Deliver until `stop` is set (checked between rounds, never inside one)."""
    poll = poll_seconds if poll_seconds is not None else svc.settings.outbox_poll_seconds
    listener = ChannelListener(libpq_dsn(svc.settings.database_url),
                               channel=repository.CHANNEL, application_name=APPLICATION_NAME)
    try:
        while not stop.is_set():
            try:
                # A round that claimed something may have unblocked the next message of each
                # key it delivered: go on at once until a round finds nothing due.
                while not stop.is_set() and (await deliver_due(svc, handlers)).claimed:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed round is retried next round; the loop must live on
                log.exception("outbox relay round failed")
            await listener.wait(poll, stop)
    finally:
        await listener.close()
