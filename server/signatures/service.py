"""Registering and revoking signing certificates, and verifying signed documents against them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common import signing
from server.access.roles import Role
from server.core.context import Principal, RequestContext
from server.core.errors import (
    Conflict,
    NoCertificate,
    NotFound,
    NotPermitted,
    SignatureInvalid,
    Unprocessable,
)
from server.identity import user_service
from server.identity.models import StaffUser
from server.signatures import repository
from server.signatures.models import CertificateStatus, SigningCertificate
from server.signatures.schemas import CertificateRegister

# Who signs: doctors their prescriptions, pharmacists their review decisions, pharmacy staff
# (the retail pharmacist) the dispensing record.
SIGNING_ROLES = frozenset({Role.DOCTOR, Role.PHARMACIST, Role.PHARMACY_STAFF})


@dataclass(frozen=True)
class VerifiedSignature:
    """Proof that `user_id` signed the document: with which certificate, when it was checked."""

    user_id: uuid.UUID
    certificate_id: uuid.UUID
    algorithm: str
    fingerprint: str
    verified_at: datetime


async def _owner(ctx: RequestContext, actor: Principal, user_id: uuid.UUID) -> StaffUser:
    user = await user_service.get_user(ctx, user_id)  # NotFound also when out of scope
    if not actor.sees(user.org_id):
        raise NotFound("用户不存在")
    return user


async def register(ctx: RequestContext, actor: Principal, user_id: uuid.UUID,
                   data: CertificateRegister, *, now: datetime) -> SigningCertificate:
    user = await _owner(ctx, actor, user_id)
    if not SIGNING_ROLES & set(user.roles):
        raise Unprocessable("只有医生、药师和药店人员需要登记签名证书", field="user_id")
    certificate: signing.CertificateInfo | None = None
    try:
        if "-----BEGIN CERTIFICATE-----" in data.public_key:
            certificate = signing.read_certificate(data.public_key)
        key = signing.load_public_key(data.public_key, data.algorithm)
    except signing.SigningError as exc:
        raise Unprocessable(f"公钥无效：{exc}", field="public_key") from None
    valid_from = data.valid_from or (certificate.not_before if certificate else now)
    valid_until = data.valid_until or (certificate.not_after if certificate else None)
    if valid_until is not None and valid_until <= valid_from:
        raise Unprocessable("有效期截止时间必须晚于起始时间", field="valid_until")
    if certificate and valid_until is not None and certificate.not_after < valid_until:
        raise Unprocessable("有效期不能超出证书本身的有效期", field="valid_until")
    if await repository.by_fingerprint(ctx.session, key.fingerprint):
        raise Conflict("该公钥已登记过（吊销过的公钥也不能再次登记）", field="public_key")
    row = SigningCertificate(
        user_id=user.id, algorithm=key.algorithm, public_key=key.pem,
        fingerprint=key.fingerprint,
        certificate_pem=data.public_key.strip() if certificate else None,
        serial_number=certificate.serial_number[:80] if certificate else None,
        registered_by=actor.id, registered_at=now, valid_from=valid_from,
        valid_until=valid_until, status=CertificateStatus.ACTIVE,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    ctx.note("certificate.register", "signing_certificate", row.id, user_id=str(user.id),
             username=user.username, algorithm=row.algorithm, fingerprint=row.fingerprint)
    return row


async def list_for_user(ctx: RequestContext, actor: Principal,
                        user_id: uuid.UUID) -> Sequence[SigningCertificate]:
    await _owner(ctx, actor, user_id)
    return await repository.for_user(ctx.session, user_id)


async def own(ctx: RequestContext, actor: Principal) -> Sequence[SigningCertificate]:
    if actor.kind != "user":
        raise NotPermitted("只有员工账号有签名证书")
    return await repository.for_user(ctx.session, actor.id)


async def revoke(ctx: RequestContext, actor: Principal, certificate_id: uuid.UUID, *,
                 reason: str, now: datetime) -> SigningCertificate:
    row = await repository.get_for_update(ctx.session, certificate_id)
    if row is None:
        raise NotFound("签名证书不存在")
    try:
        await _owner(ctx, actor, row.user_id)
    except NotFound:
        raise NotFound("签名证书不存在") from None
    if row.status == CertificateStatus.REVOKED:
        raise Conflict("签名证书已被吊销")
    row.status = CertificateStatus.REVOKED
    row.revoked_at = now
    row.revoked_by = actor.id
    row.revoked_reason = reason
    await ctx.session.flush()
    ctx.note("certificate.revoke", "signing_certificate", row.id, user_id=str(row.user_id),
             fingerprint=row.fingerprint, reason=reason)
    return row


@lru_cache(maxsize=4096)
def _public_key(pem: str, algorithm: str) -> signing.PublicKey:
    # Parsing a key checks its point is on the curve and, for SM2, hashes Z: done once per key.
    return signing.load_public_key(pem, algorithm)


async def verify_document(session: AsyncSession, *, user_id: uuid.UUID,
                          document: Mapping[str, Any], signature: str | bytes, algorithm: str,
                          at: datetime | None = None) -> VerifiedSignature:
    """Check that `signature` is `user_id`'s signature of `document`'s canonical bytes, with one
    of the user's active certificates of `algorithm` valid at `at` (default: now).

    Raises NoCertificate when the user has no such certificate, SignatureInvalid when none of
    them verifies the signature (the content changed, or another key signed it).
    """
    if algorithm not in signing.ALGORITHMS:
        raise SignatureInvalid(f"不支持的签名算法：{algorithm}", field="algorithm")
    when = at or datetime.now(UTC)
    rows = [row for row in await repository.active_for_user(session, user_id, algorithm)
            if row.valid_from <= when and (row.valid_until is None or when < row.valid_until)]
    if not rows:
        raise NoCertificate()
    try:
        data = signing.canonical_bytes(document)
        raw = signing.decode_signature(signature)
    except signing.SigningError as exc:
        raise SignatureInvalid(f"电子签名验证失败：{exc}") from None
    for row in rows:
        if signing.verify(_public_key(row.public_key, row.algorithm), data, raw):
            return VerifiedSignature(user_id=user_id, certificate_id=row.id,
                                     algorithm=row.algorithm, fingerprint=row.fingerprint,
                                     verified_at=when)
    raise SignatureInvalid()
