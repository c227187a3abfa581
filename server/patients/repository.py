"""All SQL of patients.

Search compares blind indexes only: the database never sees a clear value and the server never
decrypts rows to look for one. Row-level security limits every query here to the organisations
the session's scope allows (server/access/scope.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.patients.identity import SEALED_FIELDS
from server.patients.models import Patient

# Unique constraints on blind indexes (see the migration) -> the field they protect.
_UNIQUE_FIELDS = {
    "uq_patient_id_number_bidx": "id_number",
    "uq_patient_insurance_card_bidx": "insurance_card",
    "uq_patient_hospital_card_bidx": "hospital_card",
}
_ENCRYPTED_COLUMNS = tuple(f"{field}_enc" for field in SEALED_FIELDS)


class DuplicateIdentifier(Exception):
    """Another patient (perhaps one this session cannot see) already has this identifier."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@cache
def _get() -> Select[Any]:
    """Built once: most requests about a prescription read its patient."""
    return select(Patient).where(Patient.id == bindparam("patient"))


async def get(session: AsyncSession, patient_id: uuid.UUID) -> Patient | None:
    return (await session.scalars(_get(), {"patient": patient_id})).first()


async def by_blind_index(session: AsyncSession, field: str, digest: bytes) -> Patient | None:
    column = getattr(Patient, f"{field}_bidx")
    return (await session.scalars(select(Patient).where(column == digest))).first()


async def search(session: AsyncSession, *, blind_indexes: Mapping[str, bytes], limit: int,
                 offset: int) -> tuple[Sequence[Patient], int]:
    """Patients matching every given field exactly (field -> blind index), newest first."""
    stmt = select(Patient)
    for field, digest in blind_indexes.items():
        stmt = stmt.where(getattr(Patient, f"{field}_bidx") == digest)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.scalars(
        stmt.order_by(Patient.created_at.desc(), Patient.id).limit(limit).offset(offset))).all()
    return rows, total


@asynccontextmanager
async def unique_identifiers(session: AsyncSession) -> AsyncIterator[None]:
    """Apply the block's changes in a savepoint and flush them; raise DuplicateIdentifier when a
    unique blind index is taken.

    Changes must be made inside the block: opening a savepoint flushes what is pending, which
    would put a violation outside it. The savepoint keeps the request's transaction usable
    after the violation, so the service can still look the existing patient up. The unique
    constraint sees every row, including those row-level security hides, so duplicates across
    organisations are caught too.
    """
    try:
        async with session.begin_nested():
            yield
            await session.flush()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
        field = _UNIQUE_FIELDS.get(constraint or "")
        if field is None:
            raise
        raise DuplicateIdentifier(field) from None


# -- key rotation ------------------------------------------------------------------------------

async def lock_stale_batch(session: AsyncSession, *, active_version: int,
                           limit: int) -> Sequence[Row[Any]]:
    """Up to ``limit`` rows not yet under the active key, locked; rows others lock are skipped.

    Plain rows, not Patient objects: rotation must not go through the ORM's version counter.
    """
    stmt = (select(Patient.id, Patient.key_version,
                   *(getattr(Patient, column) for column in _ENCRYPTED_COLUMNS))
            .where(Patient.key_version != active_version)
            .order_by(Patient.id).limit(limit)
            .with_for_update(skip_locked=True))
    return (await session.execute(stmt)).all()


async def store_resealed(session: AsyncSession, patient_id: uuid.UUID,
                         columns: Mapping[str, Any]) -> None:
    """Write re-encrypted columns without touching `version` or `updated_at`.

    The record's content is unchanged, so an edit a user has open must not fail with a version
    conflict because a rotation ran meanwhile; the row lock of lock_stale_batch keeps writers
    out while this runs.
    """
    await session.execute(
        update(Patient).where(Patient.id == patient_id)
        .values(**columns, updated_at=Patient.updated_at)
        .execution_options(synchronize_session=False))
