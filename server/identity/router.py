"""HTTP routes of authentication and staff accounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.access.roles import Permission, Role
from server.core.context import Principal
from server.core.deps import Ctx, Offset, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity import auth_service, credentials, launch_service, repository, user_service
from server.identity.dependencies import CurrentPrincipal, anonymous_write, require
from server.identity.schemas import (
    ClientTokenRequest,
    FreezeRequest,
    LaunchRequest,
    LaunchResponse,
    LaunchTokenOut,
    LaunchTokenRequest,
    LoginRequest,
    MeResponse,
    PasswordChange,
    RefreshRequest,
    SecondFactorReset,
    TokenResponse,
    UserCreate,
    UserCreated,
    UserOut,
    UserPage,
    UserUpdate,
)

auth_router = APIRouter(prefix="/auth", tags=["认证 auth"], responses=ERROR_RESPONSES)
users_router = APIRouter(prefix="/users", tags=["用户 users"], responses=ERROR_RESPONSES)


def _tokens(pair: auth_service.TokenPair) -> TokenResponse:
    return TokenResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                         expires_in=pair.expires_in)


@auth_router.post("/login", operation_id="login", response_model=TokenResponse,
                  dependencies=[Depends(anonymous_write)])
async def login(body: LoginRequest, ctx: Ctx, svc: Svc) -> TokenResponse:
    """Staff login: password plus TOTP. Five failures lock the account for 15 minutes."""
    return _tokens(await auth_service.login(ctx, svc, username=body.username,
                                            password=body.password, totp_code=body.totp_code))


@auth_router.post("/refresh", operation_id="refresh_token", response_model=TokenResponse,
                  dependencies=[Depends(anonymous_write)])
async def refresh(body: RefreshRequest, ctx: Ctx, svc: Svc) -> TokenResponse:
    """Rotate the refresh token. Presenting a spent one revokes the whole session."""
    return _tokens(await auth_service.refresh(ctx, svc, refresh_token=body.refresh_token))


@auth_router.post("/token", operation_id="client_token", response_model=TokenResponse,
                  dependencies=[Depends(anonymous_write)])
async def client_token(body: ClientTokenRequest, ctx: Ctx, svc: Svc) -> TokenResponse:
    """Client credentials for integration clients (HIS, regional system, insurance)."""
    return _tokens(await auth_service.client_token(ctx, svc, client_id=body.client_id,
                                                   client_secret=body.client_secret))


@auth_router.post("/launch-tokens", operation_id="issue_launch_token",
                  response_model=LaunchTokenOut, status_code=201)
async def issue_launch_token(body: LaunchTokenRequest, principal: CurrentPrincipal, ctx: Ctx,
                             svc: Svc) -> LaunchTokenOut:
    """HIS only (client credentials): a single-use, 2-minute token that starts the doctor's
    app logged in as `username` on `patient_id`, both of the HIS's own hospital."""
    issued = await launch_service.issue(ctx, svc, principal, username=body.username,
                                        patient_id=body.patient_id)
    return LaunchTokenOut(launch_token=issued.token, launch_url=issued.url,
                          expires_at=issued.expires_at, expires_in=issued.expires_in)


@auth_router.post("/launch", operation_id="launch", response_model=LaunchResponse,
                  dependencies=[Depends(anonymous_write)])
async def launch(body: LaunchRequest, ctx: Ctx, svc: Svc) -> LaunchResponse:
    """The doctor's app exchanges a launch token for a session and the patient to open."""
    done = await launch_service.exchange(ctx, svc, launch_token=body.launch_token)
    pair = done.tokens
    return LaunchResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                          expires_in=pair.expires_in, username=done.username,
                          patient_id=done.patient_id)


@auth_router.post("/logout", operation_id="logout", status_code=204)
async def logout(principal: CurrentPrincipal, ctx: Ctx, svc: Svc) -> None:
    await auth_service.logout(ctx, svc)


@auth_router.get("/me", operation_id="me", response_model=MeResponse)
async def me(principal: CurrentPrincipal) -> MeResponse:
    return MeResponse(kind=principal.kind, id=principal.id, name=principal.name,
                      roles=sorted(principal.roles), permissions=sorted(principal.permissions),
                      org_id=principal.org_id, department_id=principal.department_id)


@auth_router.post("/password", operation_id="change_password", status_code=204)
async def change_password(body: PasswordChange, principal: CurrentPrincipal, ctx: Ctx,
                          svc: Svc) -> None:
    await user_service.change_password(ctx, svc, principal, current_password=body.current_password,
                                       new_password=body.new_password)


ReadUsers = Annotated[Principal, require(Permission.USER_READ)]
ManageUsers = Annotated[Principal, require(Permission.USER_MANAGE)]
FreezeUsers = Annotated[Principal, require(Permission.USER_FREEZE)]
ResetFactor = Annotated[Principal, require(Permission.USER_RESET_SECOND_FACTOR)]


@users_router.get("", operation_id="list_users", response_model=UserPage)
async def list_users(
    principal: ReadUsers, ctx: Ctx,
    org_id: uuid.UUID | None = None, role: Role | None = None,
    q: str | None = Query(None, max_length=64, description="用户名或姓名"),
    limit: int = Query(50, ge=1, le=500), offset: Offset = 0,
) -> UserPage:
    rows, total = await repository.list_users(ctx.session, org_id=org_id, role=role, query=q,
                                              limit=limit, offset=offset)
    return UserPage(items=[UserOut.model_validate(r) for r in rows], total=total)


@users_router.post("", operation_id="create_user", response_model=UserCreated, status_code=201)
async def create_user(body: UserCreate, principal: ManageUsers, ctx: Ctx,
                      svc: Svc) -> UserCreated:
    user, secret = await user_service.create_user(ctx, svc, principal, body)
    return UserCreated(user=UserOut.model_validate(user), totp_secret=secret,
                       totp_uri=credentials.totp_uri(secret, username=user.username,
                                                     issuer=svc.settings.totp_issuer))


@users_router.get("/{user_id}", operation_id="get_user", response_model=UserOut)
async def get_user(user_id: uuid.UUID, principal: ReadUsers, ctx: Ctx) -> UserOut:
    return UserOut.model_validate(await user_service.get_user(ctx, user_id))


@users_router.patch("/{user_id}", operation_id="update_user", response_model=UserOut)
async def update_user(user_id: uuid.UUID, body: UserUpdate, principal: ManageUsers,
                      ctx: Ctx) -> UserOut:
    return UserOut.model_validate(await user_service.update_user(ctx, principal, user_id, body))


@users_router.post("/{user_id}/freeze", operation_id="freeze_user", response_model=UserOut)
async def freeze_user(user_id: uuid.UUID, body: FreezeRequest, principal: FreezeUsers, ctx: Ctx,
                      svc: Svc) -> UserOut:
    """冻结: the user's tokens stop working on their next request."""
    return UserOut.model_validate(await user_service.set_frozen(
        ctx, svc, principal, user_id, frozen=True, reason=body.reason))


@users_router.post("/{user_id}/unfreeze", operation_id="unfreeze_user", response_model=UserOut)
async def unfreeze_user(user_id: uuid.UUID, principal: FreezeUsers, ctx: Ctx,
                        svc: Svc) -> UserOut:
    return UserOut.model_validate(await user_service.set_frozen(
        ctx, svc, principal, user_id, frozen=False, reason=None))


@users_router.post("/{user_id}/second-factor/reset", operation_id="reset_second_factor",
                   response_model=SecondFactorReset)
async def reset_second_factor(user_id: uuid.UUID, principal: ResetFactor, ctx: Ctx,
                              svc: Svc) -> SecondFactorReset:
    user, secret = await user_service.reset_second_factor(ctx, svc, user_id)
    return SecondFactorReset(totp_secret=secret, totp_uri=credentials.totp_uri(
        secret, username=user.username, issuer=svc.settings.totp_issuer))
