"""Work the server does on its own: escalating overdue review tasks every minute.

Each round is one transaction under the system scope, audited like a request. Several server
processes may run it at once: overdue tasks are taken with SKIP LOCKED, so each is escalated once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime

from server.access import scope
from server.audit import repository as audit_repository
from server.core.context import RequestContext
from server.core.services import Services
from server.prescriptions import review_service

log = logging.getLogger(__name__)


async def escalate_once(svc: Services) -> int:
    async with svc.db.session() as session, session.begin():
        await scope.system_scope(session)
        ctx = RequestContext(session=session, method="JOB", path="review.escalation", ip=None,
                             workstation="rxp-server", request_id=uuid.uuid4().hex)
        count = await review_service.escalate_overdue(ctx, svc)
        if ctx.audit is not None:
            await audit_repository.append(session, {
                "occurred_at": datetime.now(UTC), "actor_kind": "system",
                "actor_name": "rxp-server", "action": ctx.audit.action,
                "entity_type": ctx.audit.entity_type, "outcome": "success",
                "request_id": ctx.request_id, "summary": ctx.audit.summary})
    return count


async def escalation_loop(svc: Services, *, interval: float = 60.0) -> None:
    while True:
        try:
            await escalate_once(svc)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed round is retried next round; the loop must live on
            log.exception("review escalation round failed")
        await asyncio.sleep(interval)
