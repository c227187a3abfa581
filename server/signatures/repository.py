"""All SQL of signing certificates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.signatures.models import CertificateStatus, SigningCertificate


async def for_user(session: AsyncSession, user_id: uuid.UUID) -> Sequence[SigningCertificate]:
    return (await session.scalars(
        select(SigningCertificate).where(SigningCertificate.user_id == user_id)
        .order_by(SigningCertificate.registered_at.desc(), SigningCertificate.id))).all()


@cache
def _active_for_user() -> Select[Any]:
    """Built once: every signature verified (submits, review decisions) reads it."""
    return select(SigningCertificate).where(
        SigningCertificate.user_id == bindparam("user"),
        SigningCertificate.algorithm == bindparam("algorithm"),
        SigningCertificate.status == CertificateStatus.ACTIVE,
    ).order_by(SigningCertificate.registered_at.desc())


async def active_for_user(session: AsyncSession, user_id: uuid.UUID,
                          algorithm: str) -> Sequence[SigningCertificate]:
    return (await session.scalars(_active_for_user(),
                                  {"user": user_id, "algorithm": algorithm})).all()


async def by_fingerprint(session: AsyncSession, fingerprint: str) -> SigningCertificate | None:
    return (await session.scalars(select(SigningCertificate).where(
        SigningCertificate.fingerprint == fingerprint))).first()


async def get_for_update(session: AsyncSession,
                         certificate_id: uuid.UUID) -> SigningCertificate | None:
    return (await session.scalars(select(SigningCertificate).where(
        SigningCertificate.id == certificate_id).with_for_update())).first()
