"""The per-process event hub: one PostgreSQL connection LISTENing, fanned out to every stream.

Each server process runs one hub, so N processes hold N listening connections however many
apps are subscribed, and all of them deliver every event. A notification only says "there is
something after id N": the hub reads the rows after the last id it has seen, in id order, from
the same connection, and hands each to every subscriber (which applies its principal's access
rules). If the connection drops, the hub reconnects with exponential back-off and reads
everything after its last id again, so nothing published meanwhile is lost; a subscriber whose
queue overflows is told to catch up from the table itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Iterator
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from server.events import repository
from server.events.records import EventRecord

log = logging.getLogger(__name__)

APPLICATION_NAME = "rxp-events-hub"
FETCH_BATCH = 500


class Resync:
    """Queued for a subscriber that may have missed events: re-read the table after your id."""


RESYNC = Resync()
QueueItem = EventRecord | Resync


class Subscription:
    """One stream's mailbox. Bounded: when a slow client lets it fill up, the buffered events
    are dropped and RESYNC takes their place (the stream re-reads them from the table)."""

    def __init__(self, limit: int) -> None:
        self._items: deque[QueueItem] = deque()
        self._limit = limit
        self._ready = asyncio.Event()
        self.closed = False

    def put(self, item: QueueItem) -> None:
        if len(self._items) >= self._limit:
            self._items.clear()
            item = RESYNC
        self._items.append(item)
        self._ready.set()

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    async def get(self, wait_seconds: float) -> QueueItem | None:
        """The next item, or None after `wait_seconds` without one (or once closed)."""
        if not self._items and not self.closed:
            self._ready.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), wait_seconds)
        if self._items:
            return self._items.popleft()
        return None


def libpq_dsn(database_url: str) -> str:
    """The SQLAlchemy URL (`postgresql+psycopg://...`) as the DSN psycopg itself takes."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


class EventHub:
    def __init__(self, database_url: str, *, heartbeat_seconds: float = 15.0,
                 poll_seconds: float = 30.0, queue_limit: int = 1000,
                 min_backoff: float = 0.1, max_backoff: float = 10.0,
                 connect_timeout: float = 5.0) -> None:
        self.dsn = libpq_dsn(database_url)
        # How often a stream sends a comment when there is nothing to say (keeps proxies and
        # the client's dead-connection detection happy).
        self.heartbeat_seconds = heartbeat_seconds
        # How long the listener waits for a notification before checking the table anyway
        # (and thereby that the connection is alive).
        self.poll_seconds = poll_seconds
        self.queue_limit = queue_limit
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.connect_timeout = connect_timeout
        self.last_seen_id: int | None = None
        self.reconnects = 0
        self._subscribers: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._first_attempt = asyncio.Event()
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, *, wait: float = 2.0) -> None:
        """Start listening, returning once the first connection attempt has succeeded or failed
        (at most `wait` seconds). A database that is not up yet does not stop the server: the
        hub keeps trying in the background, and streams opened meanwhile catch up from the
        table when it connects."""
        self._stopping = False
        self._first_attempt.clear()
        self._task = asyncio.create_task(self._run(), name="rxp-event-hub")
        try:
            await asyncio.wait_for(self._first_attempt.wait(), wait)
        except TimeoutError:
            pass
        if not self.connected:
            log.warning("event hub not connected yet; retrying in the background")

    async def stop(self) -> None:
        self._stopping = True
        for sub in list(self._subscribers):
            sub.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._connected.clear()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, within: float) -> None:
        await asyncio.wait_for(self._connected.wait(), within)

    # -- subscribers ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[Subscription]:
        sub = Subscription(self.queue_limit)
        if self._stopping:
            sub.close()
        self._subscribers.add(sub)
        try:
            yield sub
        finally:
            self._subscribers.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def _fan_out(self, item: QueueItem) -> None:
        for sub in list(self._subscribers):
            sub.put(item)

    # -- the listener --------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self.min_backoff
        while not self._stopping:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self.dsn, autocommit=True, application_name=APPLICATION_NAME,
                    connect_timeout=max(1, int(self.connect_timeout)),
                    options="-c TimeZone=UTC")
            except (psycopg.Error, OSError) as exc:
                self._first_attempt.set()
                log.warning("event hub cannot connect (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            try:
                async with conn:
                    await conn.execute(f"LISTEN {repository.CHANNEL}")
                    await self._catch_up(conn, first=self.last_seen_id is None)
                    self._connected.set()
                    self._first_attempt.set()
                    delay = self.min_backoff
                    await self._listen(conn)
            except (psycopg.Error, OSError) as exc:
                self._connected.clear()
                self._first_attempt.set()
                if self._stopping:
                    return
                log.warning("event hub lost its connection (%s); reconnecting in %.1fs",
                            exc, delay)
            except Exception:
                # Whatever it was, a dead hub would silently stop every live stream: log it
                # and start over like after a dropped connection.
                self._connected.clear()
                self._first_attempt.set()
                log.exception("event hub failed; restarting in %.1fs", delay)
            self.reconnects += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_backoff)

    async def _listen(self, conn: psycopg.AsyncConnection[Any]) -> None:
        while True:
            newest = 0
            async for notify in conn.notifies(timeout=self.poll_seconds, stop_after=1):
                with contextlib.suppress(ValueError):
                    newest = max(newest, int(notify.payload))
            # A notification for an id already read (several commits, one read) needs no
            # query; a quiet period does one anyway, which also proves the connection alive.
            if newest == 0 or newest > (self.last_seen_id or 0):
                await self._catch_up(conn, first=False)

    async def _catch_up(self, conn: psycopg.AsyncConnection[Any], *, first: bool) -> None:
        if first:
            # Streams replay from the table themselves; the hub starts at the present. Any
            # stream that subscribed before this first connection re-reads to be sure.
            self.last_seen_id = await repository.raw_latest_id(conn)
            self._fan_out(RESYNC)
            return
        while True:
            records = await repository.raw_after(conn, self.last_seen_id or 0, FETCH_BATCH)
            for record in records:
                self.last_seen_id = record.id
                self._fan_out(record)
            if len(records) < FETCH_BATCH:
                return
