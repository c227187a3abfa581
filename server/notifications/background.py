"""The delivery loop every server process runs in its lifespan.

It sends what is due, then waits: for a NOTIFY on the outbox channel (sent at the commit of a
transaction that queued a notification, so a login code goes out within milliseconds), or at
most `poll_seconds` (retries that have come due, a missed notification, a listening connection
that is down). Several processes run it at once; SKIP LOCKED in deliver_pending shares the rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg

from server.core.jobs import pause
from server.core.services import Services
from server.events.hub import libpq_dsn
from server.notifications import repository
from server.notifications.service import deliver_pending

log = logging.getLogger(__name__)

APPLICATION_NAME = "rxp-notifications"
BATCH = 100


class OutboxListener:
    """A LISTEN connection that reconnects on its own; without one, `wait` is a plain sleep."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: psycopg.AsyncConnection[Any] | None = None

    @property
    def connected(self) -> bool:
        return self._conn is not None

    async def wait(self, seconds: float, stop: asyncio.Event) -> None:
        """Return on the next notification, after `seconds`, or as soon as `stop` is set."""
        if self._conn is None:
            try:
                self._conn = await self._connect(seconds)
                await self._conn.execute(f"LISTEN {repository.CHANNEL}")
            except (psycopg.Error, OSError) as exc:
                log.warning("notification listener cannot connect (%s); polling", exc)
                await self.close()
                await pause(stop, seconds)
                return
        listening = asyncio.ensure_future(self._next(seconds))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({listening, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in (listening, stopping):
            task.cancel()
        await asyncio.gather(listening, stopping, return_exceptions=True)

    async def _connect(self, seconds: float) -> psycopg.AsyncConnection[Any]:
        connecting = asyncio.ensure_future(psycopg.AsyncConnection.connect(
            self.dsn, autocommit=True, application_name=APPLICATION_NAME,
            connect_timeout=max(1, int(seconds) + 1)))
        try:
            return await asyncio.shield(connecting)
        except asyncio.CancelledError:
            # Finish the handshake and hang up: a connection abandoned mid-authentication
            # keeps a server backend (and a DROP DATABASE) waiting for authentication_timeout.
            with contextlib.suppress(Exception):
                await (await connecting).close()
            raise

    async def _next(self, seconds: float) -> None:
        assert self._conn is not None
        try:
            async for _ in self._conn.notifies(timeout=seconds, stop_after=1):
                pass
        except (psycopg.Error, OSError) as exc:
            log.warning("notification listener lost its connection (%s)", exc)
            await self.close()

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await self._conn.close()
            self._conn = None


async def delivery_loop(svc: Services, *, poll_seconds: float | None = None,
                        stop: asyncio.Event | None = None) -> None:
    """Deliver until `stop` is set (checked between rounds, see server/core/jobs.py)."""
    poll = poll_seconds if poll_seconds is not None else svc.settings.notification_poll_seconds
    listener = OutboxListener(libpq_dsn(svc.settings.database_url))
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
