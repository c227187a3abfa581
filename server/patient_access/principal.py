"""Patient access tokens: issuing one for a proof of identity, and turning one back into the
patient's Principal on every request (called by server/identity/auth_service.authenticate)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from server.access.roles import PATIENT_PERMISSIONS, PATIENT_ROLE
from server.core.context import Principal, RequestContext
from server.core.errors import SessionExpired
from server.core.services import Services
from server.identity.tokens import AccessClaims, issue_access_token
from server.patient_access import repository
from server.patient_access.models import AccessMethod, PatientAccessSession
from server.patients.identity import SEALED_FIELDS
from server.patients.models import Patient
from server.personal_data.masking import mask_name

TOKEN_KIND = "patient"  # noqa: S105  (a token kind, not a password)
NAME_CONTEXT = SEALED_FIELDS["name"][0]


@dataclass(frozen=True)
class PatientToken:
    access_token: str
    expires_in: int
    principal: Principal


async def grant(ctx: RequestContext, svc: Services, patient: Patient, *, method: AccessMethod,
                prescription_id: uuid.UUID | None = None,
                client_id: uuid.UUID | None = None) -> PatientToken:
    """Open an access session for a proof that succeeded and issue its token."""
    now = svc.clock.now()
    lifetime = timedelta(minutes=svc.settings.patient_token_minutes)
    access = PatientAccessSession(
        id=uuid.uuid4(), patient_id=patient.id, method=method.value,
        prescription_id=prescription_id, client_id=client_id, created_at=now,
        expires_at=now + lifetime, ip=ctx.ip, workstation=ctx.workstation)
    ctx.session.add(access)
    await ctx.session.flush()
    token = issue_access_token(svc.keys.token_key, subject=patient.id, kind=TOKEN_KIND,
                               session_id=access.id, now=now, lifetime=lifetime)
    principal = await _principal(ctx.session, svc, patient, access)
    return PatientToken(token, int(lifetime.total_seconds()), principal)


async def patient_principal(session: AsyncSession, svc: Services,
                            claims: AccessClaims) -> Principal:
    """The principal of a patient token whose access session still stands. The session must
    be in the system scope (authentication reads across organisations)."""
    access = await session.get(PatientAccessSession, claims.session_id or uuid.UUID(int=0))
    if access is None or access.patient_id != claims.subject:
        raise SessionExpired("身份验证无效，请重新验证身份")
    if access.revoked_at is not None:
        raise SessionExpired("已退出，请重新验证身份")
    if access.expires_at <= svc.clock.now():
        raise SessionExpired("身份验证已过期，请重新验证身份")
    patient = await session.get(Patient, access.patient_id)
    if patient is None:
        raise SessionExpired("身份验证无效，请重新验证身份")
    return await _principal(session, svc, patient, access)


async def _principal(session: AsyncSession, svc: Services, patient: Patient,
                     access: PatientAccessSession) -> Principal:
    only = None if access.prescription_id is None else {access.prescription_id}
    # The organisations of the patient's own record and of the prescriptions in scope: row-level
    # security keeps everything else out; patient_access.scope narrows to the patient's rows.
    visible = await repository.prescription_orgs(session, patient.id, only)
    visible.add(patient.org_id)
    name = svc.cipher.decrypt(patient.name_enc, context=NAME_CONTEXT)
    return Principal(
        kind="patient", id=patient.id, name=mask_name(name), roles=frozenset({PATIENT_ROLE}),
        permissions=frozenset(PATIENT_PERMISSIONS), org_id=None,
        visible_org_ids=frozenset(visible), session_id=access.id,
        attributes={"method": access.method,
                    "prescription_ids": None if only is None
                    else frozenset(str(p) for p in only),
                    "expires_at": access.expires_at.isoformat()})
