"""Which organisations' records the current transaction may see: the one place it is enforced.

The set is passed to PostgreSQL as a transaction-local setting, `rxp.visible_orgs`, that the
row-level-security policies of organisation-owned tables read (see the migrations). A query
that forgets a filter still sees only what the actor may see. '*' means every organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.context import Principal
from server.organisations.models import Organisation

ALL = "*"


async def set_visible(session: AsyncSession, visible: frozenset[uuid.UUID] | None) -> None:
    value = ALL if visible is None else ",".join(str(v) for v in visible)
    await session.execute(text("SELECT set_config('rxp.visible_orgs', :v, true)"), {"v": value})


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
    restore = text("SELECT set_config('rxp.visible_orgs', :v, true)")
    await set_visible(session, visible)
    try:
        yield
    except BaseException:
        # An aborted transaction refuses the restore; its rollback ends the setting anyway.
        with suppress(SQLAlchemyError):
            await session.execute(restore, {"v": before or ""})
        raise
    await session.execute(restore, {"v": before or ""})


async def apply(session: AsyncSession, principal: Principal) -> None:
    await set_visible(session, principal.visible_org_ids)


async def subtree(session: AsyncSession, org_id: uuid.UUID) -> frozenset[uuid.UUID] | None:
    """The organisation and all below it; None for the root (the whole group)."""
    org = await session.get(Organisation, org_id)
    if org is None:
        return frozenset()
    if org.parent_id is None:
        return None
    ids = (await session.scalars(
        select(Organisation.id).where(Organisation.path.startswith(org.path)))).all()
    return frozenset(ids)
