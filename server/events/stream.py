"""The server-sent-event stream of one subscriber: replay from the table, then live events.

Order of work, so that nothing falls between the replay and the live part: subscribe to the
hub first (events start queuing), then replay every visible event after the client's last id
from the table in short sessions, then deliver queued events with a higher id. The stream holds
no database session while it waits.

Old events are pruned (server/ops/retention.py). A client whose last id is below the horizon
(the highest id pruned) may have missed some: it gets a `resync` message first, whose id is the
horizon, and then the events after the horizon; it reloads what it shows, and its next
reconnect starts from there. Each replay page is read before the horizon, in the same session:
a prune that took events the page would have held committed before the page was read, so its
horizon shows in the second read (READ COMMITTED: a fresh snapshot per statement).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from datetime import datetime

from server.core.context import Principal
from server.core.db import Database
from server.events import service
from server.events.hub import EventHub, Resync
from server.events.records import EventRecord

REPLAY_PAGE = 500
# What an EventSource-style client should wait before reconnecting, in milliseconds.
RETRY_MILLISECONDS = 2000
# Sent instead of events that were pruned: the client reloads what it shows.
RESYNC = "resync"


def sse_message(record: EventRecord) -> str:
    data = json.dumps(record.as_json(), ensure_ascii=False, separators=(",", ":"))
    return f"id: {record.id}\nevent: {record.type}\ndata: {data}\n\n"


def resync_message(horizon: int) -> str:
    return f"id: {horizon}\nevent: {RESYNC}\ndata: {{}}\n\n"


async def _replay(db: Database, principal: Principal,
                  after: int) -> AsyncIterator[tuple[int, str]]:
    """The SSE text of every visible event after `after`, each with the stream's position
    after it; a resync first when events after `after` were pruned."""
    while True:
        async with db.session() as session:
            page = await service.visible_after(session, principal, after=after,
                                               limit=REPLAY_PAGE)
            horizon = await service.horizon(session)
        full = len(page) == REPLAY_PAGE
        if horizon > after:
            after = horizon
            yield after, resync_message(horizon)
            page = [record for record in page if record.id > horizon]
        for record in page:
            after = record.id
            yield after, sse_message(record)
        if not full:
            return


async def event_stream(principal: Principal, *, hub: EventHub, db: Database,
                       last_event_id: int | None, expires_at: datetime | None = None,
                       now: Callable[[], datetime] | None = None) -> AsyncGenerator[str, None]:
    """SSE text for `principal`: the events after `last_event_id` (None: from now on; a
    resync first when some of them were pruned), then live ones, with a heartbeat comment
    when quiet. Ends when the access token expires (the app reconnects with a fresh one and
    its last id) or the server shuts down."""
    with hub.subscribe() as subscription:
        async with db.session() as session:
            latest = await service.latest_id(session)
        # An id from the future (a database restored from a backup) would hide every event
        # until the ids caught up: such a client starts from the present instead.
        position = latest if last_event_id is None else min(last_event_id, latest)
        # Subscribed and positioned: whatever commits from here on reaches this client.
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        async for moved_to, message in _replay(db, principal, position):
            position = moved_to
            yield message
        while True:
            item = await subscription.get(hub.heartbeat_seconds)
            if item is None:
                if subscription.closed:
                    return
                if expires_at is not None and now is not None and now() >= expires_at:
                    yield "event: session-expired\ndata: {}\n\n"
                    return
                yield ": heartbeat\n\n"
            elif isinstance(item, Resync):
                async for moved_to, message in _replay(db, principal, position):
                    position = moved_to
                    yield message
            elif item.id > position:
                # Events reach the queue in id order; one this principal may not see still
                # moves the position, so a later catch-up does not scan it again.
                position = item.id
                if item.visible_to(principal):
                    yield sse_message(item)
