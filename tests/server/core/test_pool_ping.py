"""Pooled connections: one idle for a while is pinged before use and replaced when dead; one
just used is not pinged (under load, a ping per checkout was one statement in ten)."""

from __future__ import annotations

from sqlalchemy import text

from server.core import db as db_module
from server.core.db import make_engine
from tests.helpers import sql


async def test_a_dead_idle_connection_is_replaced_unnoticed(db, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = make_engine(db.app, pool_size=1)
    try:
        async with engine.connect() as conn:
            first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        sql(db.superuser, "SELECT pg_terminate_backend(%s)", (first,))
        async with engine.connect() as conn:
            second = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await engine.dispose()


async def test_a_connection_just_used_is_not_pinged(db, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 60.0)
    engine = make_engine(db.app, pool_size=1)
    pings: list[object] = []
    dialect = engine.sync_engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    try:
        for _ in range(3):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert pings == []
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        await engine.dispose()




async def test_a_quiet_server_keeps_using_the_connection_used_last(db):
    """After a busy moment opened several connections, one request after another takes the
    one used last (so it stays warm and unpinged), not each pooled connection in turn."""
    engine = make_engine(db.app, pool_size=3)
    try:
        async with engine.connect() as a, engine.connect() as b, engine.connect() as c:
            for conn in (a, b, c):
                await conn.execute(text("SELECT 1"))
        pids = set()
        for _ in range(4):
            async with engine.connect() as conn:
                pids.add((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())
        assert len(pids) == 1
    finally:
        await engine.dispose()
