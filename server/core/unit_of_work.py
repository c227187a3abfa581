"""One database transaction per request, its audit event, and its idempotent replay.

A pure ASGI middleware: it opens the request's session, lets the app run, holds the response
back until the transaction has committed (a client never sees success for a change that was
lost), and writes the request's audit event as the last statement of that transaction. Failed
requests are rolled back and their audit event is written in a transaction of its own.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.audit import repository as audit_repository
from server.core.context import RequestContext
from server.core.services import Services
from server.events import service as live_events
from server.idempotency import store as idempotency

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_BODY = 10 * 1024 * 1024
# Lengths of the audit_event columns the request's own headers fill.
IP_MAX, WORKSTATION_MAX, REQUEST_ID_MAX = 64, 100, 64


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _json_error(name: str, detail: str) -> bytes:
    return json.dumps({"error": name, "detail": detail}, ensure_ascii=False).encode()


def _nul_error(field: str) -> bytes:
    message = "不允许包含空字符（NUL）"
    return json.dumps({"error": "ValidationFailed", "detail": f"{field}: {message}",
                       "fields": [{"field": field, "message": message, "type": "nul_character"}]},
                      ensure_ascii=False).encode()


def _nul_in(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return where if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return f"{where}.{key.replace(chr(0), '')}"
        found = _nul_in(item, f"{where}.{key}")
        if found:
            return found
    return None


def _field_with_nul(scope: Scope, body: bytes) -> str | None:
    """The first input holding a NUL character, named as validation errors name fields.

    PostgreSQL text cannot hold NUL: such a value would fail deep in a query, or in the audit
    insert of the request, instead of being refused as the bad input it is.
    """
    if "\x00" in scope["path"]:
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" in query or "\x00" in query:
        for name, value in parse_qsl(query, keep_blank_values=True):
            if "\x00" in name + value:
                return f"query.{name.replace(chr(0), '')}"
    if b"\\u0000" in body:  # the only way JSON spells NUL; raw NUL bytes are not JSON
        try:
            return _nul_in(json.loads(body), "body")
        except (ValueError, RecursionError):
            return None  # malformed JSON: the app's own validation answers
    return None


def _outcome(status: int) -> str:
    if status < 400:
        return "success"
    return "denied" if status in (401, 403, 423) else "failure"


class UnitOfWorkMiddleware:
    def __init__(self, app: ASGIApp, services: Services, on_audit_appended: Any = None) -> None:
        self.app = app
        self.services = services
        self.db = services.db
        # Called with (seq, hash) after commit; the checkpoint writer hangs here.
        self.on_audit_appended = on_audit_appended

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        body = b""
        if method in WRITE_METHODS:
            read = await self._read_body(receive)
            if read is None:
                await self._send_plain(send, 413, _json_error("PayloadTooLarge", "请求体过大"))
                return
            body = read
            receive = self._replay_receive(body)

        nul_field = _field_with_nul(scope, body)
        if nul_field is not None:
            await self._send_plain(send, 422, _nul_error(nul_field))
            return

        client = scope.get("client")
        session = self.db.session()
        ctx = RequestContext(
            session=session, method=method, path=scope["path"],
            # The peer as the server sees it. Behind a reverse proxy uvicorn's --proxy-headers
            # puts the real client here, and only for proxies it trusts: a client's own
            # X-Forwarded-For must not decide the address the audit log records.
            ip=client[0][:IP_MAX] if client else None,
            # Headers the caller chooses, cut to what the audit log holds: a long one must not
            # make the audit insert, and with it the request, fail.
            workstation=(_header(scope, b"x-workstation") or "")[:WORKSTATION_MAX] or None,
            request_id=(_header(scope, b"x-request-id") or "")[:REQUEST_ID_MAX]
            or uuid.uuid4().hex,
        )
        key = _header(scope, b"idempotency-key")
        if key and method in WRITE_METHODS:
            ctx.idempotency_key = key[: idempotency.MAX_KEY_LENGTH]
            ctx.request_hash = idempotency.request_hash(
                method, scope["path"], scope.get("query_string", b"").decode("latin-1"), body)
        scope.setdefault("state", {})["ctx"] = ctx

        start: Message | None = None
        chunks: list[bytes] = []
        streaming = False

        async def capture(message: Message) -> None:
            nonlocal start, streaming
            if message["type"] == "http.response.start":
                start = message
                ctype = dict(message.get("headers", ())).get(b"content-type", b"")
                if ctype.startswith(b"text/event-stream"):
                    streaming = True  # event streams manage their own sessions
                    await session.close()
                    await send(message)
            elif streaming:
                await send(message)
            else:
                chunks.append(message.get("body", b""))

        try:
            try:
                await self.app(scope, receive, capture)
            except Exception:
                # Unexpected: the outer error middleware answers 500; the attempt is audited.
                await session.rollback()
                audit = self._audit_fields(ctx, 500)
                if audit and not streaming:
                    try:
                        async with self.db.independent_session() as own:
                            await audit_repository.append(own, audit)
                    except SQLAlchemyError:
                        log.exception("could not audit a failed request")
                raise
            if streaming:
                return
            assert start is not None
            status = int(start["status"])
            payload = b"".join(chunks)
            try:
                status, payload, start = await self._finish(ctx, status, payload, start)
            except SQLAlchemyError:
                log.exception("commit failed on %s %s", method, scope["path"])
                await session.rollback()
                status = 503
                payload = _json_error("ServiceUnavailable", "数据库暂不可用，请稍后重试")
                start = {"type": "http.response.start", "status": status,
                         "headers": [(b"content-type", b"application/json")]}
            headers = [(k, v) for k, v in start.get("headers", ()) if k != b"content-length"]
            headers.append((b"content-length", str(len(payload)).encode()))
            headers.append((b"x-request-id", ctx.request_id.encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": payload})
        finally:
            await session.close()

    async def _finish(self, ctx: RequestContext, status: int, payload: bytes,
                      start: Message) -> tuple[int, bytes, Message]:
        session = ctx.session
        audit = self._audit_fields(ctx, status)
        ctype = dict(start.get("headers", ())).get(b"content-type", b"application/json").decode()
        appended = None
        if status < 400 or ctx.commit_on_error:
            if ctx.idempotency_key and not ctx.replayed and status < 400:
                if not await idempotency.store(session, self.services.cipher, ctx, status, payload,
                                               ctype):
                    # A concurrent twin with the same key committed first: answer as it did.
                    await session.rollback()
                    return await self._stored_answer(ctx, status, payload, start)
            if audit:
                appended = await audit_repository.append(
                    session, audit, also=live_events.take_commit_order_call(session))
            await session.commit()
        else:
            await session.rollback()
            if ctx.idempotency_key and not ctx.replayed:
                twin = await self._stored_answer(ctx, status, payload, start)
                if twin[0] != status or twin[1] != payload:
                    return twin
            if audit:
                async with self.db.independent_session() as own:
                    appended = await audit_repository.append(own, audit)
        if appended is not None and self.on_audit_appended:
            self.on_audit_appended(appended.seq, appended.hash)
        return status, payload, start

    async def _stored_answer(self, ctx: RequestContext, status: int, payload: bytes,
                             start: Message) -> tuple[int, bytes, Message]:
        async with self.db.session() as fresh:
            record = await idempotency.load(fresh, idempotency.principal_key(ctx),
                                            ctx.idempotency_key or "")
        if record is None or record.request_hash != ctx.request_hash:
            return status, payload, start
        body = idempotency.stored_body(self.services.cipher, record)
        replay_start = {"type": "http.response.start", "status": record.status_code,
                        "headers": [(b"content-type", record.content_type.encode()),
                                    (b"idempotent-replayed", b"true")]}
        return record.status_code, body, replay_start

    @staticmethod
    def _audit_fields(ctx: RequestContext, status: int) -> dict[str, Any] | None:
        """The request's audit event, or None when it is not one to record."""
        if ctx.replayed:
            return None
        note = ctx.audit
        must = (ctx.method in WRITE_METHODS or note is not None or status in (401, 403, 423)
                or (status == 404 and ctx.principal is not None))
        if not must:
            return None
        principal = ctx.principal
        summary: dict[str, Any] = dict(note.summary) if note else {}
        if note is None:
            summary["path"] = ctx.path
        return {
            "occurred_at": datetime.now(UTC),
            "actor_kind": principal.kind if principal else None,
            "actor_id": principal.id if principal else None,
            "actor_name": principal.name if principal else summary.get("username"),
            "actor_role": principal.primary_role if principal else None,
            "org_id": principal.org_id if principal else None,
            "ip": ctx.ip,
            "workstation": ctx.workstation,
            "request_id": ctx.request_id,
            "action": note.action if note else f"{ctx.method} {ctx.path}"[:100],
            "entity_type": note.entity_type if note else None,
            "entity_id": note.entity_id if note else None,
            "outcome": _outcome(status),
            "status_code": status,
            "summary": summary,
        }

    @staticmethod
    async def _read_body(receive: Receive) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(parts)

    @staticmethod
    def _replay_receive(body: bytes) -> Receive:
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        return receive

    @staticmethod
    async def _send_plain(send: Send, status: int, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
