"""The authentication dependencies routes declare: `CurrentPrincipal`, `Require(...)`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import NotPermitted
from server.idempotency.store import replay_if_stored
from server.identity.auth_service import authenticate

_bearer = HTTPBearer(auto_error=False, description="登录或客户端凭据换取的访问令牌")


async def any_principal(
    ctx: Ctx, svc: Svc,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Whoever the token belongs to, staff, client or verified patient. Patient routes build
    on it (server/patient_access/dependencies.py); staff routes use CurrentPrincipal."""
    principal = await authenticate(ctx, svc, credentials.credentials if credentials else None)
    # A retried write is answered from the store once we know whose key it is.
    await replay_if_stored(ctx, svc.cipher)
    return principal


AnyPrincipal = Annotated[Principal, Depends(any_principal)]


async def current_principal(principal: AnyPrincipal) -> Principal:
    """A staff user or an integration client. A patient's token opens the patient routes only:
    refusing it here keeps every staff route closed to it, whatever permission it checks."""
    if principal.kind == "patient":
        raise NotPermitted("患者身份凭证只能用于患者服务，不能访问工作人员接口")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def anonymous_write(ctx: Ctx, svc: Svc) -> None:
    """For the few unauthenticated writes (login, refresh): idempotent replay as anonymous."""
    await replay_if_stored(ctx, svc.cipher)


def require(permission: str) -> Any:
    """A dependency that yields the principal if it holds `permission`, else 403."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):
            raise NotPermitted(f"没有权限：{permission}", permission=permission)
        return principal

    return Depends(check)
