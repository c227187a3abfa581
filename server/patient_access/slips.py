"""The code printed on a prescription slip: issued (and reprinted) for the doctor's printout,
redeemed once by the patient at a kiosk or in the app."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, Gone
from server.core.services import Services
from server.patient_access import codes, repository
from server.patient_access.models import PrescriptionSlipCode
from server.prescriptions.lifecycle import Status
from server.prescriptions.models import Prescription

CODE_CONTEXT = "prescription_slip_code.code_enc"
# A slip is no use once the prescription cannot be dispensed any more.
DEAD_STATUSES = frozenset({Status.VOIDED, Status.EXPIRED})


class SlipNotIssuable(Conflict):
    default_detail = "处方当前状态不能打印取药码"


class SlipCodeUsed(Conflict):
    default_detail = ("该取药码已使用过，不能再次使用。如需查询处方，请使用身份证号码和短信验证码，"
                      "或持医保卡、就诊卡到自助机查询")


class SlipCodeExpired(Gone):
    default_detail = "处方已过有效期，取药码已失效，请联系开方医生"


@dataclass(frozen=True)
class SlipCode:
    id: uuid.UUID
    prescription_id: uuid.UUID
    code: str
    qr_payload: str
    expires_at: datetime


def _slip(svc: Services, row: PrescriptionSlipCode, code: str | None = None) -> SlipCode:
    clear = code or svc.cipher.decrypt(row.code_enc, context=CODE_CONTEXT)
    return SlipCode(id=row.id, prescription_id=row.prescription_id, code=clear,
                    qr_payload=codes.qr_payload(clear), expires_at=row.expires_at)


async def issue_slip_code(session: AsyncSession, svc: Services, prescription: Prescription, *,
                          renew: bool = False,
                          issued_by_id: uuid.UUID | None = None) -> SlipCode:
    """The prescription's usable slip code, issuing one if there is none (used, expired or
    never issued). `renew` replaces a usable one with a fresh code (a lost slip).

    Needs a signed prescription (its validity is the code's) that is neither voided nor
    expired. Writes in `session`, whose scope must see the prescription's organisation.
    """
    now = svc.clock.now()
    if prescription.expires_at is None:
        raise SlipNotIssuable("处方尚未签名提交，不能打印取药码",
                              current_status=prescription.status)
    if prescription.status in DEAD_STATUSES or prescription.expires_at <= now:
        raise SlipNotIssuable("处方已作废或已过有效期，不能打印取药码",
                              current_status=prescription.status)
    # Two printouts at once must not issue two codes.
    await repository.lock_prescription(session, prescription.id)
    existing = await repository.usable_slip(session, prescription.id, now)
    if existing is not None:
        if not renew:
            return _slip(svc, existing)
        existing.revoked_at = now
    code = codes.new_slip_code()
    row = PrescriptionSlipCode(
        id=uuid.uuid4(), prescription_id=prescription.id, org_id=prescription.org_id,
        code_enc=svc.cipher.encrypt(code, context=CODE_CONTEXT),
        code_bidx=codes.slip_code_index(svc.cipher, code), created_at=now,
        expires_at=prescription.expires_at, issued_by_id=issued_by_id)
    session.add(row)
    await session.flush()
    return _slip(svc, row, code)
