"""Re-encrypting patients' identifying fields under the active data key (`rxp keys rotate`).

Runs while the server keeps serving: small batches, each its own committed transaction, rows
taken with FOR UPDATE SKIP LOCKED so a batch never waits on (or blocks for long) a request
editing a patient; rows it skipped are left for the next run. Blind indexes are unchanged: the
index key is not rotated (server/personal_data/keys.py), so search keeps working throughout.

Order of operations for a rotation without downtime:

1. `KeyRing.rotate(key file)` adds the new version and makes it active;
2. every server process reloads the key file (rolling restart), so each one can decrypt values
   under the new version before any exists. A process still holding the old key ring cannot
   read a re-encrypted row (and would keep writing the old version);
3. then this job, once or repeatedly until it returns 0.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from server.access.scope import system_scope
from server.patients import identity, repository
from server.patients.models import Patient
from server.personal_data.cipher import FieldCipher, UndecryptableValue

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500


async def reencrypt_patients(engine: AsyncEngine, cipher: FieldCipher,
                             batch: int = DEFAULT_BATCH) -> int:
    """Re-encrypt every patient not yet under ``cipher``'s active key; return how many.

    ``engine`` may connect as the schema owner or as the server's role: each transaction sets
    the system scope, so row-level security shows every organisation's patients.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    done = 0
    while True:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await system_scope(session)
            count = await _reencrypt_batch(session, cipher, batch)
        done += count
        if count:
            log.info("re-encrypted %d patients (%d so far)", count, done)
        if count < batch:
            # A short batch: nothing left, or only rows locked by others (the next run).
            return done


async def _reencrypt_batch(session: AsyncSession, cipher: FieldCipher, batch: int) -> int:
    active = cipher.keyring.active_version
    rows = await repository.lock_stale_batch(session, active_version=active, limit=batch)
    for row in rows:
        values = row._asdict()
        # A transient Patient, never added to the session, lets identity.reseal (the one place
        # knowing each field's encryption context) do the work.
        sealed = Patient(**{k: v for k, v in values.items() if k.endswith("_enc")},
                         key_version=values["key_version"])
        try:
            identity.reseal(cipher, sealed)
        except UndecryptableValue as exc:
            # Stop rather than skip: a value nobody can read is a problem to look at now.
            raise UndecryptableValue(f"patient {values['id']}: {exc}") from None
        columns: dict[str, Any] = {k: getattr(sealed, k) for k in values if k.endswith("_enc")}
        # Also when every blob was already current (a crash between writes, say): only the
        # version marker was stale, and the loop must not pick the row up again.
        columns["key_version"] = active
        await repository.store_resealed(session, values["id"], columns)
    return len(rows)
