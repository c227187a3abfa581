"""`rxp keys reencrypt`: every sealed value moved under the active data key after a rotation.

Patients have a job of their own (several fields sealed together, a version marker on the row:
server/patients/rotation.py). Every other sealed column is listed in SEALED with its encryption
context; a test checks that every binary column of the schema is either listed here, sealed by
the patients' job, or named in NOT_SEALED with the reason, so a new sealed column cannot be
forgotten by the rotation.

Like the patients' job it runs while the servers serve: small batches, each committed on its
own, rows taken FOR UPDATE SKIP LOCKED (a skipped row is done by the next run). The key
version sits in bytes 1-2 of every sealed value (server/personal_data/cipher.py), so the rows
left to do are found in SQL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.access.scope import system_scope
from server.circulation import common as circulation
from server.circulation.models import CirculationOrder
from server.idempotency import store as idempotency
from server.idempotency.models import IdempotencyRecord
from server.identity.auth_service import TOTP_CONTEXT
from server.identity.models import StaffUser
from server.notifications import service as notifications
from server.notifications.models import Notification
from server.patient_access import slips
from server.patient_access.models import PrescriptionSlipCode
from server.patients.rotation import reencrypt_patients
from server.personal_data.cipher import FieldCipher

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class Sealed:
    column: InstrumentedAttribute[Any]
    context: str

    @property
    def name(self) -> str:
        return f"{self.column.class_.__tablename__}.{self.column.key}"


SEALED: tuple[Sealed, ...] = (
    Sealed(StaffUser.totp_secret_enc, TOTP_CONTEXT),
    Sealed(CirculationOrder.address_enc, circulation.ADDRESS_CONTEXT),
    Sealed(CirculationOrder.recipient_enc, circulation.RECIPIENT_CONTEXT),
    Sealed(CirculationOrder.recipient_phone_enc, circulation.RECIPIENT_PHONE_CONTEXT),
    Sealed(CirculationOrder.pickup_code_enc, circulation.PICKUP_CODE_CONTEXT),
    Sealed(Notification.destination_enc, notifications.DESTINATION_CONTEXT),
    Sealed(Notification.body_enc, notifications.BODY_CONTEXT),
    Sealed(PrescriptionSlipCode.code_enc, slips.CODE_CONTEXT),
    Sealed(IdempotencyRecord.response_body, idempotency.BODY_CONTEXT),
)


def _stale(column: InstrumentedAttribute[Any], active: int) -> Any:
    version = func.get_byte(column, 1) * 256 + func.get_byte(column, 2)
    return and_(column.is_not(None), version != active)


async def reencrypt_column(engine: AsyncEngine, cipher: FieldCipher, sealed: Sealed,
                           batch: int = DEFAULT_BATCH) -> int:
    """Re-seal every value of one column not yet under the active key; return how many."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    table = sealed.column.class_.__table__
    keys = list(table.primary_key.columns)
    active = cipher.keyring.active_version
    done = 0
    while True:
        async with AsyncSession(engine) as session, session.begin():
            await system_scope(session)
            rows = (await session.execute(
                select(*keys, sealed.column).where(_stale(sealed.column, active))
                .limit(batch).with_for_update(skip_locked=True))).all()
            for *key, blob in rows:
                await session.execute(
                    update(table).where(*(k == v for k, v in zip(keys, key, strict=True)))
                    .values({sealed.column.key: cipher.reencrypt(bytes(blob),
                                                                 context=sealed.context)}))
        done += len(rows)
        if len(rows) < batch:
            return done


async def reencrypt_all(engine: AsyncEngine, cipher: FieldCipher,
                        batch: int = DEFAULT_BATCH) -> dict[str, int]:
    """Patients, then every column of SEALED: how many values each had to move."""
    done = {"patient": await reencrypt_patients(engine, cipher, batch=batch)}
    for sealed in SEALED:
        done[sealed.name] = await reencrypt_column(engine, cipher, sealed, batch=batch)
        if done[sealed.name]:
            log.info("re-encrypted %d values of %s", done[sealed.name], sealed.name)
    return done
