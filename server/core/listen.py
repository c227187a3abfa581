"""A PostgreSQL LISTEN connection for a background loop: wake on a NOTIFY sent at the commit of
a transaction that queued work, or after a poll interval when none comes.

It reconnects on its own; while the database cannot be reached, `wait` is a plain sleep, so the
loop around it goes on polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg

from server.core.jobs import pause

log = logging.getLogger(__name__)


class ChannelListener:
    def __init__(self, dsn: str, *, channel: str, application_name: str) -> None:
        self.dsn = dsn
        self.channel = channel
        self.application_name = application_name
        self._conn: psycopg.AsyncConnection[Any] | None = None

    @property
    def connected(self) -> bool:
        return self._conn is not None

    async def wait(self, seconds: float, stop: asyncio.Event) -> None:
        """Return on the next notification, after `seconds`, or as soon as `stop` is set."""
        if self._conn is None:
            try:
                self._conn = await self._connect(seconds)
                await self._conn.execute(f"LISTEN {self.channel}")
            except (psycopg.Error, OSError) as exc:
                log.warning("%s listener cannot connect (%s); polling", self.channel, exc)
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
            self.dsn, autocommit=True, application_name=self.application_name,
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
            log.warning("%s listener lost its connection (%s)", self.channel, exc)
            await self.close()

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await self._conn.close()
            self._conn = None
