"""Work the server does on its own for prescriptions: escalating overdue review tasks every
minute (see server/core/jobs.py for how a round runs)."""

from __future__ import annotations

import asyncio

from server.core import jobs
from server.core.services import Services
from server.prescriptions import review_service

JOB = "review.escalation"


async def escalate_once(svc: Services) -> int:
    return await jobs.run_once(svc, JOB, review_service.escalate_overdue)


async def escalation_loop(svc: Services, stop: asyncio.Event, *, interval: float = 60.0) -> None:
    await jobs.forever(svc, JOB, review_service.escalate_overdue, stop=stop, interval=interval)
