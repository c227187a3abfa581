"""publish(): in the change's transaction, ids in commit order, NOTIFY only at commit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from installers.database import DatabaseUrls
from server.core.db import Database
from server.events.repository import CHANNEL
from server.events.service import publish
from tests.helpers import libpq_url, sql


@pytest.fixture
async def database(db: DatabaseUrls) -> AsyncIterator[Database]:
    database = Database(db.app, [], pool_size=3)
    yield database
    await database.dispose()


@pytest.fixture
async def listener(db: DatabaseUrls) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    conn = await psycopg.AsyncConnection.connect(libpq_url(db.app), autocommit=True)
    await conn.execute(f"LISTEN {CHANNEL}")
    yield conn
    await conn.close()


async def notified(conn: psycopg.AsyncConnection[Any], wait: float = 0.5) -> list[int]:
    return [int(n.payload) async for n in conn.notifies(timeout=wait)]


def events(db: DatabaseUrls) -> list[tuple[int, str]]:
    return [(int(i), str(t)) for i, t in sql(db.owner,
                                             "SELECT id, type FROM live_event ORDER BY id")]


ORG = uuid.UUID(int=7)


class TestPublish:
    async def test_committed_event_is_stored_and_notified(self, database, db, listener):
        async with database.session() as session:
            await publish(session, type="review_task.created", org_id=ORG,
                          payload={"task": uuid.UUID(int=3), "n": 1}, entity_type="review_task",
                          entity_id=uuid.UUID(int=3), user_ids=[uuid.UUID(int=9)],
                          roles=["pharmacist"])
            assert await notified(listener, 0.2) == []  # nothing before the commit
            await session.commit()
        rows = sql(db.owner, "SELECT id, org_id, user_ids, roles, entity_type, entity_id,"
                             " payload FROM live_event")
        assert len(rows) == 1
        event_id, org_id, user_ids, roles, entity_type, entity_id, payload = rows[0]
        assert (org_id, user_ids, roles) == (ORG, [uuid.UUID(int=9)], ["pharmacist"])
        assert (entity_type, entity_id) == ("review_task", str(uuid.UUID(int=3)))
        assert payload == {"task": str(uuid.UUID(int=3)), "n": 1}
        assert await notified(listener) == [event_id]

    async def test_rollback_stores_and_notifies_nothing(self, database, db, listener):
        async with database.session() as session:
            await publish(session, type="x", org_id=ORG, payload={})
            await session.rollback()
        assert events(db) == []
        assert await notified(listener) == []

    async def test_rolled_back_savepoint_takes_its_event_along(self, database, db, listener):
        async with database.session() as session:
            await publish(session, type="kept.before", org_id=ORG, payload={})
            savepoint = await session.begin_nested()
            await publish(session, type="dropped", org_id=ORG, payload={})
            await savepoint.rollback()
            async with session.begin_nested():
                await publish(session, type="kept.inside", org_id=ORG, payload={})
            await session.commit()
        assert [t for _, t in events(db)] == ["kept.before", "kept.inside"]
        assert await notified(listener) == [max(i for i, _ in events(db))]

    async def test_ids_follow_commit_order(self, database, db):
        """The transaction that published first but commits last gets the higher id, so a
        reader that has seen id N can never later find an event below N."""
        first, second = database.session(), database.session()
        try:
            await publish(first, type="published.first", org_id=ORG, payload={})
            await publish(second, type="published.second", org_id=ORG, payload={})
            await second.commit()
            after_second = events(db)
            await first.commit()
        finally:
            await first.close()
            await second.close()
        assert [t for _, t in after_second] == ["published.second"]
        assert [t for _, t in events(db)] == ["published.second", "published.first"]

    async def test_events_of_one_transaction_keep_their_order(self, database, db):
        async with database.session() as session:
            for n in range(5):
                await publish(session, type=f"step.{n}", org_id=ORG, payload={})
            await session.commit()
        assert [t for _, t in events(db)] == [f"step.{n}" for n in range(5)]

    async def test_committers_wait_on_the_commit_order_lock(self, database, db):
        """While one transaction is between renumbering and commit, another publisher's commit
        waits: a later id cannot become visible before an earlier one."""
        holder = await psycopg.AsyncConnection.connect(libpq_url(db.app))
        try:
            from server.events.repository import COMMIT_ORDER_LOCK
            await holder.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_ORDER_LOCK,))
            async with database.session() as session:
                await publish(session, type="waits", org_id=ORG, payload={})
                commit = asyncio.create_task(session.commit())
                await asyncio.sleep(0.3)
                assert not commit.done()
                await holder.commit()
                await asyncio.wait_for(commit, 5)
        finally:
            await holder.close()
        assert [t for _, t in events(db)] == ["waits"]

    async def test_publish_through_request_context(self, database, db):
        from server.core.context import RequestContext
        async with database.session() as session:
            ctx = RequestContext(session=session, method="POST", path="/x", ip=None,
                                 workstation=None, request_id="r")
            await publish(ctx, type="via.ctx", org_id=ORG, payload={"ok": True})
            await session.commit()
        assert [t for _, t in events(db)] == ["via.ctx"]
