"""All SQL of live events: publishing, renumbering at commit, reading after an id, pruning.

The hub reads through its own psycopg connection (the one that LISTENs); everything else goes
through SQLAlchemy sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import psycopg
from sqlalchemy import Connection, Table, and_, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from server.core.context import Principal
from server.events.models import LiveEvent, LiveEventHorizon
from server.events.records import EventRecord

CHANNEL = "rxp_live_events"
# Transaction-level advisory lock held from the renumbering to the commit (key: "rxp_evts").
COMMIT_ORDER_LOCK = 0x7278705F65767473

_COLUMNS = "id, created_at, type, org_id, user_ids, roles, entity_type, entity_id, payload"

# The transaction's events get fresh ids, in the order they were published, under the lock;
# the highest is announced (delivered at commit; never for a transaction that rolls back). The
# database function of migration 0016: a call that the request's audit append can carry.
_COMMIT_ORDER = ("live_event_commit_order(CAST(:event_ids AS bigint[]), :event_lock,"
                 " :event_channel)")
_RENUMBER = text(f"SELECT {_COMMIT_ORDER}")


# Built once: an event is published by most writes, and building the statement cost more CPU
# than sending it. Core, not ORM: the ORM treats an insert given parameters as a bulk insert.
_TABLE = cast(Table, LiveEvent.__table__)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)


async def insert_event(session: AsyncSession, values: dict[str, Any]) -> int:
    return int((await session.execute(_INSERT, values)).scalar_one())


def commit_order_call(ids: list[int]) -> tuple[str, dict[str, Any]]:
    """The renumbering as a function call and its parameters, to run in another statement."""
    return _COMMIT_ORDER, {"event_ids": ids, "event_lock": COMMIT_ORDER_LOCK,
                           "event_channel": CHANNEL}


def renumber_and_notify(connection: Connection, ids: list[int]) -> None:
    """Called from a before-commit hook (synchronous, inside the session's transaction)."""
    connection.execute(_RENUMBER, commit_order_call(ids)[1])


def _visible(principal: Principal) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if principal.visible_org_ids is not None:
        conditions.append(LiveEvent.org_id.in_(sorted(principal.visible_org_ids)))
    conditions.append(or_(
        and_(func.cardinality(LiveEvent.user_ids) == 0, func.cardinality(LiveEvent.roles) == 0),
        LiveEvent.user_ids.contains([principal.id]),
        LiveEvent.roles.overlap(sorted(principal.roles)),
    ))
    return and_(*conditions)


def _record(row: Sequence[Any]) -> EventRecord:
    (id_, created_at, type_, org_id, user_ids, roles, entity_type, entity_id, payload) = row
    return EventRecord(id=int(id_), created_at=created_at, type=type_, org_id=org_id,
                       user_ids=frozenset(user_ids or ()), roles=frozenset(roles or ()),
                       entity_type=entity_type, entity_id=entity_id, payload=payload or {})


async def visible_after(session: AsyncSession, principal: Principal, *, after: int,
                        limit: int) -> list[EventRecord]:
    """The events after id `after` that `principal` may see, oldest first."""
    rows = await session.execute(
        select(LiveEvent.id, LiveEvent.created_at, LiveEvent.type, LiveEvent.org_id,
               LiveEvent.user_ids, LiveEvent.roles, LiveEvent.entity_type, LiveEvent.entity_id,
               LiveEvent.payload)
        .where(LiveEvent.id > after, _visible(principal))
        .order_by(LiveEvent.id).limit(limit))
    return [_record(r) for r in rows]


_HORIZON = select(func.coalesce(func.max(LiveEventHorizon.pruned_through), 0))
# The pruned ones count: once every event is pruned, max(id) alone would fall back to 0.
_LATEST = select(func.greatest(select(func.coalesce(func.max(LiveEvent.id), 0))
                               .scalar_subquery(), _HORIZON.scalar_subquery()))


async def latest_id(session: AsyncSession) -> int:
    """The highest id an event has had, kept or pruned."""
    return int((await session.execute(_LATEST)).scalar_one())


async def horizon(session: AsyncSession) -> int:
    """The highest id pruned (0: none yet)."""
    return int((await session.execute(_HORIZON)).scalar_one())


# The oldest `batch` events by id, those of them created before the cut-off, go; the horizon
# rises to the highest of them in the same statement (so in the same transaction), never
# falls (GREATEST: rounds of several server processes may commit in any order). Looking at
# the oldest ids only keeps a round's cost at one batch whatever the table holds, without an
# index on created_at for every publish to maintain; ids follow commit order and created_at
# the transaction's start, so a younger event among them (a transaction that took long to
# commit) only waits for a later round.
_PRUNE = text("""
WITH oldest AS (SELECT id, created_at FROM live_event ORDER BY id LIMIT :batch),
     gone AS (DELETE FROM live_event e USING oldest
              WHERE e.id = oldest.id AND oldest.created_at < :cutoff RETURNING e.id),
     raised AS (INSERT INTO live_event_horizon (id, pruned_through, updated_at)
                SELECT 1, max(gone.id), now() FROM gone HAVING count(*) > 0
                ON CONFLICT (id) DO UPDATE SET
                    pruned_through = GREATEST(live_event_horizon.pruned_through,
                                              excluded.pruned_through),
                    updated_at = excluded.updated_at
                RETURNING 1)
SELECT count(*) FROM gone
""")


async def prune(session: AsyncSession, *, before: datetime, batch: int) -> int:
    """Delete up to `batch` events created before `before`; how many went."""
    result = await session.execute(_PRUNE, {"cutoff": before, "batch": batch})
    return int(result.scalar_one())


async def raw_latest_id(conn: psycopg.AsyncConnection[Any]) -> int:
    cur = await conn.execute("SELECT coalesce(max(id), 0) FROM live_event")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def raw_after(conn: psycopg.AsyncConnection[Any], after: int,
                    limit: int) -> list[EventRecord]:
    """Every event after id `after` (the hub filters per subscriber)."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM live_event WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
        (after, limit))
    return [_record(r) for r in await cur.fetchall()]
