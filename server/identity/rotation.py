"""Re-encrypting staff second-factor secrets under the active data key (`rxp keys reencrypt`).

The key version sits in bytes 1-2 of every sealed value (server/personal_data/cipher.py), so
the rows left to do are found in SQL; each batch commits on its own, as for patients.
"""

from __future__ import annotations

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from server.access.scope import system_scope
from server.identity.auth_service import TOTP_CONTEXT
from server.identity.models import StaffUser
from server.personal_data.cipher import FieldCipher

STALE = text("(get_byte(totp_secret_enc, 1) * 256 + get_byte(totp_secret_enc, 2)) <> :active")


async def reencrypt_totp_secrets(engine: AsyncEngine, cipher: FieldCipher,
                                 batch: int = 500) -> int:
    done = 0
    active = cipher.keyring.active_version
    while True:
        async with AsyncSession(engine) as session, session.begin():
            await system_scope(session)
            rows = (await session.execute(
                select(StaffUser.id, StaffUser.totp_secret_enc)
                .where(StaffUser.totp_secret_enc.is_not(None), STALE.bindparams(active=active))
                .limit(batch).with_for_update(skip_locked=True))).all()
            for user_id, blob in rows:
                assert blob is not None  # filtered in the query
                await session.execute(
                    update(StaffUser).where(StaffUser.id == user_id)
                    .values(totp_secret_enc=cipher.reencrypt(blob, context=TOTP_CONTEXT))
                    .execution_options(synchronize_session=False))
        done += len(rows)
        if len(rows) < batch:
            return done
