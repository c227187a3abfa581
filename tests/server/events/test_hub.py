"""The hub's mailbox and the stream's catch-up path, driven without HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from installers.database import DatabaseUrls
from server.core.context import Principal
from server.core.db import Database
from server.events.hub import RESYNC, EventHub, Subscription, libpq_dsn
from server.events.records import EventRecord
from server.events.service import publish
from server.events.stream import event_stream

ORG = uuid.UUID(int=7)
AT = datetime(2026, 5, 1, tzinfo=UTC)
PRINCIPAL = Principal(kind="user", id=uuid.UUID(int=1), name="王建国",
                      roles=frozenset({"doctor"}), visible_org_ids=frozenset({ORG}))


def record(n: int) -> EventRecord:
    return EventRecord(id=n, created_at=AT, type="t", org_id=ORG,
                       user_ids=frozenset(), roles=frozenset(), entity_type=None,
                       entity_id=None, payload={"n": n})


@pytest.fixture
async def database(db: DatabaseUrls) -> AsyncIterator[Database]:
    database = Database(db.app, [], pool_size=2)
    yield database
    await database.dispose()


def parsed(message: str) -> tuple[int, dict[str, Any]]:
    """(id, data) of one SSE message."""
    fields = dict(line.split(": ", 1) for line in message.strip().split("\n"))
    return int(fields["id"]), json.loads(fields["data"])


async def publish_committed(database: Database, *numbers: int) -> None:
    async with database.session() as session:
        for n in numbers:
            await publish(session, type="t", org_id=ORG, payload={"n": n})
        await session.commit()


class TestSubscription:
    async def test_items_in_order_then_none_after_the_wait(self):
        sub = Subscription(limit=10)
        sub.put(record(1))
        sub.put(record(2))
        assert [await sub.get(0.01), await sub.get(0.01)] == [record(1), record(2)]
        assert await sub.get(0.01) is None

    async def test_overflow_becomes_resync(self):
        sub = Subscription(limit=2)
        for n in range(1, 5):
            sub.put(record(n))
        assert await sub.get(0.01) is RESYNC
        assert await sub.get(0.01) == record(4)

    async def test_closed_returns_at_once(self):
        sub = Subscription(limit=2)
        sub.close()
        assert await sub.get(5) is None


class TestCatchUp:
    async def test_resync_replays_from_the_table(self, database, db):
        hub = EventHub(db.app, heartbeat_seconds=0.05, queue_limit=2)  # never started
        stream = event_stream(PRINCIPAL, hub=hub, db=database, last_event_id=None)
        try:
            assert (await anext(stream)).startswith("retry:")
            await publish_committed(database, 1, 2, 3)
            # More than the mailbox holds reaches it: the stream is told to catch up.
            for sub in list(hub._subscribers):
                for n in (101, 102, 103):
                    sub.put(record(n))
            texts = [await anext(stream) for _ in range(3)]
        finally:
            await stream.aclose()
        got = [parsed(t) for t in texts]
        assert [data["payload"]["n"] for _, data in got] == [1, 2, 3]
        assert [i for i, _ in got] == sorted(i for i, _ in got)

    async def test_queued_events_already_replayed_are_not_sent_twice(self, database, db):
        hub = EventHub(db.app, heartbeat_seconds=0.05)
        await publish_committed(database, 1)
        stream = event_stream(PRINCIPAL, hub=hub, db=database, last_event_id=0)
        try:
            assert (await anext(stream)).startswith("retry:")
            replayed_id, _ = parsed(await anext(stream))
            sub = next(iter(hub._subscribers))
            sub.put(record(replayed_id))  # the hub delivers the same event late
            sub.put(record(replayed_id + 1))
            nxt = await anext(stream)
        finally:
            await stream.aclose()
        assert parsed(nxt)[0] == replayed_id + 1

    async def test_an_id_from_the_future_starts_at_the_present(self, database, db):
        hub = EventHub(db.app, heartbeat_seconds=0.05)
        stream = event_stream(PRINCIPAL, hub=hub, db=database, last_event_id=10**12)
        try:
            assert (await anext(stream)).startswith("retry:")
            await publish_committed(database, 1)
            next(iter(hub._subscribers)).put(RESYNC)
            _, data = parsed(await anext(stream))
        finally:
            await stream.aclose()
        assert data["payload"] == {"n": 1}

    async def test_stream_ends_when_hub_stops(self, database, db):
        hub = EventHub(db.app, heartbeat_seconds=0.05)
        await hub.start()
        stream = event_stream(PRINCIPAL, hub=hub, db=database, last_event_id=None)
        assert (await anext(stream)).startswith("retry:")
        await hub.stop()
        with pytest.raises(StopAsyncIteration):
            while True:
                await anext(stream)


def test_libpq_dsn():
    assert libpq_dsn("postgresql+psycopg://u:p%40ss@h:5432/d?sslmode=require") == \
        "postgresql://u:p%40ss@h:5432/d?sslmode=require"
