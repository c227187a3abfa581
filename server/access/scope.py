"""Which organisations' records the current transaction may see: the one place it is enforced.

The set is passed to PostgreSQL as a transaction-local setting, `rxp.visible_orgs`, that the
row-level-security policies of organisation-owned tables read (see the migrations). A query
that forgets a filter still sees only what the actor may see. '*' means every organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.core.context import Principal
from server.organisations.models import Organisation

ALL = "*"


_SET_VISIBLE = text("SELECT set_config('rxp.visible_orgs', :v, true)")


async def set_visible(session: AsyncSession, visible: frozenset[uuid.UUID] | None) -> None:
    value = ALL if visible is None else ",".join(str(v) for v in visible)
    await session.execute(_SET_VISIBLE, {"v": value})


async def system_scope(session: AsyncSession) -> None:
    """For the server's own bookkeeping (authentication, background work), never for a user."""
    await set_visible(session, None)


@asynccontextmanager
async def widened(session: AsyncSession,
                  visible: frozenset[uuid.UUID] | None = None) -> AsyncIterator[None]:
    """See `visible` (every organisation by default) inside the block, then the scope the
    transaction had before. Only for reads of what is public across organisations (an approved
    pharmacy's directory entry) and for an applicant writing the organisation it creates; every
    caller says why."""
    await session.flush()  # pending writes are checked under the caller's own scope
    before = (await session.execute(
        text("SELECT current_setting('rxp.visible_orgs', true)"))).scalar_one_or_none()
    await set_visible(session, visible)
    try:
        yield
    except BaseException:
        # An aborted transaction refuses the restore; its rollback ends the setting anyway.
        with suppress(SQLAlchemyError):
            await session.execute(_SET_VISIBLE, {"v": before or ""})
        raise
    await session.execute(_SET_VISIBLE, {"v": before or ""})


async def apply(session: AsyncSession, principal: Principal) -> None:
    await set_visible(session, principal.visible_org_ids)


def subtree_columns(org: Any) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Two columns for a query over `org` (Organisation or an alias of it): whether it is the
    root, and the ids of it and everything below (NULL for the root: it sees the whole group).
    Authentication adds them to the query that reads the session, instead of two more round
    trips on every request; `visible_from` turns them into the scope."""
    child = aliased(Organisation)
    below = (select(func.array_agg(child.id))
             .where(func.starts_with(child.path, org.path))
             .correlate(org).scalar_subquery())
    return org.parent_id.is_(None), case((org.parent_id.is_(None), None), else_=below)


def visible_from(is_root: bool | None, ids: Any) -> frozenset[uuid.UUID] | None:
    """The scope from `subtree_columns`; an organisation that does not exist sees nothing."""
    if is_root is None:
        return frozenset()
    return None if is_root else frozenset(ids or ())


@cache
def _subtree() -> Select[Any]:
    """Built once (building it costs more than running it)."""
    return select(*subtree_columns(Organisation)).where(Organisation.id == bindparam("org_id"))


async def subtree(session: AsyncSession, org_id: uuid.UUID) -> frozenset[uuid.UUID] | None:
    """The organisation and all below it; None for the root (the whole group)."""
    row = (await session.execute(_subtree(), {"org_id": org_id})).first()
    return visible_from(None, None) if row is None else visible_from(row[0], row[1])
