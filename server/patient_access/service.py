"""The three ways a patient proves who they are, each ending in a patient access token.

- card at a kiosk: the kiosk (an integration client of kind "kiosk") reads the insurance or
  visit card; the number is looked up by its blind index;
- ID number + SMS code: a 6-digit code goes to the phone on file. The answer is the same
  whether or not the ID number belongs to a patient (the masked phone of an unknown number is a
  stable decoy), and rate limits live in the database so that every server process sees them;
- the one-time code on the prescription slip (server/patient_access/slips.py), for that one
  prescription only.

Every attempt is audited, failed ones too; a wrong SMS code is counted even though the request
fails (`commit_on_error`), as failed staff logins are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from server.access import scope
from server.core.context import Principal, RequestContext
from server.core.errors import InvalidCredentials, NotFound, RateLimited, Unprocessable
from server.core.services import Services
from server.notifications.service import notify_patient
from server.patient_access import codes, repository
from server.patient_access.models import AccessMethod, PatientAccessSession, PatientSmsCode
from server.patient_access.principal import PatientToken, grant
from server.patient_access.slips import DEAD_STATUSES, SlipCodeExpired, SlipCodeUsed
from server.patients import identity
from server.patients import repository as patients_repository
from server.patients.models import Patient
from server.patients.service import CHINA, clean_card, clean_id_number
from server.personal_data.masking import mask_card_number, mask_id_number, mask_phone
from server.prescriptions.lifecycle import Status
from server.prescriptions.models import Prescription

CardType = Literal["insurance", "hospital"]
CARD_FIELDS: dict[str, str] = {"insurance": "insurance_card", "hospital": "hospital_card"}
HOUR = timedelta(hours=1)


class SmsCodeInvalid(InvalidCredentials):
    default_detail = "验证码错误或已失效，请重新获取"


class SmsCodeExpired(InvalidCredentials):
    default_detail = "验证码已过期，请重新获取"


class PatientNotFound(NotFound):
    default_detail = "未找到该卡对应的患者信息，请到人工窗口办理"


class SlipCodeInvalid(NotFound):
    default_detail = "取药码无效，请核对处方单上的取药码"


# -- card at a kiosk -------------------------------------------------------------------------

async def card_access(ctx: RequestContext, svc: Services, kiosk: Principal, *,
                      card_type: CardType, card_number: str) -> PatientToken:
    field = CARD_FIELDS[card_type]
    number = clean_card(card_number, field="card_number")
    kiosk_id = kiosk.attributes.get("client_id")
    ctx.note("patient_access.card", "patient", None, card_type=card_type,
             card=mask_card_number(number), kiosk=kiosk_id)
    # Patients of every hospital of the group may use any kiosk of it.
    await scope.system_scope(ctx.session)
    patient = await patients_repository.by_blind_index(
        ctx.session, field, identity.blind_index(svc.cipher, field, number))
    if patient is None:
        raise PatientNotFound(field="card_number")
    token = await grant(ctx, svc, patient, method=AccessMethod.CARD, client_id=kiosk.id)
    ctx.note("patient_access.card", "patient", patient.id, card_type=card_type,
             card=mask_card_number(number), kiosk=kiosk_id)
    return token


# -- ID number + SMS code --------------------------------------------------------------------

@dataclass(frozen=True)
class SmsCodeSent:
    phone: str  # masked
    expires_in: int
    resend_after: int


def _id_number(svc: Services, value: str) -> tuple[str, bytes]:
    number = clean_id_number(value, today=svc.clock.now().astimezone(CHINA).date())
    return number, identity.blind_index(svc.cipher, "id_number", number)


def _wait(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 0.999))


async def _check_sms_limits(ctx: RequestContext, svc: Services, bidx: bytes,
                            now: datetime) -> None:
    s = svc.settings
    recent = await repository.sms_codes_since(ctx.session, id_number_bidx=bidx, since=now - HOUR)
    resend = timedelta(seconds=s.patient_sms_resend_seconds)
    if recent and recent[-1] + resend > now:
        wait = _wait(recent[-1] + resend, now)
        raise RateLimited(f"验证码已发送，请{wait}秒后再重新获取", retry_after=wait,
                          limit="resend")
    if len(recent) >= s.patient_sms_per_hour:
        wait = _wait(recent[-s.patient_sms_per_hour] + HOUR, now)
        raise RateLimited(f"该身份证号码1小时内获取验证码已达{s.patient_sms_per_hour}次，"
                          f"请{(wait + 59) // 60}分钟后再试", retry_after=wait, limit="id_number")
    if ctx.ip:
        from_ip = await repository.sms_codes_since(ctx.session, ip=ctx.ip, since=now - HOUR)
        if len(from_ip) >= s.patient_sms_per_ip_per_hour:
            wait = _wait(from_ip[-s.patient_sms_per_ip_per_hour] + HOUR, now)
            raise RateLimited(f"当前网络获取验证码过于频繁，请{(wait + 59) // 60}分钟后再试",
                              retry_after=wait, limit="ip")


async def request_sms_code(ctx: RequestContext, svc: Services, *,
                           id_number: str) -> SmsCodeSent:
    number, bidx = _id_number(svc, id_number)
    masked_id = mask_id_number(number)
    ctx.note("patient_access.sms_code", "patient", None, id_number=masked_id)
    await scope.system_scope(ctx.session)
    now = svc.clock.now()
    await repository.lock_sms_requests(ctx.session, id_number_bidx=bidx, ip=ctx.ip)
    await _check_sms_limits(ctx, svc, bidx, now)
    patient = await patients_repository.by_blind_index(ctx.session, "id_number", bidx)
    phone = None
    if patient is not None and patient.phone_enc is not None:
        phone = svc.cipher.decrypt(patient.phone_enc, context=identity.SEALED_FIELDS["phone"][0])
    lifetime = timedelta(minutes=svc.settings.patient_sms_code_minutes)
    row = PatientSmsCode(id=uuid.uuid4(), id_number_bidx=bidx, created_at=now,
                         expires_at=now + lifetime, ip=ctx.ip, attempts=0)
    if patient is not None and phone is not None:
        code = codes.new_sms_code()
        row.patient_id = patient.id
        row.code_hash = codes.sms_code_digest(svc.cipher, row.id, code)
        await notify_patient(ctx, svc, patient_id=patient.id, template="sms_login_code",
                             params={"code": code,
                                     "minutes": svc.settings.patient_sms_code_minutes},
                             expires_at=row.expires_at)
        shown = mask_phone(phone)
    else:
        # Nobody (or nobody reachable) under this number: a row all the same, for the rate
        # limits, and an answer that looks like any other.
        shown = codes.decoy_masked_phone(svc.cipher, number)
    ctx.session.add(row)
    await ctx.session.flush()
    ctx.note("patient_access.sms_code", "patient", patient.id if patient else None,
             id_number=masked_id, sent=phone is not None,
             **({} if patient else {"reason": "unknown_id_number"}))
    return SmsCodeSent(phone=shown, expires_in=int(lifetime.total_seconds()),
                       resend_after=svc.settings.patient_sms_resend_seconds)


async def sms_login(ctx: RequestContext, svc: Services, *, id_number: str,
                    code: str) -> PatientToken:
    number, bidx = _id_number(svc, id_number)
    masked_id = mask_id_number(number)
    ctx.note("patient_access.sms_login", "patient", None, id_number=masked_id)
    await scope.system_scope(ctx.session)
    now = svc.clock.now()
    row = await repository.latest_sms_code(ctx.session, bidx)
    if row is None or row.used_at is not None or row.burned_at is not None:
        raise SmsCodeInvalid(field="code")
    ctx.note("patient_access.sms_login", "patient", row.patient_id, id_number=masked_id)
    if row.expires_at <= now:
        raise SmsCodeExpired(field="code")
    given = codes.sms_code_digest(svc.cipher, row.id, code)
    if row.patient_id is None or not codes.same_digest(row.code_hash, given):
        row.attempts += 1
        left = svc.settings.patient_sms_max_attempts - row.attempts
        if left <= 0:
            row.burned_at = now
        ctx.note("patient_access.sms_login", "patient", row.patient_id, id_number=masked_id,
                 reason="wrong_code", attempts=row.attempts, burned=left <= 0)
        ctx.commit_on_error = True  # the attempt must count although the request fails
        raise SmsCodeInvalid("验证码错误，请重新获取" if left <= 0
                             else f"验证码错误，还可尝试{left}次", field="code")
    row.used_at = now
    patient = await ctx.session.get(Patient, row.patient_id)
    assert patient is not None  # a foreign key
    token = await grant(ctx, svc, patient, method=AccessMethod.SMS)
    ctx.principal = token.principal
    ctx.note("patient_access.sms_login", "patient", patient.id, id_number=masked_id)
    return token


# -- the slip code ---------------------------------------------------------------------------

async def slip_access(ctx: RequestContext, svc: Services, *, code: str) -> PatientToken:
    ctx.note("patient_access.slip", "prescription_slip_code", None)
    clear = codes.read_slip_code(code)
    if clear is None:
        raise Unprocessable("取药码格式不正确：应为处方单上的10位字母数字码或其二维码",
                            field="code")
    await scope.system_scope(ctx.session)
    now = svc.clock.now()
    slip = await repository.slip_by_index(ctx.session, codes.slip_code_index(svc.cipher, clear))
    if slip is None:
        raise SlipCodeInvalid(field="code")
    rx = await ctx.session.get(Prescription, slip.prescription_id)
    assert rx is not None  # a foreign key
    facts = {"prescription_id": str(rx.id), "number": rx.number}
    ctx.note("patient_access.slip", "prescription_slip_code", slip.id, **facts)
    if slip.used_at is not None:
        ctx.note("patient_access.slip", "prescription_slip_code", slip.id, **facts,
                 reason="reused", first_used_at=slip.used_at.isoformat())
        raise SlipCodeUsed(field="code")
    if slip.revoked_at is not None:
        ctx.note("patient_access.slip", "prescription_slip_code", slip.id, **facts,
                 reason="replaced")
        raise SlipCodeUsed("该取药码已被重新打印的处方单取代，请使用新处方单上的取药码",
                           field="code")
    if slip.expires_at <= now or rx.status in DEAD_STATUSES:
        reason = "voided" if rx.status == Status.VOIDED else "expired"
        ctx.note("patient_access.slip", "prescription_slip_code", slip.id, **facts,
                 reason=reason)
        raise SlipCodeExpired("处方已作废，取药码已失效" if reason == "voided" else None,
                              field="code")
    slip.used_at = now
    slip.used_ip = ctx.ip
    patient = await ctx.session.get(Patient, rx.patient_id)
    assert patient is not None
    token = await grant(ctx, svc, patient, method=AccessMethod.SLIP, prescription_id=rx.id)
    ctx.principal = token.principal
    ctx.note("patient_access.slip", "prescription_slip_code", slip.id, **facts,
             patient_id=str(patient.id))
    return token


# -- the verified patient --------------------------------------------------------------------

@dataclass(frozen=True)
class PatientSelf:
    patient_id: uuid.UUID
    name: str
    id_number: str | None
    phone: str | None
    method: str
    prescription_ids: list[uuid.UUID] | None
    expires_at: datetime


async def me(ctx: RequestContext, svc: Services, patient: Principal) -> PatientSelf:
    """The patient's own identity, masked: enough to recognise it, nothing to copy."""
    row = await ctx.session.get(Patient, patient.id)
    if row is None:
        raise NotFound("患者不存在")
    opened = identity.open_identity(svc.cipher, row)
    access = await ctx.session.get(PatientAccessSession, patient.session_id)
    assert access is not None  # authenticate found it
    ids = patient.attributes.get("prescription_ids")
    ctx.note("patient_access.me", "patient", row.id, method=access.method)
    return PatientSelf(
        patient_id=row.id, name=patient.name, id_number=mask_id_number(opened.id_number),
        phone=mask_phone(opened.phone), method=access.method,
        prescription_ids=None if ids is None else sorted(uuid.UUID(i) for i in ids),
        expires_at=access.expires_at)


async def end_access(ctx: RequestContext, svc: Services, patient: Principal) -> None:
    """End the patient's access now (the kiosk's 退出, or the patient leaving it)."""
    access = await ctx.session.get(PatientAccessSession, patient.session_id)
    if access is not None and access.revoked_at is None:
        access.revoked_at = svc.clock.now()
    ctx.note("patient_access.end", "patient", patient.id, method=patient.attributes.get("method"))
