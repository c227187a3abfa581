"""All SQL of the rights matrices."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from server.access.models import PrescribingRight, ReviewingRight

# Serialises edits of one matrix across server processes (the rows have no parent to lock).
RIGHTS_LOCK = 0x72696768  # "righ"


async def lock(session: AsyncSession, matrix: uuid.UUID | None) -> None:
    """Until the transaction ends, nobody else edits this matrix (a department's, or the
    reviewing matrix when `matrix` is None)."""
    key = (matrix.int if matrix else 0) & 0x7FFFFFFF
    await session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                          {"a": RIGHTS_LOCK, "b": key})


async def prescribing(session: AsyncSession, department_id: uuid.UUID) -> set[tuple[str, str]]:
    rows = await session.execute(select(PrescribingRight.title, PrescribingRight.drug_class)
                                 .where(PrescribingRight.department_id == department_id))
    return {(r.title, r.drug_class) for r in rows}


async def grant_prescribing(session: AsyncSession, department_id: uuid.UUID,
                            cells: set[tuple[str, str]]) -> None:
    session.add_all(PrescribingRight(department_id=department_id, title=title,
                                     drug_class=drug_class) for title, drug_class in cells)
    await session.flush()


async def revoke_prescribing(session: AsyncSession, department_id: uuid.UUID,
                             cells: set[tuple[str, str]]) -> None:
    if cells:
        await session.execute(delete(PrescribingRight).where(
            PrescribingRight.department_id == department_id,
            tuple_(PrescribingRight.title, PrescribingRight.drug_class).in_(cells)))


async def reviewing(session: AsyncSession) -> set[tuple[str, str]]:
    rows = await session.execute(select(ReviewingRight.level, ReviewingRight.drug_class))
    return {(r.level, r.drug_class) for r in rows}


async def grant_reviewing(session: AsyncSession, cells: set[tuple[str, str]]) -> None:
    session.add_all(ReviewingRight(level=level, drug_class=drug_class)
                    for level, drug_class in cells)
    await session.flush()


async def revoke_reviewing(session: AsyncSession, cells: set[tuple[str, str]]) -> None:
    if cells:
        await session.execute(delete(ReviewingRight).where(
            tuple_(ReviewingRight.level, ReviewingRight.drug_class).in_(cells)))
