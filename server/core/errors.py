"""Error classes of the API and the one handler that renders them.

Every error leaves the server as `{"error": "<ClassName>", "detail": "<Chinese message>", ...}`.
`common/errors.py` maps the class name back to a client exception, so the names are API.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

# What FastAPI says (HTTP 400) when a request body cannot be decoded as JSON at all.
BODY_PARSE_FAILED = "There was an error parsing the body"


class AppError(Exception):
    status_code = 400
    default_detail = "请求无法处理"
    # Response headers the error needs (Retry-After of a 429).
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)

    def body(self) -> dict[str, Any]:
        body = {"error": type(self).__name__, "detail": self.detail, **self.extra}
        field = self.extra.get("field")
        if isinstance(field, str) and "fields" not in body:
            # The same `fields` list a schema validation failure carries, so a client marks the
            # offending input the same way whichever layer refused it.
            body["fields"] = [{"field": field, "message": self.detail, "type": type(self).__name__}]
        return body


class BadRequest(AppError):
    status_code = 400


class NotAuthenticated(AppError):
    status_code = 401
    default_detail = "未登录或登录已失效"


class InvalidCredentials(NotAuthenticated):
    default_detail = "用户名、密码或动态验证码错误"


class SecondFactorRequired(NotAuthenticated):
    default_detail = "请输入动态验证码"


class AccountLocked(NotAuthenticated):
    status_code = 423
    default_detail = "登录失败次数过多，账号已临时锁定"


class AccountFrozen(NotAuthenticated):
    status_code = 403
    default_detail = "账号已被冻结，请联系医院管理员"


class SessionExpired(NotAuthenticated):
    default_detail = "会话已过期，请重新登录"


class RefreshTokenReused(NotAuthenticated):
    default_detail = "检测到刷新令牌被重复使用，已注销该会话的全部令牌"


class NotPermitted(AppError):
    status_code = 403
    default_detail = "没有执行此操作的权限"


class NotFound(AppError):
    status_code = 404
    default_detail = "记录不存在"


class Conflict(AppError):
    status_code = 409
    default_detail = "操作冲突"


class VersionConflict(Conflict):
    default_detail = "记录已被他人修改，请刷新后重试"


class IdempotencyKeyInProgress(Conflict):
    default_detail = "相同幂等键的请求正在处理中"


class Gone(AppError):
    """Something that existed and no longer may be used (an expired one-time code)."""

    status_code = 410
    default_detail = "已失效"


class Unprocessable(AppError):
    status_code = 422
    default_detail = "数据校验未通过"


class IdempotencyKeyReused(Unprocessable):
    default_detail = "该幂等键已用于另一个不同的请求"


class SeparationOfDuties(Unprocessable):
    default_detail = "三权分立：系统管理员、安全管理员、审计管理员不得由同一账号兼任"


class WeakPassword(Unprocessable):
    default_detail = "密码不符合安全策略"


class SignatureInvalid(Unprocessable):
    default_detail = "电子签名验证失败：签名与内容不符，内容可能已被修改"


class NoCertificate(Unprocessable):
    default_detail = "签名人没有有效的签名证书，请联系医院管理员登记"


class RateLimited(AppError):
    """Too many attempts; `Retry-After` (seconds) says when the next one is accepted."""

    status_code = 429
    default_detail = "操作过于频繁，请稍后再试"

    def __init__(self, detail: str | None = None, *, retry_after: int, **extra: Any) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(detail, retry_after=retry_after, **extra)
        self.headers = {"Retry-After": str(retry_after)}


class ServiceUnavailable(AppError):
    status_code = 503
    default_detail = "服务暂不可用"


_FIELD_MESSAGES = {
    "missing": "必填项缺失",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "uuid_parsing": "不是有效的标识",
    "int_parsing": "应为整数",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不允许的字段",
}


def _validation_body(exc: RequestValidationError) -> dict[str, Any]:
    fields = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        kind = str(err.get("type", ""))
        message = _FIELD_MESSAGES.get(kind)
        if kind.startswith("value_error"):
            # Our own validators raise ValueError with a Chinese message already.
            message = str(err.get("msg", "")).removeprefix("Value error, ")
        fields.append({"field": ".".join(loc), "message": message or "取值无效", "type": kind})
    detail = "；".join(f"{f['field']}: {f['message']}" for f in fields) or "请求格式不正确"
    return {"error": "ValidationFailed", "detail": detail, "fields": fields}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def on_app_error(request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_validation_body(exc), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == BODY_PARSE_FAILED:
            # FastAPI's answer to a body json.loads cannot take (bad UTF-8, nesting too deep):
            # the same 422 as any other malformed JSON.
            return JSONResponse({"error": "ValidationFailed", "detail": "body: 不是有效的 JSON",
                                 "fields": [{"field": "body", "message": "不是有效的 JSON",
                                             "type": "json_invalid"}]}, 422)
        names = {404: "NotFound", 405: "MethodNotAllowed", 401: "NotAuthenticated"}
        detail = {404: "接口不存在", 405: "不支持的请求方法"}.get(exc.status_code, str(exc.detail))
        return JSONResponse(
            {"error": names.get(exc.status_code, "HTTPError"), "detail": detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(StaleDataError)
    async def on_stale(request: Request, exc: StaleDataError) -> JSONResponse:
        # An UPDATE ... WHERE version = n found no row: another writer got there first.
        error = VersionConflict()
        return JSONResponse(error.body(), status_code=error.status_code)

    @app.exception_handler(IntegrityError)
    async def on_integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A constraint the service did not check first (or a concurrent twin won the race).
        log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        body = {"error": "Conflict", "detail": "数据与现有记录冲突，请刷新后重试"}
        return JSONResponse(body, 409)

    @app.exception_handler(DBAPIError)
    async def on_database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if getattr(exc.orig, "sqlstate", None) == "42501":  # row-level security / grants
            return JSONResponse(NotPermitted().body(), 403)
        if isinstance(exc, DataError):
            # A value the database cannot take (out of range, malformed) that no schema bound
            # caught: bad input, not a fault of the server.
            log.info("data error on %s %s: %s", request.method, request.url.path, exc.orig)
            return JSONResponse({"error": "ValidationFailed", "detail": "取值超出范围或格式不正确",
                                 "fields": []}, 422)
        if isinstance(exc, OperationalError):
            log.warning("database unavailable on %s %s", request.method, request.url.path)
            return JSONResponse(ServiceUnavailable("数据库暂不可用，请稍后重试").body(), 503)
        log.exception("database error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "InternalError", "detail": "服务器内部错误，已记录"}, 500)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "InternalError", "detail": "服务器内部错误，已记录"}, 500)


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class ErrorBody(BaseModel):
    """The shape of every error response."""

    error: str
    detail: str
    # The one input a business rule refused (also listed in `fields`).
    field: str | None = None
    fields: list[FieldError] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": desc}
    for code, desc in ((400, "请求错误"), (401, "未登录"), (403, "无权限"), (404, "不存在"),
                       (409, "冲突"), (422, "校验失败"))
}
