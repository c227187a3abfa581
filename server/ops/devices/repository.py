"""All SQL of device status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.ops.devices.models import DeviceStatus


async def for_client(session: AsyncSession, client_id: uuid.UUID) -> dict[str, DeviceStatus]:
    rows = await session.scalars(select(DeviceStatus).where(DeviceStatus.client_id == client_id)
                                 .with_for_update())
    return {row.device: row for row in rows}


async def listing(session: AsyncSession, *, faults_only: bool) -> Sequence[DeviceStatus]:
    stmt = select(DeviceStatus)
    if faults_only:
        stmt = stmt.where(DeviceStatus.state == "fault")
    return (await session.scalars(stmt.order_by(DeviceStatus.client_name,
                                                DeviceStatus.device))).all()
