"""The delivery loop every server process runs in its lifespan.

It sends what is due, then waits: for a NOTIFY on the outbox channel (sent at the commit of a
transaction that queued a notification, so a login code goes out within milliseconds), or at
most `poll_seconds` (retries that have come due, a missed notification, a listening connection
that is down). Several processes run it at once; SKIP LOCKED in deliver_pending shares the rows.
"""

from __future__ import annotations

import asyncio
import logging

from server.core.listen import ChannelListener
from server.core.services import Services
from server.events.hub import libpq_dsn
from server.notifications import repository
from server.notifications.service import deliver_pending

log = logging.getLogger(__name__)

APPLICATION_NAME = "rxp-notifications"
BATCH = 100


async def delivery_loop(svc: Services, *, poll_seconds: float | None = None,
                        stop: asyncio.Event | None = None) -> None:
    """Deliver until `stop` is set (checked between rounds, see server/core/jobs.py)."""
    poll = poll_seconds if poll_seconds is not None else svc.settings.notification_poll_seconds
    listener = ChannelListener(libpq_dsn(svc.settings.database_url), channel=repository.CHANNEL,
                               application_name=APPLICATION_NAME)
    stop = stop or asyncio.Event()
    try:
        while not stop.is_set():
            try:
                # A full batch means there may be more waiting: go on without sleeping.
                while (await deliver_pending(svc, limit=BATCH)).handled >= BATCH:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed round is retried next round; the loop must live on
                log.exception("notification delivery round failed")
            await listener.wait(poll, stop)
    finally:
        await listener.close()
