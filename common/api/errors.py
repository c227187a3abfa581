"""Client exceptions: one class per error the server names, plus the client's own failures.

Every error response of the server is `{"error": "<ClassName>", "detail": "<Chinese message>",
"field"?: ..., "fields"?: [{"field", "message", "type"}]}` (server/core/errors.py). The class
name is looked up here; a name this client does not know falls back to the class of its HTTP
status, so a newer server still raises something the app handles. Every exception carries a
Chinese `message` fit to show the user, and `field` (the input at fault) when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class FieldProblem:
    """One refused input: `path` as the server names it (`body.lines.0.dose`, `query.q`)."""

    path: str
    message: str
    type: str = ""

    @property
    def name(self) -> str:
        """The path without its location (`lines.0.dose`): what a form field is called."""
        location, _, rest = self.path.partition(".")
        return rest if location in ("body", "query", "path", "header") and rest else self.path


class ApiError(Exception):
    """Base of every error this package raises. `message` is Chinese, for the user."""

    status: int | None = None
    default_message = "请求无法处理"

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 status: int | None = None, field: str | None = None,
                 fields: list[FieldProblem] | None = None, body: dict[str, Any] | None = None,
                 request_id: str | None = None) -> None:
        self.message = message or self.default_message
        self.code = code or type(self).__name__
        if status is not None:
            self.status = status
        self.fields = fields or []
        self.field = field or (self.fields[0].path if self.fields else None)
        self.body = body or {}
        self.request_id = request_id
        super().__init__(self.message)

    def messages_for(self, name: str) -> list[str]:
        """The messages about one input, by full path or by form name (`lines.0.dose`)."""
        return [f.message for f in self.fields if name in (f.path, f.name)]


# -- authentication (401 and the account states the login answers) ---------------------------

class NotAuthenticated(ApiError):
    status = 401
    default_message = "未登录或登录已失效"


class InvalidCredentials(NotAuthenticated):
    default_message = "用户名、密码或动态验证码错误"


class SecondFactorRequired(NotAuthenticated):
    default_message = "请输入动态验证码"


class AccountLocked(NotAuthenticated):
    status = 423
    default_message = "登录失败次数过多，账号已临时锁定"


class AccountFrozen(NotAuthenticated):
    status = 403
    default_message = "账号已被冻结，请联系医院管理员"


class SessionExpired(NotAuthenticated):
    default_message = "会话已过期，请重新登录"


class RefreshTokenReused(SessionExpired):
    default_message = "检测到刷新令牌被重复使用，已注销该会话的全部令牌"


class SessionLocked(NotAuthenticated):
    """Client-side: the workstation was idle too long; the password unlocks it."""

    default_message = "长时间未操作，工作站已锁定，请输入密码解锁"


# -- refusals ----------------------------------------------------------------------------------

class NotPermitted(ApiError):
    status = 403
    default_message = "没有执行此操作的权限"


class NotFound(ApiError):
    status = 404
    default_message = "记录不存在"


class Conflict(ApiError):
    status = 409
    default_message = "操作冲突"


class VersionConflict(Conflict):
    """The record changed since it was read (optimistic locking): reload and redo."""

    default_message = "记录已被他人修改，请刷新后重试"


class InvalidTransition(Conflict):
    default_message = "处方当前状态不允许此操作"


class IdempotencyKeyInProgress(Conflict):
    default_message = "相同幂等键的请求正在处理中"


class ValidationFailed(ApiError):
    """422 (and 400): the input was refused; `fields` lists every input at fault."""

    status = 422
    default_message = "数据校验未通过"


class BadRequest(ValidationFailed):
    status = 400
    default_message = "请求格式不正确"


class IdempotencyKeyReused(ValidationFailed):
    default_message = "该幂等键已用于另一个不同的请求"


class SeparationOfDuties(ValidationFailed):
    default_message = "三权分立：系统管理员、安全管理员、审计管理员不得由同一账号兼任"


class WeakPassword(ValidationFailed):
    default_message = "密码不符合安全策略"


class SignatureInvalid(ValidationFailed):
    default_message = "电子签名验证失败：签名与内容不符，内容可能已被修改"


class NoCertificate(ValidationFailed):
    default_message = "签名人没有有效的签名证书，请联系医院管理员登记"


class SubmissionBlocked(ValidationFailed):
    default_message = "存在禁忌（黑灯）问题，处方不能提交"


class OverrideRequired(ValidationFailed):
    default_message = "存在需要说明理由的警示，请填写继续开具的理由"


class PayloadTooLarge(ApiError):
    status = 413
    default_message = "请求体过大"


class RateLimited(ApiError):
    """429: too many requests; `retry_after` seconds (from the header) when the server says."""

    status = 429
    default_message = "请求过于频繁，请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None,
                 **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


# -- the server could not serve ----------------------------------------------------------------

class ServerUnavailable(ApiError):
    """Connection refused, timeout, or 502/503/504: worth retrying later; the app goes offline.
    `status` is None when no answer came at all."""

    status: int | None = 503
    default_message = "无法连接服务器，请检查网络或稍后重试"


class NoActiveKnowledge(ServerUnavailable):
    default_message = "没有生效的用药知识库，暂不能检查处方"


class ServerError(ApiError):
    """500: a fault of the server (it logged it)."""

    status = 500
    default_message = "服务器内部错误，已记录"


_BY_NAME: dict[str, type[ApiError]] = {cls.__name__: cls for cls in (
    NotAuthenticated, InvalidCredentials, SecondFactorRequired, AccountLocked, AccountFrozen,
    SessionExpired, RefreshTokenReused, NotPermitted, NotFound, Conflict, VersionConflict,
    InvalidTransition, IdempotencyKeyInProgress, ValidationFailed, BadRequest,
    IdempotencyKeyReused, SeparationOfDuties, WeakPassword, SignatureInvalid, NoCertificate,
    SubmissionBlocked, OverrideRequired, PayloadTooLarge, RateLimited, NoActiveKnowledge,
    ServerError,
)}
# The server's own names that differ from the client's class.
_BY_NAME |= {"Unprocessable": ValidationFailed, "ServiceUnavailable": ServerUnavailable,
             "InternalError": ServerError}

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest, 401: NotAuthenticated, 403: NotPermitted, 404: NotFound, 409: Conflict,
    413: PayloadTooLarge, 422: ValidationFailed, 423: AccountLocked, 429: RateLimited,
    500: ServerError, 502: ServerUnavailable, 503: ServerUnavailable, 504: ServerUnavailable,
}


def error_class(code: str | None, status: int) -> type[ApiError]:
    if code and code in _BY_NAME:
        return _BY_NAME[code]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else ApiError


def from_response(response: httpx.Response) -> ApiError:
    """The exception for an error response (status >= 400)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}  # a proxy's HTML page, or nothing: the status decides
    code = body.get("error") if isinstance(body.get("error"), str) else None
    cls = error_class(code, response.status_code)
    if response.status_code in (502, 504) and cls is not ServerUnavailable:
        cls = ServerUnavailable  # a gateway's answer: the server itself was not reached
    detail = body.get("detail")
    fields = [FieldProblem(str(f.get("field", "")), str(f.get("message", "")),
                           str(f.get("type", "")))
              for f in body.get("fields") or () if isinstance(f, dict)]
    field = body.get("field") if isinstance(body.get("field"), str) else None
    kw: dict[str, Any] = {"code": code or cls.__name__, "status": response.status_code,
                          "field": field, "fields": fields, "body": body,
                          "request_id": response.headers.get("x-request-id")}
    message = detail if isinstance(detail, str) and detail else None
    if cls is RateLimited:
        retry_after = response.headers.get("retry-after")
        seconds = float(retry_after) if retry_after and retry_after.isdigit() else None
        return RateLimited(message, retry_after=seconds, **kw)
    return cls(message, **kw)


def unreachable(exc: httpx.TransportError) -> ServerUnavailable:
    """The exception for a request that got no answer (refused, reset, timed out)."""
    if isinstance(exc, httpx.TimeoutException):
        message = "服务器响应超时，请稍后重试"
    elif isinstance(exc, httpx.ConnectError):
        message = "无法连接服务器，请检查网络或稍后重试"
    else:
        message = "与服务器的连接中断，请稍后重试"
    error = ServerUnavailable(message, code="ServerUnavailable")
    error.status = None  # no answer at all, unlike a 503
    return error
