"""HTTP routes of live events: the server-sent-event stream, and a polling twin of it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES, Unprocessable
from server.events import service
from server.events.hub import EventHub
from server.events.schemas import LiveEventOut, LiveEventPage
from server.events.stream import event_stream
from server.identity.dependencies import CurrentPrincipal
from server.identity.tokens import read_access_token

router = APIRouter(prefix="/events", tags=["实时事件 events"], responses=ERROR_RESPONSES)

EventId = Annotated[int | None, Query(ge=0, le=2**63 - 1)]


def _last_event_id(header: str | None, query: int | None) -> int | None:
    if header is None or not header.strip():
        return query
    try:
        value = int(header.strip())
    except ValueError:
        value = -1
    if not 0 <= value < 2**63:
        raise Unprocessable("Last-Event-ID 应为事件编号（非负整数）", field="Last-Event-ID")
    return value


@router.get("/stream", operation_id="event_stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "server-sent events"}})
async def stream(request: Request, principal: CurrentPrincipal, svc: Svc,
                 last_event_id: EventId = None,
                 last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
                 ) -> StreamingResponse:
    """实时事件流（SSE）。先补发 Last-Event-ID（或 `?last_event_id=`）之后的全部可见事件，
    再推送新事件；每 15 秒一行心跳注释。访问令牌到期时以 `session-expired` 事件结束，
    客户端用新令牌和最后的事件编号重新连接即可，不会漏掉事件。事件保留
    `RXP_LIVE_EVENT_RETENTION_DAYS` 天（默认 7 天）：若 Last-Event-ID 之后已有事件被清理，
    先发送一条 `resync` 事件（编号为已清理到的位置），客户端应重新加载所显示的数据，
    随后推送该位置之后的事件。"""
    after = _last_event_id(last_event_id_header, last_event_id)
    hub: EventHub = request.app.state.event_hub
    expires_at = None
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        expires_at = read_access_token(svc.keys.token_key, authorization[7:].strip(),
                                       now=svc.clock.now()).expires_at
    return StreamingResponse(
        event_stream(principal, hub=hub, db=svc.db, last_event_id=after, expires_at=expires_at,
                     now=svc.clock.now),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("", operation_id="list_events", response_model=LiveEventPage)
async def list_events(principal: CurrentPrincipal, ctx: Ctx,
                      after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> LiveEventPage:
    """轮询：编号大于 `after` 的可见事件，按编号升序；与事件流同一套访问规则。若 `after`
    之后已有事件被清理（保留 `RXP_LIVE_EVENT_RETENTION_DAYS` 天），`resync` 为 true：
    客户端应重新加载所显示的数据，返回的事件从已清理到的位置之后开始。"""
    horizon = await service.horizon(ctx.session)
    start = max(after, horizon)
    records = await service.visible_after(ctx.session, principal, after=start, limit=limit)
    return LiveEventPage(items=[LiveEventOut(**r.as_json()) for r in records],
                         last_id=records[-1].id if records else start, resync=horizon > after)
