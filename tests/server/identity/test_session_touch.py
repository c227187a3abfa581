"""Stamping a session as seen never makes one request of the session wait for another."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.db import make_engine
from server.identity import repository
from server.identity.models import AuthSession
from tests.helpers import sql


async def test_a_stamp_in_progress_is_skipped_not_waited_for(db):
    session_id = uuid.uuid4()
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    sql(db.owner, "INSERT INTO auth_session (id, user_id, created_at, last_seen_at, expires_at)"
        " SELECT %s, id, %s, %s, %s FROM staff_user LIMIT 1",
        (session_id, long_ago, long_ago, long_ago + timedelta(days=1000)))
    engine = make_engine(db.app, pool_size=2)
    now = datetime.now(UTC)
    try:
        async with AsyncSession(engine) as first, first.begin():
            await repository.touch_session(first, session_id, now=now, seen_by=now)
            # The first request has not committed; a second one must not wait for it.
            async with AsyncSession(engine) as second, second.begin():
                await asyncio.wait_for(repository.touch_session(
                    second, session_id, now=now + timedelta(seconds=1),
                    seen_by=now + timedelta(seconds=1)), timeout=2)
        async with AsyncSession(engine) as check:
            seen = (await check.execute(select(AuthSession.last_seen_at)
                                        .where(AuthSession.id == session_id))).scalar_one()
            assert seen == now
            # Seen recently: a stamp is not due and nothing changes.
            await repository.touch_session(check, session_id, now=now + timedelta(seconds=5),
                                           seen_by=now - timedelta(seconds=30))
            await check.commit()
            seen = (await check.execute(select(AuthSession.last_seen_at)
                                        .where(AuthSession.id == session_id))).scalar_one()
            assert seen == now
    finally:
        await engine.dispose()
