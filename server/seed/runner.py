"""Running the demo seed against a database (as the schema owner, outside row-level security)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import repository as audit_repository
from server.core.db import make_engine
from server.personal_data.cipher import FieldCipher
from server.seed.demo import DemoGroup, seed_demo


async def seed(owner_url: str, cipher: FieldCipher,
               signing_keys: dict[str, str] | None = None) -> DemoGroup:
    engine = make_engine(owner_url, pool_size=1)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            group = await seed_demo(session, cipher, signing_keys)
            await audit_repository.append(session, {
                "occurred_at": datetime.now(UTC), "actor_kind": "system",
                "actor_name": "rxp seed", "action": "seed.demo", "outcome": "success",
                "summary": {"accounts": len(group.accounts), "patients": len(group.patients)},
            })
        return group
    finally:
        await engine.dispose()
