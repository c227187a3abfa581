"""`GET /metrics` for Prometheus. Guarded: with RXP_METRICS_TOKEN set, the scraper must send it
as a bearer token; without it only loopback callers are answered (a Prometheus or agent on the
same host; the reverse proxy does not forward /metrics)."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from server.core.deps import Svc
from server.core.errors import ERROR_RESPONSES, NotAuthenticated, NotPermitted
from server.metrics import exposition, figures

router = APIRouter(tags=["运行状态 health"], responses=ERROR_RESPONSES)


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_access(request: Request, token: str) -> None:
    if token:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise NotAuthenticated("指标接口需要正确的访问令牌（RXP_METRICS_TOKEN）")
        return
    if not _is_loopback(request.client.host if request.client else None):
        raise NotPermitted("未配置 RXP_METRICS_TOKEN 时指标接口只接受本机访问")


@router.get("/metrics", operation_id="metrics", include_in_schema=False)
async def metrics(request: Request, svc: Svc) -> Response:
    _check_access(request, svc.settings.metrics_token)
    found = await figures.collect(svc)
    body = exposition.render(request.app.state.request_metrics, found)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
