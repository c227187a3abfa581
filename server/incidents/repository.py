"""All SQL of incidents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.incidents.models import Incident, IncidentEvent


async def next_number(session: AsyncSession) -> str:
    seq = (await session.execute(text("SELECT nextval('incident_number_seq')"))).scalar_one()
    return f"INC{int(seq):07d}"


async def get(session: AsyncSession, incident_id: uuid.UUID, *,
              for_update: bool = False) -> Incident | None:
    stmt = select(Incident).where(Incident.id == incident_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def events(session: AsyncSession, incident_id: uuid.UUID) -> Sequence[IncidentEvent]:
    return (await session.scalars(select(IncidentEvent).where(
        IncidentEvent.incident_id == incident_id).order_by(IncidentEvent.at,
                                                           IncidentEvent.kind))).all()


async def page(session: AsyncSession, *, status: str | None, severity: str | None,
               unresolved: bool, limit: int, offset: int) -> tuple[Sequence[Incident], int]:
    stmt = select(Incident)
    if status:
        stmt = stmt.where(Incident.status == status)
    if severity:
        stmt = stmt.where(Incident.severity == severity)
    if unresolved:
        stmt = stmt.where(Incident.status != "resolved")
    total = (await session.execute(select(func.count()).select_from(stmt.subquery())))\
        .scalar_one()
    rows = (await session.scalars(stmt.order_by(Incident.opened_at.desc())
                                  .limit(limit).offset(offset))).all()
    return rows, int(total)


async def unresolved_for_escalation(session: AsyncSession) -> Sequence[Incident]:
    """Unresolved incidents, taken so that of several server processes one escalates each."""
    return (await session.scalars(select(Incident).where(Incident.status != "resolved")
                                  .order_by(Incident.fix_due_at)
                                  .with_for_update(skip_locked=True))).all()


async def opened_between(session: AsyncSession, start: datetime,
                         end: datetime) -> Sequence[Incident]:
    return (await session.scalars(select(Incident).where(
        Incident.opened_at >= start, Incident.opened_at < end).order_by(Incident.opened_at)
    )).all()
