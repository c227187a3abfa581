"""The FHIR API as an application of its own, mounted at /fhir: its routes, and error handlers
that answer every failure with an OperationOutcome (never the platform's own error JSON).

It runs inside the main app's middleware (one transaction per request, the audit event,
idempotent replay), so a FHIR request is audited and committed like any other.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.core.errors import AppError
from server.core.services import Services
from server.fhir.outcome import (
    MEDIA_TYPE,
    app_error_issues,
    issue,
    outcome,
    outcome_response,
)
from server.fhir.router import router
from server.idempotency.store import StoredResponse

log = logging.getLogger(__name__)

PREFIX = "/fhir"


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("query", "path", "header"):
        return ".".join(parts[1:]) or parts[0]
    return ".".join(parts)


def build_fhir_app(services: Services) -> FastAPI:
    fhir = FastAPI(title="处方流转平台 FHIR R4 API", version="4.0.1",
                   description="HIS 与区域慢病管理系统的 FHIR R4 接口（客户端凭据）。"
                               "所有错误均返回 OperationOutcome。",
                   openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    fhir.state.services = services

    @fhir.exception_handler(AppError)
    async def on_app_error(request: Request, exc: AppError) -> Response:
        return outcome_response(exc.status_code, app_error_issues(exc), headers=exc.headers)

    @fhir.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        issues = [issue(f"{_location(e.get('loc', ()))}: {e.get('msg', '取值无效')}", status=400,
                        expression=[_location(e.get("loc", ()))]) for e in exc.errors()]
        return outcome_response(400, issues or [issue("请求格式不正确", status=400)])

    @fhir.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = {404: "接口不存在", 405: "不支持的请求方法"}.get(exc.status_code, str(exc.detail))
        return outcome_response(exc.status_code, [issue(detail, status=exc.status_code)],
                                headers=getattr(exc, "headers", None))

    @fhir.exception_handler(StaleDataError)
    async def on_stale(request: Request, exc: StaleDataError) -> Response:
        return outcome_response(409, [issue("记录已被他人修改，请刷新后重试", status=409)])

    @fhir.exception_handler(IntegrityError)
    async def on_integrity(request: Request, exc: IntegrityError) -> Response:
        log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        return outcome_response(409, [issue("数据与现有记录冲突，请刷新后重试", status=409,
                                            code="duplicate")])

    @fhir.exception_handler(DBAPIError)
    async def on_database(request: Request, exc: DBAPIError) -> Response:
        if getattr(exc.orig, "sqlstate", None) == "42501":
            return outcome_response(403, [issue("没有执行此操作的权限", status=403)])
        if isinstance(exc, DataError):
            return outcome_response(400, [issue("取值超出范围或格式不正确", status=400)])
        if isinstance(exc, OperationalError):
            return outcome_response(503, [issue("数据库暂不可用，请稍后重试", status=503)])
        log.exception("database error on %s %s", request.method, request.url.path)
        return outcome_response(500, [issue("服务器内部错误，已记录", status=500)])

    @fhir.exception_handler(StoredResponse)
    async def on_stored(request: Request, exc: StoredResponse) -> Response:
        return Response(exc.body, status_code=exc.status_code, media_type=exc.content_type,
                        headers={"Idempotent-Replayed": "true"})

    fhir.include_router(router)
    fhir.add_middleware(UnexpectedErrors)
    return fhir


class UnexpectedErrors:
    """An exception no handler took becomes a 500 OperationOutcome here, inside the FHIR app:
    Starlette's own last-resort handler would answer with plain text after re-raising."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if started or scope["type"] != "http":
                raise
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            body = json.dumps(outcome([issue("服务器内部错误，已记录", status=500)]),
                              ensure_ascii=False).encode()
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", MEDIA_TYPE.encode())]})
            await send({"type": "http.response.body", "body": body})


class PlatformErrorsAsOutcome:
    """Errors the platform's middleware answers before the FHIR app runs (a body too large, a
    NUL character, a failed commit) carry the platform's error JSON; under /fhir they leave as
    an OperationOutcome. Added outside the unit-of-work middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        held: Message | None = None

        async def translate(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers", ())).get(b"content-type", b"")
                if message["status"] >= 400 and ctype.startswith(b"application/json"):
                    held = message
                    return
                await send(message)
            elif held is not None:
                status = int(held["status"])
                body = _as_outcome(status, message.get("body", b""))
                headers = [(k, v) for k, v in held.get("headers", ())
                           if k not in (b"content-length", b"content-type")]
                headers += [(b"content-type", MEDIA_TYPE.encode()),
                            (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": status,
                            "headers": headers})
                await send({"type": "http.response.body", "body": body})
            else:
                await send(message)

        await self.app(scope, receive, translate)


def _as_outcome(status: int, body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    detail = str(data.get("detail") or "请求无法处理") if isinstance(data, dict) else "请求无法处理"
    fields = data.get("fields") if isinstance(data, dict) else None
    expression = [str(f["field"]) for f in fields or () if isinstance(f, dict) and "field" in f]
    return json.dumps(outcome([issue(detail, status=status, expression=expression or None)]),
                      ensure_ascii=False).encode()


def mount(app: FastAPI, services: Services) -> None:
    """The FHIR API under /fhir of `app`."""
    app.mount(PREFIX, build_fhir_app(services))
