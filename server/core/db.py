"""Database access: the declarative base, the primary engine and the read replicas.

Writes always go to the primary. Read-only endpoints (statistics, tracking, search) ask for a
read session: it comes from a healthy replica when one is configured, and from the primary when
none answers (a replica that failed is skipped for `replica_retry_seconds`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012  (SQLAlchemy reads it once)
        datetime: DateTime(timezone=True), dict[str, Any]: JSONB}


class Entity:
    """Columns every business table has. `version` is checked on UPDATE (optimistic locking):
    SQLAlchemy adds `WHERE version = :old` and raises StaleDataError when another writer won."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (mapper config, not state)


# The statements the current request sent, for the metrics (`count_statements`). A mutable
# holder: SQLAlchemy runs the driver in greenlets that share the request task's context, so
# they add to the same list the request's middleware reads.
_STATEMENTS: ContextVar[list[int] | None] = ContextVar("rxp_statements", default=None)


def count_statements() -> list[int]:
    """Count, from here on in this context, every statement sent to any engine; [count]."""
    holder = [0]
    _STATEMENTS.set(holder)
    return holder


def _counted(*_: Any) -> None:
    holder = _STATEMENTS.get()
    if holder is not None:
        holder[0] += 1


# On the primary, a pooled connection idle longer than this is pinged before use (one more
# round trip); one in steady use is not: under load the ping of every checkout was one
# statement in ten. A connection that died in use fails its request once (503), and SQLAlchemy
# then discards the whole pool, so the next requests connect afresh. Replicas ping every
# checkout: a read falls back to the primary only when the replica fails at connect time.
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "rxp.idle_since"


def _checked_in(dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: AsyncEngine) -> Any:
    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or just used
        try:
            engine.sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # whatever a dead connection raises: the pool reconnects
            raise DisconnectionError() from exc
    return checkout


def make_engine(url: str, *, pool_size: int = 10, connect_timeout: int = 5,
                ping_every_checkout: bool = False) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=ping_every_checkout,
        # The connection used last is used next, the others stay idle. First in, first out
        # spreads a quiet server's requests (a night shift's few a second) over every pooled
        # connection, so each one waits longer than PING_AFTER_IDLE_SECONDS and every request
        # pays the ping's round trip; and each connection reaches psycopg's prepare threshold
        # (a statement's fifth use on it) a pool size later.
        pool_use_lifo=True,
        # Sessions in UTC whatever the server's or database's zone: times leave the API (and the
        # audit log) in UTC, and the clients show them in local time.
        connect_args={"connect_timeout": connect_timeout, "application_name": "rxp-server",
                      "options": "-c TimeZone=UTC"},
    )
    event.listen(engine.sync_engine, "before_cursor_execute", _counted)
    if not ping_every_checkout:
        event.listen(engine.sync_engine.pool, "checkin", _checked_in)
        event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle(engine))
    return engine


@dataclass
class _Replica:
    name: str
    engine: AsyncEngine
    down_until: float = 0.0


class Database:
    """The engines of one server process; built by create_app, disposed at shutdown."""

    def __init__(self, primary_url: str, replica_urls: list[str], *, pool_size: int = 10,
                 replica_retry_seconds: float = 5.0) -> None:
        self.primary = make_engine(primary_url, pool_size=pool_size)
        self.replicas = [
            _Replica(f"replica-{i}", make_engine(u, pool_size=pool_size, connect_timeout=2,
                                                 ping_every_checkout=True))
            for i, u in enumerate(replica_urls)
        ]
        self.replica_retry_seconds = replica_retry_seconds

    def session(self) -> AsyncSession:
        return AsyncSession(self.primary, expire_on_commit=False, autoflush=True)

    @asynccontextmanager
    async def independent_session(self) -> AsyncIterator[AsyncSession]:
        """A transaction of its own, committed whatever happens to the request's."""
        async with self.session() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read_session(self, primary: AsyncSession | None = None
                           ) -> AsyncIterator[tuple[AsyncSession, str]]:
        """(session, source): a replica's session when one answers, else the primary's:
        `primary` (the request's own session, saving a second connection, its ping and its
        transaction) or a new one."""
        now = time.monotonic()
        for replica in self.replicas:
            if replica.down_until > now:
                continue
            try:
                conn = await replica.engine.connect()
            except (OperationalError, DBAPIError, OSError):
                replica.down_until = now + self.replica_retry_seconds
                continue
            try:
                async with AsyncSession(bind=conn, expire_on_commit=False) as session:
                    yield session, replica.name
            finally:
                await conn.close()
            return
        if primary is not None:
            yield primary, "primary"
            return
        async with self.session() as session:
            yield session, "primary"

    async def replica_states(self) -> list[dict[str, Any]]:
        states = []
        for replica in self.replicas:
            try:
                async with replica.engine.connect() as conn:
                    lag = (await conn.execute(text(
                        "SELECT COALESCE(EXTRACT(EPOCH FROM now()"
                        " - pg_last_xact_replay_timestamp()), 0)"))).scalar_one()
                    states.append({"name": replica.name, "up": True, "lag_seconds": float(lag)})
            except (OperationalError, DBAPIError, OSError) as exc:
                states.append({"name": replica.name, "up": False, "error": type(exc).__name__})
        return states

    async def dispose(self) -> None:
        await self.primary.dispose()
        for replica in self.replicas:
            await replica.engine.dispose()
