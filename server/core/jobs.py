"""Work the server does on its own (escalations, lock expiry, deliveries): one transaction per
round under the system scope, audited like a request, repeated forever at an interval.

Several server processes may run the same job at once; each job takes its rows with
SKIP LOCKED so that every row is handled once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from server.access import scope
from server.audit import repository as audit_repository
from server.core.context import RequestContext
from server.core.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")


async def run_once(svc: Services, name: str,
                   work: Callable[[RequestContext, Services], Awaitable[T]]) -> T:
    async with svc.db.session() as session, session.begin():
        await scope.system_scope(session)
        ctx = RequestContext(session=session, method="JOB", path=name, ip=None,
                             workstation="rxp-server", request_id=uuid.uuid4().hex)
        result = await work(ctx, svc)
        if ctx.audit is not None:
            await audit_repository.append(session, {
                "occurred_at": datetime.now(UTC), "actor_kind": "system",
                "actor_name": "rxp-server", "action": ctx.audit.action,
                "entity_type": ctx.audit.entity_type, "outcome": "success",
                "request_id": ctx.request_id, "summary": ctx.audit.summary})
    return result


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def forever(svc: Services, name: str,
                  work: Callable[[RequestContext, Services], Awaitable[object]], *,
                  stop: asyncio.Event, interval: float) -> None:
    """Run `work` every `interval` seconds until `stop` is set (between rounds, never inside
    one: a round cancelled while connecting leaves the database waiting for it)."""
    while not stop.is_set():
        try:
            await run_once(svc, name, work)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed round is retried next round; the loop must live on
            log.exception("background job %s failed", name)
        await pause(stop, interval)
