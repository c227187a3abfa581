"""Authentication: login with password and TOTP, refresh rotation, client credentials, and
turning a bearer token into a Principal on every request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from server.access import scope
from server.access.roles import client_permissions, permissions_for
from server.core.context import Principal, RequestContext
from server.core.errors import (
    AccountFrozen,
    AccountLocked,
    InvalidCredentials,
    NotAuthenticated,
    RefreshTokenReused,
    SecondFactorRequired,
    SessionExpired,
)
from server.core.services import Services
from server.identity import credentials, repository
from server.identity.models import AuthSession, RefreshToken, StaffUser, UserStatus
from server.identity.tokens import issue_access_token, read_access_token
from server.patient_access.principal import TOKEN_KIND as PATIENT_TOKEN
from server.patient_access.principal import patient_principal

TOTP_CONTEXT = "staff_user.totp_secret"
# last_seen_at is written at most this often: an idle timeout of minutes does not need a write
# on every request.
LAST_SEEN_GRANULARITY = timedelta(seconds=30)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str | None
    expires_in: int
    session_id: uuid.UUID | None


def _access(svc: Services, *, subject: uuid.UUID, kind: str,
            session_id: uuid.UUID | None) -> tuple[str, int]:
    lifetime = timedelta(minutes=svc.settings.access_token_minutes)
    token = issue_access_token(svc.keys.token_key, subject=subject, kind=kind,
                               session_id=session_id, now=svc.clock.now(), lifetime=lifetime)
    return token, int(lifetime.total_seconds())


def _new_refresh(ctx: RequestContext, svc: Services, session_id: uuid.UUID) -> str:
    token = credentials.new_opaque_token()
    ctx.session.add(RefreshToken(session_id=session_id, token_hash=credentials.token_digest(token),
                                 issued_at=svc.clock.now()))
    return token


async def login(ctx: RequestContext, svc: Services, *, username: str, password: str,
                totp_code: str | None) -> TokenPair:
    session = ctx.session
    await scope.system_scope(session)
    now = svc.clock.now()
    ctx.note("auth.login", "staff_user", None, username=username)
    # Locked for the transaction: concurrent attempts on one account queue up, so each failure
    # is counted (without it, parallel guesses lose their increments and slip past the lockout).
    user = await repository.user_by_username(session, username, for_update=True)
    password_ok = await credentials.verify_password_off_loop(
        user.password_hash if user else None, password)
    if user is None:
        raise InvalidCredentials()
    ctx.note("auth.login", "staff_user", user.id, username=username)
    if user.locked_until and user.locked_until > now:
        raise AccountLocked(f"登录失败次数过多，账号已锁定至 {user.locked_until:%H:%M}（UTC）",
                            locked_until=user.locked_until.isoformat())
    if user.status == UserStatus.FROZEN:
        raise AccountFrozen()
    secret = (svc.cipher.decrypt(user.totp_secret_enc, context=TOTP_CONTEXT)
              if user.totp_secret_enc else None)
    if password_ok and secret and not totp_code:
        # Password right, factor missing: tell the app to ask for it; not a failed attempt.
        raise SecondFactorRequired()
    step = credentials.totp_step(secret, totp_code or "", at=now.timestamp()) if secret else None
    # A code is good once: a replayed (observed, phished) code within its window is refused.
    factor_ok = secret is None or (step is not None and step > (user.totp_last_step or -1))
    if not (password_ok and factor_ok):
        user.failed_logins += 1
        reason = "wrong_password" if not password_ok else "wrong_totp"
        if user.failed_logins >= svc.settings.max_failed_logins:
            user.locked_until = now + timedelta(minutes=svc.settings.lockout_minutes)
            user.failed_logins = 0
            ctx.note("auth.lockout", "staff_user", user.id, username=username, reason=reason)
        else:
            ctx.note("auth.login", "staff_user", user.id, username=username, reason=reason)
        ctx.commit_on_error = True  # the counter must survive the 401
        raise InvalidCredentials()
    user.failed_logins = 0
    user.locked_until = None
    if step is not None:
        user.totp_last_step = step
    return await start_session(ctx, svc, user)


async def start_session(ctx: RequestContext, svc: Services, user: StaffUser) -> TokenPair:
    """A new login session of `user` (who has proved who they are) and its first tokens."""
    now = svc.clock.now()
    auth_session = AuthSession(
        user_id=user.id, created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=svc.settings.refresh_token_hours),
        ip=ctx.ip, workstation=ctx.workstation)
    ctx.session.add(auth_session)
    await ctx.session.flush()
    refresh = _new_refresh(ctx, svc, auth_session.id)
    access, expires_in = _access(svc, subject=user.id, kind="user", session_id=auth_session.id)
    ctx.principal = await _user_principal(ctx, user, auth_session.id)
    return TokenPair(access, refresh, expires_in, auth_session.id)


async def refresh(ctx: RequestContext, svc: Services, *, refresh_token: str) -> TokenPair:
    """Rotate: the presented token is spent and a new one issued. A spent token presented again
    means it was stolen (or the client is confused): the whole session is revoked."""
    session = ctx.session
    await scope.system_scope(session)
    now = svc.clock.now()
    ctx.note("auth.refresh", "auth_session")
    token = await repository.refresh_by_digest(session, credentials.token_digest(refresh_token))
    if token is None:
        raise SessionExpired("刷新令牌无效")
    found = await repository.session_with_user(session, token.session_id)
    assert found is not None
    auth_session, user = found
    ctx.note("auth.refresh", "auth_session", auth_session.id, username=user.username)
    if token.used_at is not None:
        await repository.revoke_sessions(session, session_id=auth_session.id, now=now,
                                         reason="refresh_token_reuse")
        ctx.note("auth.refresh_reuse", "auth_session", auth_session.id, username=user.username)
        ctx.commit_on_error = True
        raise RefreshTokenReused()
    _check_session(svc, auth_session, user)
    token.used_at = now
    auth_session.last_seen_at = now
    new_refresh = _new_refresh(ctx, svc, auth_session.id)
    access, expires_in = _access(svc, subject=user.id, kind="user", session_id=auth_session.id)
    ctx.principal = await _user_principal(ctx, user, auth_session.id)
    return TokenPair(access, new_refresh, expires_in, auth_session.id)


async def logout(ctx: RequestContext, svc: Services) -> None:
    assert ctx.principal is not None
    ctx.note("auth.logout", "auth_session", ctx.principal.session_id)
    if ctx.principal.session_id:
        await repository.revoke_sessions(ctx.session, session_id=ctx.principal.session_id,
                                         now=svc.clock.now(), reason="logout")


async def client_token(ctx: RequestContext, svc: Services, *, client_id: str,
                       client_secret: str) -> TokenPair:
    await scope.system_scope(ctx.session)
    ctx.note("auth.client_token", "integration_client", None, client_id=client_id)
    client = await repository.client_by_client_id(ctx.session, client_id)
    ok = await credentials.verify_password_off_loop(client.secret_hash if client else None,
                                                   client_secret)
    if client is None or not ok or client.status != UserStatus.ACTIVE:
        raise InvalidCredentials("客户端凭据无效")
    access, expires_in = _access(svc, subject=client.id, kind="client", session_id=None)
    return TokenPair(access, None, expires_in, None)


def _check_session(svc: Services, auth_session: AuthSession, user: StaffUser) -> None:
    now = svc.clock.now()
    if user.status == UserStatus.FROZEN:
        raise AccountFrozen()
    if auth_session.revoked_at is not None:
        raise SessionExpired("会话已注销，请重新登录")
    if auth_session.expires_at <= now:
        raise SessionExpired()
    idle = timedelta(minutes=svc.settings.idle_timeout_minutes)
    if auth_session.last_seen_at + idle <= now:
        raise SessionExpired("长时间未操作，会话已超时，请重新登录")


async def _user_principal(ctx: RequestContext, user: StaffUser,
                          session_id: uuid.UUID | None) -> Principal:
    return _principal_of(user, session_id, await scope.subtree(ctx.session, user.org_id))


def _principal_of(user: StaffUser, session_id: uuid.UUID | None,
                  visible: frozenset[uuid.UUID] | None) -> Principal:
    return Principal(
        kind="user", id=user.id, name=user.display_name, roles=frozenset(user.roles),
        permissions=permissions_for(user.roles), org_id=user.org_id,
        department_id=user.department_id,
        visible_org_ids=visible, session_id=session_id,
        attributes={"username": user.username, "title": user.professional_title,
                    "pharmacist_level": user.pharmacist_level},
    )


async def authenticate(ctx: RequestContext, svc: Services, bearer: str | None) -> Principal:
    if not bearer:
        raise NotAuthenticated()
    now = svc.clock.now()
    claims = read_access_token(svc.keys.token_key, bearer, now=now)
    session = ctx.session
    await scope.system_scope(session)
    if claims.kind == "client":
        client = await session.get(repository.IntegrationClient, claims.subject)
        if client is None or client.status != UserStatus.ACTIVE:
            raise SessionExpired("客户端已停用")
        principal = Principal(kind="client", id=client.id, name=client.name,
                              roles=frozenset({f"client:{client.kind}"}),
                              permissions=client_permissions(client.kind),
                              org_id=client.org_id,
                              visible_org_ids=await scope.subtree(session, client.org_id),
                              attributes={"client_kind": client.kind,
                                          "client_id": client.client_id})
    elif claims.kind == PATIENT_TOKEN:
        # A verified patient (server/patient_access): the proof's session must still stand.
        principal = await patient_principal(session, svc, claims)
    else:
        found = await repository.session_user_scope(session,
                                                    claims.session_id or uuid.UUID(int=0))
        if found is None or found[1].id != claims.subject:
            raise SessionExpired("会话不存在")
        auth_session, user, visible = found
        _check_session(svc, auth_session, user)
        if now - auth_session.last_seen_at >= LAST_SEEN_GRANULARITY:
            await repository.touch_session(session, auth_session.id, now=now,
                                           seen_by=now - LAST_SEEN_GRANULARITY)
        principal = _principal_of(user, auth_session.id, visible)
    ctx.principal = principal
    await scope.apply(session, principal)
    return principal
