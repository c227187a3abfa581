"""The escalation loop of the incident clocks (see server/core/jobs.py for how a round runs)."""

from __future__ import annotations

import asyncio

from server.core import jobs
from server.core.services import Services
from server.incidents import service

JOB = "incident.escalation"


async def escalate_once(svc: Services) -> int:
    return await jobs.run_once(svc, JOB, service.escalate_due)


async def escalation_loop(svc: Services, stop: asyncio.Event) -> None:
    await jobs.forever(svc, JOB, service.escalate_due, stop=stop,
                       interval=svc.settings.incident_check_seconds)
