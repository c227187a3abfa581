"""Fixtures for courier tests: a session as the server's role."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.db import make_engine


@pytest.fixture
async def app_session(db):
    engine = make_engine(db.app, pool_size=1)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session
    await engine.dispose()
