"""All SQL of staff accounts, sessions, refresh tokens and integration clients."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, any_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.access import scope
from server.identity.models import (
    AuthSession,
    IntegrationClient,
    LaunchToken,
    RefreshToken,
    StaffUser,
)
from server.organisations.models import Organisation


async def user_by_username(session: AsyncSession, username: str,
                           *, for_update: bool = False) -> StaffUser | None:
    query = select(StaffUser).where(StaffUser.username == username)
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID,
                     *, for_update: bool = False) -> StaffUser | None:
    query = select(StaffUser).where(StaffUser.id == user_id)
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def list_users(session: AsyncSession, *, org_id: uuid.UUID | None, role: str | None,
                     query: str | None, limit: int, offset: int
                     ) -> tuple[Sequence[StaffUser], int]:
    stmt = select(StaffUser)
    if org_id:
        stmt = stmt.where(StaffUser.org_id == org_id)
    if role:
        stmt = stmt.where(any_(StaffUser.roles) == role)
    if query:
        # autoescape: `%` and `_` typed into the search box are characters, not wildcards.
        stmt = stmt.where(StaffUser.username.icontains(query, autoescape=True)
                          | StaffUser.display_name.icontains(query, autoescape=True))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.scalars(
        stmt.order_by(StaffUser.username).limit(limit).offset(offset))).all()
    return rows, total


async def session_with_user(session: AsyncSession, session_id: uuid.UUID
                            ) -> tuple[AuthSession, StaffUser] | None:
    row = (await session.execute(
        select(AuthSession, StaffUser).join(StaffUser, StaffUser.id == AuthSession.user_id)
        .where(AuthSession.id == session_id))).first()
    return (row[0], row[1]) if row else None


@cache
def _session_user_scope() -> Select[Any]:
    """Built once: it runs before every authenticated request, and building it (an alias, a
    correlated subquery) cost more CPU than the rest of authentication."""
    org = aliased(Organisation)
    return (select(AuthSession, StaffUser, *scope.subtree_columns(org))
            .join(StaffUser, StaffUser.id == AuthSession.user_id)
            .outerjoin(org, org.id == StaffUser.org_id)
            .where(AuthSession.id == bindparam("session_id")))


async def session_user_scope(session: AsyncSession, session_id: uuid.UUID
                             ) -> tuple[AuthSession, StaffUser, frozenset[uuid.UUID] | None] | None:
    """The session, its user and the organisations the user may see, in one round trip: it
    runs before every authenticated request."""
    row = (await session.execute(_session_user_scope(), {"session_id": session_id})).first()
    return (row[0], row[1], scope.visible_from(row[2], row[3])) if row else None


async def touch_session(session: AsyncSession, session_id: uuid.UUID, *, now: datetime,
                        seen_by: datetime) -> None:
    """Stamp the session as seen now, unless it was seen after `seen_by` or another request
    is stamping it at this moment. The row lock lasts to the commit: waiting for it would line
    up every concurrent request of the session behind one another each time the stamp is due."""
    due = (select(AuthSession.id).where(AuthSession.id == session_id,
                                        AuthSession.last_seen_at <= seen_by)
           .with_for_update(skip_locked=True, key_share=True).scalar_subquery())
    await session.execute(update(AuthSession).where(AuthSession.id == due)
                          .values(last_seen_at=now)
                          .execution_options(synchronize_session=False))


async def refresh_by_digest(session: AsyncSession, digest: bytes) -> RefreshToken | None:
    return (await session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == digest).with_for_update())).first()


async def revoke_sessions(session: AsyncSession, *, user_id: uuid.UUID | None = None,
                          session_id: uuid.UUID | None = None, now: datetime,
                          reason: str) -> None:
    stmt = update(AuthSession).where(AuthSession.revoked_at.is_(None))
    if user_id:
        stmt = stmt.where(AuthSession.user_id == user_id)
    if session_id:
        stmt = stmt.where(AuthSession.id == session_id)
    await session.execute(stmt.values(revoked_at=now, revoked_reason=reason))


async def client_by_client_id(session: AsyncSession, client_id: str) -> IntegrationClient | None:
    return (await session.scalars(
        select(IntegrationClient).where(IntegrationClient.client_id == client_id))).first()


async def launch_token_by_digest(session: AsyncSession, digest: bytes) -> LaunchToken | None:
    """Locked: two exchanges of one token queue up, and the second finds it spent."""
    return (await session.scalars(
        select(LaunchToken).where(LaunchToken.token_hash == digest).with_for_update())).first()
