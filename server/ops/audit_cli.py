"""`rxp audit verify`: verify the audit chain from the command line (operators, the daily check)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service
from server.core.db import make_engine
from server.core.keys import KeyMaterial
from server.settings import Settings


async def verify(settings: Settings) -> tuple[bool, str]:
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with AsyncSession(engine) as session:
            result = await service.verify(session, settings, KeyMaterial.load(settings.key_dir))
            await session.commit()
        return result.ok, result.describe()
    finally:
        await engine.dispose()
