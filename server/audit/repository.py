"""All SQL of the audit log."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import TextClause, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import canonical_around_seq
from server.audit.models import AuditEvent

# Any constant will do; it only has to be the same for every writer.
CHAIN_LOCK = 0x52585041  # "RXPA"


@dataclass(frozen=True)
class Appended:
    seq: int
    hash: bytes


@cache
def _append_statement(also: str) -> TextClause:
    """The append, with `also` (a function call, or nothing) in its select list. `also` is
    server code's SQL (server/events/repository.py), never input."""
    return text(f"SELECT appended_seq, appended_hash{also}"  # noqa: S608
                " FROM audit_append(CAST(:fields AS jsonb), :before, :after, :k)")


async def append(session: AsyncSession, fields: dict[str, Any], *,
                 also: tuple[str, dict[str, Any]] | None = None) -> Appended:
    """Append one event at the head of the chain, in one statement (the database function of
    migration 0015: the chain's advisory lock, the committed head, the hash, the insert).

    The lock is held until the surrounding transaction ends, so appends are serialised; callers
    append last, just before commit, to keep the lock short. `also`: a function call (SQL and
    its parameters) evaluated after the append in the same statement, e.g. the live events'
    commit order, to spend one round trip under the lock instead of two.
    """
    before, after = canonical_around_seq(fields)
    statement = _append_statement("" if also is None else f", {also[0]}")
    row = (await session.execute(statement, {
        "fields": json.dumps(fields, ensure_ascii=False, default=str),
        "before": before, "after": after, "k": CHAIN_LOCK, **(also[1] if also else {})})).one()
    return Appended(seq=int(row[0]), hash=bytes(row[1]))


async def head(session: AsyncSession) -> tuple[int, bytes] | None:
    row = (await session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    )).first()
    return (row[0], row[1]) if row else None


async def iterate(session: AsyncSession, batch: int = 5000) -> AsyncIterator[AuditEvent]:
    """Every event in chain order, in batches (the log grows without bound)."""
    after = 0
    while True:
        rows = (await session.scalars(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        )).all()
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1].seq


async def search(
    session: AsyncSession, *, actor_id: uuid.UUID | None = None, action: str | None = None,
    entity_type: str | None = None, entity_id: str | None = None,
    since: datetime | None = None, until: datetime | None = None,
    org_ids: frozenset[uuid.UUID] | None = None, limit: int = 50, offset: int = 0,
) -> tuple[Sequence[AuditEvent], int]:
    query = select(AuditEvent)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    if org_ids is not None:
        query = query.where(AuditEvent.org_id.in_(org_ids))
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = (await session.scalars(
        query.order_by(AuditEvent.seq.desc()).limit(limit).offset(offset))).all()
    return rows, total
