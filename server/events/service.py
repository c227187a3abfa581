"""Publishing live events, in the transaction of the change they announce.

`publish` inserts the event at once (so a savepoint that rolls back takes its events with it)
and, when the transaction commits, a before-commit hook gives the transaction's events their
final ids under a transaction-level advisory lock and sends `pg_notify`. The lock is held to the
commit, so ids are handed out in commit order: whoever has seen event N has seen, or will never
see, every event below N. Without it, a transaction that took id 10 could commit after another
that took id 11 and a client resuming "after 11" would never get 10.

A request's own transaction renumbers in its last statement instead, with its audit append
(`take_commit_order_call`): one round trip while the audit chain's lock is held, the audit
lock first, then this one, as in every transaction. A rolled-back transaction
notifies nothing: NOTIFY is delivered only at commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from server.core.context import Principal, RequestContext
from server.events import repository
from server.events.records import EventRecord

# Keys in Session.info: the provisional ids of this transaction's events; whether hooked.
_PENDING = "rxp.live_events.pending"
_HOOKED = "rxp.live_events.hooked"


def _assign_commit_order(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint is being released: the events wait for the real commit
    ids = session.info.pop(_PENDING, None)
    if ids:
        repository.renumber_and_notify(session.connection(), ids)


def take_commit_order_call(session: AsyncSession) -> tuple[str, dict[str, Any]] | None:
    """For the request's last statement (its audit append): the renumbering of this
    transaction's events, taken from the before-commit hook, which then has nothing to do."""
    ids = session.sync_session.info.pop(_PENDING, None)
    return repository.commit_order_call(ids) if ids else None


def _forget_pending(session: Session, previous_transaction: Any) -> None:
    if not session.in_transaction():  # the whole transaction rolled back
        session.info.pop(_PENDING, None)


async def publish(target: RequestContext | AsyncSession, *, type: str, org_id: uuid.UUID,
                  payload: dict[str, Any], entity_type: str | None = None,
                  entity_id: object = None, user_ids: Iterable[uuid.UUID] = (),
                  roles: Iterable[str] = ()) -> None:
    """Record a live event in the current transaction; it reaches subscribers after the commit.

    `org_id` is the organisation whose members may see it (as the API's scope); `user_ids` and
    `roles` narrow the audience (both empty: everyone in scope). `payload` must be small and
    JSON-able (ids, a status, a title: the app fetches the details through the API, which
    applies its own access rules and masking).
    """
    session = target.session if isinstance(target, RequestContext) else target
    row_id = await repository.insert_event(session, {
        "type": type, "org_id": org_id, "payload": to_jsonable_python(payload),
        "entity_type": entity_type, "entity_id": None if entity_id is None else str(entity_id),
        "user_ids": list(user_ids), "roles": [str(r) for r in roles],
    })
    sync = session.sync_session
    if not sync.info.get(_HOOKED):
        event.listen(sync, "before_commit", _assign_commit_order)
        event.listen(sync, "after_soft_rollback", _forget_pending)
        sync.info[_HOOKED] = True
    sync.info.setdefault(_PENDING, []).append(row_id)


async def visible_after(session: AsyncSession, principal: Principal, *, after: int,
                        limit: int) -> list[EventRecord]:
    return await repository.visible_after(session, principal, after=after, limit=limit)


async def latest_id(session: AsyncSession) -> int:
    return await repository.latest_id(session)


async def horizon(session: AsyncSession) -> int:
    return await repository.horizon(session)


async def prune(session: AsyncSession, *, before: datetime, batch: int) -> int:
    """Old events go, and the horizon records how far, in the session's transaction."""
    return await repository.prune(session, before=before, batch=batch)
