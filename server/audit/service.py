"""Audit use cases: searching the log and verifying the chain against the signed checkpoints."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import repository
from server.audit.checkpoints import load_checkpoints, write_checkpoint
from server.audit.verify import VerifyResult, verify_chain
from server.core.keys import KeyMaterial
from server.settings import Settings


async def verify(session: AsyncSession, settings: Settings, keys: KeyMaterial,
                 *, checkpoint: bool = True) -> VerifyResult:
    """Verify the whole chain; when it is intact, checkpoint its head (so a later cut shows)."""
    checkpoints, problems = load_checkpoints(settings.audit_checkpoint_dir,
                                             keys.audit_signing_key.public_key())
    result = await verify_chain(session, checkpoints, warnings=problems)
    if result.ok and checkpoint:
        head = await repository.head(session)
        if head and (not checkpoints or checkpoints[-1].seq < head[0]):
            write_checkpoint(settings.audit_checkpoint_dir, keys.audit_signing_key, *head)
    return result
