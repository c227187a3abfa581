"""Work the server does on its own for circulation: releasing locks no pharmacy accepted in
time (see server/core/jobs.py for how a round runs)."""

from __future__ import annotations

import asyncio

from server.circulation import ordering
from server.core import jobs
from server.core.services import Services

JOB = "order.lock_expiry"


async def release_once(svc: Services) -> int:
    return await jobs.run_once(svc, JOB, ordering.release_expired_locks)


async def lock_expiry_loop(svc: Services, stop: asyncio.Event, *, interval: float = 20.0) -> None:
    await jobs.forever(svc, JOB, ordering.release_expired_locks, stop=stop, interval=interval)
