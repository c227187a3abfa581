"""All SQL of patient access."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.patient_access.models import PatientSmsCode, PrescriptionSlipCode
from server.prescriptions.models import Prescription


def _lock_key(namespace: str, value: bytes) -> int:
    digest = hashlib.sha256(namespace.encode() + b"\x00" + value).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def lock_sms_requests(session: AsyncSession, *, id_number_bidx: bytes,
                            ip: str | None) -> None:
    """Serialise code requests for one ID number and one address until the transaction ends,
    across server processes: two requests at once must not both pass the rate limits.
    Always the ID number first, then the address, so two requests never wait on each other
    in a circle."""
    keys = [_lock_key("sms.id_number", id_number_bidx)]
    if ip:
        keys.append(_lock_key("sms.ip", ip.encode()))
    for key in keys:
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


async def sms_codes_since(session: AsyncSession, *, id_number_bidx: bytes | None = None,
                          ip: str | None = None, since: datetime) -> list[datetime]:
    """When codes were requested for the ID number (or from the address) since `since`,
    oldest first."""
    query = select(PatientSmsCode.created_at).where(PatientSmsCode.created_at > since)
    if id_number_bidx is not None:
        query = query.where(PatientSmsCode.id_number_bidx == id_number_bidx)
    if ip is not None:
        query = query.where(PatientSmsCode.ip == ip)
    return list((await session.scalars(query.order_by(PatientSmsCode.created_at))).all())


async def latest_sms_code(session: AsyncSession, id_number_bidx: bytes) -> PatientSmsCode | None:
    """The newest code of the ID number, locked: only it counts (a resend replaces the last)."""
    return (await session.scalars(
        select(PatientSmsCode).where(PatientSmsCode.id_number_bidx == id_number_bidx)
        .order_by(PatientSmsCode.created_at.desc(), PatientSmsCode.id).limit(1)
        .with_for_update())).first()


async def slip_by_index(session: AsyncSession, code_bidx: bytes) -> PrescriptionSlipCode | None:
    return (await session.scalars(
        select(PrescriptionSlipCode).where(PrescriptionSlipCode.code_bidx == code_bidx)
        .with_for_update())).first()


async def lock_prescription(session: AsyncSession, prescription_id: uuid.UUID) -> None:
    await session.execute(select(Prescription.id).where(Prescription.id == prescription_id)
                          .with_for_update())


async def usable_slip(session: AsyncSession, prescription_id: uuid.UUID,
                      now: datetime) -> PrescriptionSlipCode | None:
    return (await session.scalars(
        select(PrescriptionSlipCode)
        .where(PrescriptionSlipCode.prescription_id == prescription_id,
               PrescriptionSlipCode.used_at.is_(None), PrescriptionSlipCode.revoked_at.is_(None),
               PrescriptionSlipCode.expires_at > now)
        .order_by(PrescriptionSlipCode.created_at.desc()).limit(1)
        .with_for_update())).first()


async def prescription_orgs(session: AsyncSession, patient_id: uuid.UUID,
                            prescription_ids: Iterable[uuid.UUID] | None) -> set[uuid.UUID]:
    """The organisations that issued the patient's prescriptions (of `prescription_ids`, when
    given)."""
    query = select(func.distinct(Prescription.org_id)).where(
        Prescription.patient_id == patient_id)
    if prescription_ids is not None:
        query = query.where(Prescription.id.in_(list(prescription_ids)))
    return set((await session.scalars(query)).all())
