"""HTTP routes for administrators: the dead letters, retrying one, and the backlog."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Offset, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require
from server.outbox import service
from server.outbox.schemas import (
    DeadLetterPage,
    DestinationStats,
    OutboxMessageOut,
    OutboxStatsOut,
)

router = APIRouter(prefix="/outbox", tags=["对外消息 outbox"], responses=ERROR_RESPONSES)
ManageOutbox = Annotated[Principal, require(Permission.OUTBOX_MANAGE)]


@router.get("/dead-letters", operation_id="list_dead_letters", response_model=DeadLetterPage)
async def list_dead_letters(
    principal: ManageOutbox, ctx: Ctx,
    destination: Annotated[str | None, Query(max_length=40, description="目的地")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0,
) -> DeadLetterPage:
    """Messages the relay gave up on, oldest first. Their payloads are not shown."""
    rows, total = await service.dead_letters(ctx, destination=destination, limit=limit,
                                             offset=offset)
    return DeadLetterPage(items=[OutboxMessageOut.model_validate(r) for r in rows], total=total)


@router.post("/messages/{message_id}/retry", operation_id="retry_outbox_message",
             response_model=OutboxMessageOut)
async def retry_message(message_id: uuid.UUID, principal: ManageOutbox, ctx: Ctx,
                        svc: Svc) -> OutboxMessageOut:
    """Put a dead letter back in the queue with a fresh set of attempts (audited). Later
    messages of its ordering key waited behind it and follow it in order."""
    return OutboxMessageOut.model_validate(await service.retry(ctx, svc, message_id))


@router.get("/stats", operation_id="outbox_stats", response_model=OutboxStatsOut)
async def outbox_stats(principal: ManageOutbox, ctx: Ctx, svc: Svc) -> OutboxStatsOut:
    """Backlog and dead letters per destination (for monitoring)."""
    found = await service.stats(ctx.session, now=svc.clock.now())
    return OutboxStatsOut(
        pending=found.pending, dead=found.dead,
        destinations=[DestinationStats(destination=name, pending=c.pending, due=c.due,
                                       dead=c.dead, oldest_pending_at=c.oldest_pending_at)
                      for name, c in sorted(found.destinations.items())])
