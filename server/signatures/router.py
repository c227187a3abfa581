"""HTTP routes of signing certificates: administrators register and revoke, users see theirs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import CurrentPrincipal, require
from server.signatures import service
from server.signatures.schemas import CertificateOut, CertificateRegister, CertificateRevoke

users_router = APIRouter(prefix="/users", tags=["签名证书 certificates"],
                         responses=ERROR_RESPONSES)
certificates_router = APIRouter(prefix="/certificates", tags=["签名证书 certificates"],
                                responses=ERROR_RESPONSES)
me_router = APIRouter(prefix="/me", tags=["签名证书 certificates"], responses=ERROR_RESPONSES)

ManageCertificates = Annotated[Principal, require(Permission.CERTIFICATE_MANAGE)]
ReadUsers = Annotated[Principal, require(Permission.USER_READ)]


@users_router.post("/{user_id}/certificates", operation_id="register_certificate",
                   response_model=CertificateOut, status_code=201)
async def register_certificate(user_id: uuid.UUID, body: CertificateRegister,
                               principal: ManageCertificates, ctx: Ctx,
                               svc: Svc) -> CertificateOut:
    """登记用户的签名公钥或证书。私钥由本人保管（系统钥匙串或证书介质），从不上传服务器。"""
    row = await service.register(ctx, principal, user_id, body, now=svc.clock.now())
    return CertificateOut.model_validate(row)


@users_router.get("/{user_id}/certificates", operation_id="list_user_certificates",
                  response_model=list[CertificateOut])
async def list_user_certificates(user_id: uuid.UUID, principal: ReadUsers,
                                 ctx: Ctx) -> list[CertificateOut]:
    rows = await service.list_for_user(ctx, principal, user_id)
    return [CertificateOut.model_validate(r) for r in rows]


@certificates_router.post("/{certificate_id}/revoke", operation_id="revoke_certificate",
                          response_model=CertificateOut)
async def revoke_certificate(certificate_id: uuid.UUID, body: CertificateRevoke,
                             principal: ManageCertificates, ctx: Ctx,
                             svc: Svc) -> CertificateOut:
    """吊销：此后用该证书的签名一律验证失败（包括吊销前签署、尚未审核或调剂的处方）。"""
    row = await service.revoke(ctx, principal, certificate_id, reason=body.reason,
                               now=svc.clock.now())
    return CertificateOut.model_validate(row)


@me_router.get("/certificates", operation_id="my_certificates",
               response_model=list[CertificateOut])
async def my_certificates(principal: CurrentPrincipal, ctx: Ctx) -> list[CertificateOut]:
    return [CertificateOut.model_validate(r) for r in await service.own(ctx, principal)]
