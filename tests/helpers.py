"""Small helpers the tests share: logging in as a demo account, reaching the database directly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pyotp

from server.core.clock import Clock, FakeClock
from server.seed.demo import DemoAccount

CHINA = ZoneInfo("Asia/Shanghai")
LATEST_START_HOUR = 18  # Beijing time; later starts are moved on by MORNING_SHIFT
MORNING_SHIFT = timedelta(hours=14)


def daytime_clock() -> FakeClock:
    """A fake clock that starts now, or fourteen hours on when it is evening in China (the next
    morning or midday).

    Prescriptions are valid through the end of their issue day in China's calendar, and stores
    open by the hour: a test that issues a prescription and moves the clock on by half an hour
    would otherwise fail when run at 23:45 Beijing time. Started by day, the clock leaves a
    test at least six hours before midnight. Moved on, not back: what the seed made (signing
    certificates, valid from then on) stays valid; what the database stamps itself with now()
    is then in the past of the app's clock, and the server compares times from its own clock."""
    now = datetime.now(UTC)
    if now.astimezone(CHINA).hour >= LATEST_START_HOUR:
        now += MORNING_SHIFT
    return FakeClock(now)


# A fixture that logs a demo account in once per test and returns its Authorization header.
HeadersFor = Callable[[str], Awaitable[dict[str, str]]]


def totp_now(account: DemoAccount, clock: Clock) -> str:
    return pyotp.TOTP(account.totp_secret).at(clock.now())


def fresh_totp(account: DemoAccount, clock: Clock) -> str:
    """A code of a time step not used yet: the server accepts each code once, so with a fake
    clock each login moves time on by one TOTP step first (as a real user would wait)."""
    if isinstance(clock, FakeClock):
        clock.advance(seconds=30)
    return totp_now(account, clock)


async def tokens(client: httpx.AsyncClient, account: DemoAccount, clock: Clock) -> dict[str, Any]:
    response = await client.post("/auth/login", json={
        "username": account.username, "password": account.password,
        "totp_code": fresh_totp(account, clock)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def login(client: httpx.AsyncClient, account: DemoAccount, clock: Clock) -> dict[str, str]:
    """Log in with password and TOTP; returns the Authorization header."""
    return {"Authorization": f"Bearer {(await tokens(client, account, clock))['access_token']}"}


# -- the database behind the app, reached directly (as the test's own connection) ------------
def sql(url: str, statement: str, params: tuple[object, ...] | dict[str, object] | None = None,
        *, setup: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on `url` (a DatabaseUrls member) in its own committed transaction;
    `setup` statements run first in the same session (e.g. SET session_replication_role)."""
    with psycopg.connect(libpq_url(url), autocommit=False) as conn:
        for s in setup:
            conn.execute(s)
        cur = conn.execute(statement, params)
        rows = cur.fetchall() if cur.description else []
        conn.commit()
        return rows


def libpq_url(url: str) -> str:
    """SQLAlchemy's `postgresql+psycopg://` URL as psycopg itself takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def audit_rows(url: str, where: str = "true",
               params: tuple[object, ...] | dict[str, object] | None = None
               ) -> list[dict[str, Any]]:
    """Audit events matching `where`, oldest first, as dicts."""
    with psycopg.connect(libpq_url(url)) as conn:
        # `where` is written by the tests themselves; values go in `params`.
        cur = conn.execute(f"SELECT * FROM audit_event WHERE {where} ORDER BY seq",  # noqa: S608
                           params)
        names = [c.name for c in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


async def wait_until(condition: Callable[[], Awaitable[bool]], *, within: float = 15.0,
                     what: str = "condition") -> None:
    """Poll `condition` until it holds (qtbot.waitUntil's idea); never a fixed sleep."""
    deadline = asyncio.get_running_loop().time() + within
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def audit_chain_held(url: str) -> AsyncIterator[Callable[[int], Awaitable[None]]]:
    """Hold the audit chain's advisory lock from outside the app.

    Every committing request appends its audit event last, under this lock: while it is held,
    concurrent requests pile up with their work done but uncommitted, which makes races
    deterministic. Yields `until_waiting(n)`, which returns once n server connections wait on
    a lock. The lock is released on leaving the block.
    """
    from server.audit.repository import CHAIN_LOCK

    holder = await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True)
    watcher = await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True)
    await holder.execute("SELECT pg_advisory_lock(%s)", (CHAIN_LOCK,))

    async def count_waiting() -> int:
        cur = await watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = 'rxp-server' AND wait_event_type = 'Lock'")
        row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def until_waiting(n: int) -> None:
        async def enough() -> bool:
            return await count_waiting() >= n
        await wait_until(enough, what=f"{n} requests waiting on a lock")

    try:
        yield until_waiting
    finally:
        await holder.execute("SELECT pg_advisory_unlock(%s)", (CHAIN_LOCK,))
        await holder.close()
        await watcher.close()


# Pending messages the relay could deliver now: due, and no earlier message of their key
# undelivered (a message behind a dead letter waits for the administrator, not for a relay).
_DELIVERABLE = """
SELECT count(*) FROM outbox_message m
 WHERE m.status = 'pending' AND m.next_attempt_at <= :now
   AND NOT EXISTS (SELECT 1 FROM outbox_message e WHERE e.ordering_key = m.ordering_key
                    AND e.seq < m.seq AND e.status <> 'delivered')
"""


async def deliver_outbox(svc: Any, *, within: float = 15.0) -> None:
    """Deliver what the outbox holds that is due now, through the real handlers, until nothing
    deliverable is left: rounds run here, and a message the app's own relay has in hand at that
    moment is waited for, so this works whether or not the app relays by itself."""
    from sqlalchemy import text

    from server.outbox import destinations
    from server.outbox.relay import deliver_due

    built = destinations.build(svc)

    async def nothing_left() -> bool:
        while (await deliver_due(svc, built.handlers)).claimed:
            pass
        async with svc.db.session() as session:
            left = await session.scalar(text(_DELIVERABLE), {"now": svc.clock.now()})
        return not left

    try:
        await wait_until(nothing_left, within=within, what="the outbox's due messages")
    finally:
        await built.aclose()
