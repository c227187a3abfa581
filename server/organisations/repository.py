"""All SQL of organisations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.organisations.models import Organisation


async def search(session: AsyncSession, *, kind: str | None, status: str | None,
                 parent_id: uuid.UUID | None, limit: int, offset: int
                 ) -> tuple[Sequence[Organisation], int]:
    stmt = select(Organisation)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if status:
        stmt = stmt.where(Organisation.status == status)
    if parent_id:
        stmt = stmt.where(Organisation.parent_id == parent_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.scalars(
        stmt.order_by(Organisation.path).limit(limit).offset(offset))).all()
    return rows, total


async def by_code(session: AsyncSession, code: str) -> Organisation | None:
    return (await session.scalars(select(Organisation).where(Organisation.code == code))).first()
