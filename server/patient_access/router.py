"""HTTP routes of patient access: the proofs, the verified patient's own identity, and the slip
code the doctor prints."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES, ErrorBody, NotPermitted
from server.identity.dependencies import anonymous_write, require
from server.patient_access import service
from server.patient_access.dependencies import CurrentPatient
from server.patient_access.principal import PatientToken
from server.patient_access.schemas import (
    CardAccessIn,
    PatientMeOut,
    PatientTokenOut,
    SlipAccessIn,
    SlipCodeOut,
    SmsCodeIn,
    SmsCodeOut,
    SmsLoginIn,
)
from server.patient_access.slips import issue_slip_code
from server.prescriptions import service as prescriptions_service

_MORE_ERRORS: dict[int | str, dict[str, Any]] = {
    410: {"model": ErrorBody, "description": "已失效"},
    429: {"model": ErrorBody, "description": "过于频繁（见 Retry-After）"},
}
router = APIRouter(prefix="/patient-access", tags=["患者身份验证 patient access"],
                   responses={**ERROR_RESPONSES, **_MORE_ERRORS})
patient_router = APIRouter(prefix="/patient", tags=["患者本人 patient"],
                           responses=ERROR_RESPONSES)
slip_router = APIRouter(prefix="/prescriptions", tags=["处方 prescriptions"],
                        responses=ERROR_RESPONSES)

Kiosk = Annotated[Principal, require(Permission.PATIENT_ACCESS_CARD)]
ReadPrescriptions = Annotated[Principal, require(Permission.PRESCRIPTION_READ)]


def _token(token: PatientToken) -> PatientTokenOut:
    ids = token.principal.attributes.get("prescription_ids")
    return PatientTokenOut(
        access_token=token.access_token, expires_in=token.expires_in,
        method=token.principal.attributes["method"], patient_name=token.principal.name,
        prescription_ids=None if ids is None else sorted(uuid.UUID(i) for i in ids))


@router.post("/card", operation_id="patient_access_card", response_model=PatientTokenOut)
async def card(body: CardAccessIn, kiosk: Kiosk, ctx: Ctx, svc: Svc) -> PatientTokenOut:
    """自助机读医保卡或就诊卡验证患者身份（仅限自助机客户端）。"""
    if kiosk.kind != "client" or kiosk.attributes.get("client_kind") != "kiosk":
        raise NotPermitted("只有自助机可以凭卡验证患者身份")
    return _token(await service.card_access(ctx, svc, kiosk, card_type=body.card_type,
                                            card_number=body.card_number))


@router.post("/sms-codes", operation_id="patient_access_sms_code", response_model=SmsCodeOut,
             status_code=202, dependencies=[Depends(anonymous_write)])
async def sms_code(body: SmsCodeIn, ctx: Ctx, svc: Svc) -> SmsCodeOut:
    """向身份证号码登记的手机发送6位验证码。无论号码是否登记，应答格式相同。
    同一号码60秒内1次、1小时内5次；同一网络地址每小时有上限；超出时 429 并给出 Retry-After。"""
    sent = await service.request_sms_code(ctx, svc, id_number=body.id_number)
    return SmsCodeOut(phone=sent.phone, expires_in=sent.expires_in,
                      resend_after=sent.resend_after)


@router.post("/sms-login", operation_id="patient_access_sms_login",
             response_model=PatientTokenOut, dependencies=[Depends(anonymous_write)])
async def sms_login(body: SmsLoginIn, ctx: Ctx, svc: Svc) -> PatientTokenOut:
    """身份证号码 + 短信验证码验证身份。每个验证码最多尝试5次，之后作废。"""
    return _token(await service.sms_login(ctx, svc, id_number=body.id_number, code=body.code))


@router.post("/slip", operation_id="patient_access_slip", response_model=PatientTokenOut,
             dependencies=[Depends(anonymous_write)])
async def slip(body: SlipAccessIn, ctx: Ctx, svc: Svc) -> PatientTokenOut:
    """凭处方单上的取药码（或其二维码）验证，仅可查看该张处方。取药码只能使用一次。"""
    return _token(await service.slip_access(ctx, svc, code=body.code))


@router.post("/logout", operation_id="patient_access_logout", status_code=204)
async def logout(patient: CurrentPatient, ctx: Ctx, svc: Svc) -> None:
    """结束本次身份验证（离开自助机时）。"""
    await service.end_access(ctx, svc, patient)


@patient_router.get("/me", operation_id="patient_me", response_model=PatientMeOut)
async def me(patient: CurrentPatient, ctx: Ctx, svc: Svc) -> PatientMeOut:
    """已验证身份的患者本人信息（脱敏）及验证方式。"""
    found = await service.me(ctx, svc, patient)
    return PatientMeOut(patient_id=found.patient_id, name=found.name, id_number=found.id_number,
                        phone=found.phone, method=found.method,
                        prescription_ids=found.prescription_ids, expires_at=found.expires_at)


@slip_router.get("/{prescription_id}/slip", operation_id="prescription_slip_code",
                 response_model=SlipCodeOut)
async def prescription_slip(prescription_id: uuid.UUID, principal: ReadPrescriptions, ctx: Ctx,
                            svc: Svc) -> SlipCodeOut:
    """打印处方单用的取药码与二维码（一次有效，随处方有效期失效）；重打印返回同一取药码。"""
    rx = await prescriptions_service.readable(ctx, principal, prescription_id)
    slip_code = await issue_slip_code(ctx.session, svc, rx, issued_by_id=principal.id)
    ctx.note("prescription.slip_code", "prescription", rx.id, number=rx.number,
             slip_code_id=str(slip_code.id))
    return SlipCodeOut(prescription_id=rx.id, number=rx.number, code=slip_code.code,
                       qr_payload=slip_code.qr_payload, expires_at=slip_code.expires_at)
