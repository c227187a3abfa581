"""Launch from the HIS without a second login (the SMART on FHIR EHR-launch idea).

The hospital's HIS, authenticated with its client credentials, asks for a launch token for the
user at its screen and the patient open there; it starts the doctor's app with that token
(`rxp-doctor://launch?token=...`), and the app exchanges it for an ordinary session.

- The token is random, stored only as its SHA-256, good for `LIFETIME` and for one exchange:
  any presentation spends it, a failed one too, so a token read off a screen or a log is
  worth nothing after the app has started.
- It is bound to the HIS's hospital: the HIS sees (row-level security) only its own hospital's
  staff and patients, and the exchange refuses a user who has since left that hospital.
- Issue and exchange are both audited, with the HIS, the user and the patient.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.access import scope
from server.access.roles import Role
from server.core.context import Principal, RequestContext
from server.core.errors import (
    AccountFrozen,
    InvalidCredentials,
    NotFound,
    NotPermitted,
    Unprocessable,
)
from server.core.services import Services
from server.identity import credentials, repository
from server.identity.auth_service import TokenPair, start_session
from server.identity.models import ClientKind, LaunchToken, UserStatus
from server.patients.models import Patient

LIFETIME = timedelta(minutes=2)
LAUNCH_URL = "rxp-doctor://launch?token={token}"


@dataclass(frozen=True)
class IssuedLaunch:
    token: str
    expires_at: datetime
    expires_in: int

    @property
    def url(self) -> str:
        return LAUNCH_URL.format(token=self.token)


@dataclass(frozen=True)
class Launch:
    tokens: TokenPair
    username: str
    patient_id: uuid.UUID


async def issue(ctx: RequestContext, svc: Services, his: Principal, *, username: str,
                patient_id: uuid.UUID) -> IssuedLaunch:
    """A launch token for `username` on `patient_id`, asked for by an HIS client."""
    if his.kind != "client" or his.attributes.get("client_kind") != ClientKind.HIS:
        raise NotPermitted("只有医院 HIS 可以申请启动令牌")
    assert his.org_id is not None
    ctx.note("auth.launch_token", "staff_user", None, username=username,
             patient_id=str(patient_id), client=his.name)
    # Under the HIS's own scope: another hospital's staff and patients are simply not there.
    user = await repository.user_by_username(ctx.session, username)
    if user is None:
        raise NotFound("本院没有该用户", field="username")
    ctx.note("auth.launch_token", "staff_user", user.id, username=username,
             patient_id=str(patient_id), client=his.name)
    if Role.DOCTOR not in user.roles:
        raise Unprocessable("只有医生可以从 HIS 启动开方工作站", field="username")
    if user.status == UserStatus.FROZEN:
        raise AccountFrozen()
    if await ctx.session.get(Patient, patient_id) is None:
        raise NotFound("本院没有该患者", field="patient_id")
    token = credentials.new_opaque_token()
    now = svc.clock.now()
    ctx.session.add(LaunchToken(
        token_hash=credentials.token_digest(token), client_id=his.id, org_id=his.org_id,
        user_id=user.id, patient_id=patient_id, issued_at=now, expires_at=now + LIFETIME))
    await ctx.session.flush()
    return IssuedLaunch(token, now + LIFETIME, int(LIFETIME.total_seconds()))


async def exchange(ctx: RequestContext, svc: Services, *, launch_token: str) -> Launch:
    """The session a launch token starts, and the patient to open."""
    session = ctx.session
    await scope.system_scope(session)
    now = svc.clock.now()
    ctx.note("auth.launch", "launch_token")
    token = await repository.launch_token_by_digest(session,
                                                    credentials.token_digest(launch_token))
    if token is None:
        raise InvalidCredentials("启动令牌无效，请从 HIS 重新打开")
    user = await repository.user_by_id(session, token.user_id)
    assert user is not None
    ctx.note("auth.launch", "launch_token", token.id, username=user.username,
             patient_id=str(token.patient_id), client_id=str(token.client_id))
    if token.used_at is not None:
        raise InvalidCredentials("启动令牌已使用，请从 HIS 重新打开")
    token.used_at = now
    ctx.commit_on_error = True  # spent even when refused below
    if token.expires_at <= now:
        raise InvalidCredentials("启动令牌已过期，请从 HIS 重新打开")
    hospital = await scope.subtree(session, token.org_id)
    if hospital is not None and user.org_id not in hospital:
        raise NotPermitted("该用户已不属于签发令牌的医院")
    if user.status == UserStatus.FROZEN:
        raise AccountFrozen()
    ctx.commit_on_error = False
    pair = await start_session(ctx, svc, user)
    token.session_id = pair.session_id
    return Launch(pair, user.username, token.patient_id)
