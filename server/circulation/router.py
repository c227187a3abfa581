"""Trace, statistics and the carriers' side of circulation."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import scope
from server.access.roles import Permission
from server.circulation import carrier as carriers
from server.circulation import delivery, repository, statistics, trace
from server.circulation.schemas import TraceOut, TrackingEventIn
from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES, NotAuthenticated, NotFound, Unprocessable
from server.core.services import Services
from server.identity.dependencies import require

router = APIRouter(tags=["追溯与统计 trace & statistics"], responses=ERROR_RESPONSES)
carrier_router = APIRouter(prefix="/carriers", tags=["物流 carriers"], responses=ERROR_RESPONSES)
Tracer = Annotated[Principal, require(Permission.TRACE_READ)]
Stats = Annotated[Principal, require(Permission.STATISTICS_READ)]
Format = Annotated[Literal["json", "pdf"], Query(description="json（默认）或 pdf（可打印）")]


def _answer(out: TraceOut, format: str) -> TraceOut | Response:
    if format == "pdf":
        return Response(trace.render_pdf(out), media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="trace-{out.prescription_number}.pdf"'})
    return out


@router.get("/prescriptions/{prescription_id}/trace", operation_id="prescription_trace",
            response_model=TraceOut)
async def prescription_trace(prescription_id: uuid.UUID, actor: Tracer, ctx: Ctx,
                             format: Format = "json") -> Any:
    """The full trace of a prescription: every node with operator, organisation, workstation,
    time and data."""
    return _answer(await trace.trace_of_prescription(ctx, actor, prescription_id), format)


@router.get("/trace-codes/{code}/trace", operation_id="trace_code_trace",
            response_model=TraceOut)
async def code_trace(code: str, actor: Tracer, ctx: Ctx, format: Format = "json") -> Any:
    """The trace of one package by its traceability code."""
    return _answer(await trace.trace_of_code(ctx, actor, code), format)


# Figures start with the platform; a moment centuries back would overflow the arithmetic below.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _period(since: datetime | None, until: datetime | None,
            svc: Services) -> tuple[datetime, datetime]:
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment < EARLIEST:
            raise Unprocessable("统计时间不能早于 2000-01-01", field=name)
    until = until or svc.clock.now()
    since = since or until - timedelta(days=30)
    if since >= until:
        raise Unprocessable("开始时间须早于结束时间", field="since")
    if until - since > timedelta(days=3660):
        raise Unprocessable("统计区间不能超过 10 年", field="since")
    return since, until


async def _on_replica(svc: Services, actor: Principal,
                      fetch: Callable[[AsyncSession], Awaitable[list[dict[str, Any]]]],
                      ) -> tuple[list[dict[str, Any]], str]:
    """Figures read on a replica when one answers, scoped to what `actor` may see."""
    async with svc.db.read_session() as (session, source):
        await scope.apply(session, actor)
        return await fetch(session), source


@router.get("/statistics/prescriptions", operation_id="statistics_prescriptions")
async def prescription_statistics(
    actor: Stats, svc: Svc, group_by: statistics.PrescriptionGrouping,
    since: AwareDatetime | None = None, until: AwareDatetime | None = None,
) -> dict[str, Any]:
    """Prescriptions and amounts by doctor, department, drug class, pharmacy, day or month."""
    since, until = _period(since, until, svc)
    rows, source = await _on_replica(svc, actor, lambda session: statistics.prescriptions(
        session, group_by=group_by, since=since, until=until))
    return {"group_by": group_by, "since": since, "until": until, "rows": rows,
            "served_by": source}


@router.get("/statistics/reviews", operation_id="statistics_reviews")
async def review_statistics(
    actor: Stats, svc: Svc, group_by: statistics.ReviewGrouping,
    since: AwareDatetime | None = None, until: AwareDatetime | None = None,
) -> dict[str, Any]:
    """Review approval, rejection and error rates and times to decision."""
    since, until = _period(since, until, svc)
    rows, source = await _on_replica(svc, actor, lambda session: statistics.reviews(
        session, group_by=group_by, since=since, until=until))
    return {"group_by": group_by, "since": since, "until": until, "rows": rows,
            "served_by": source}


@router.get("/statistics/fulfilment", operation_id="statistics_fulfilment")
async def fulfilment_statistics(actor: Stats, svc: Svc, since: AwareDatetime | None = None,
                                until: AwareDatetime | None = None) -> dict[str, Any]:
    """Fulfilment per delivery mode: orders, acceptance time, time to the patient's hands."""
    since, until = _period(since, until, svc)
    rows, source = await _on_replica(svc, actor, lambda session: statistics.fulfilment(
        session, since=since, until=until))
    return {"since": since, "until": until, "rows": rows, "served_by": source}


# -- carriers ---------------------------------------------------------------------------------

def webhook_secret(svc: Services) -> bytes:
    configured = svc.settings.carrier_webhook_secret
    if configured:
        return configured.encode()
    return hmac.new(svc.keys.token_key, b"rxp carrier webhook", hashlib.sha256).digest()


CarrierCode = Annotated[str, Path(max_length=30, pattern=r"^[a-z0-9_-]+$")]


@carrier_router.post("/{carrier_code}/events", operation_id="carrier_tracking_event")
async def tracking_event(carrier_code: CarrierCode, request: Request, ctx: Ctx, svc: Svc,
                         x_carrier_signature: Annotated[str | None, Header()] = None,
                         ) -> dict[str, Any]:
    """A carrier pushes a tracking event, signed (HMAC-SHA256 of the body, hex, in
    `X-Carrier-Signature`). A repeated event is acknowledged and changes nothing."""
    body = await request.body()
    if not carriers.signature_ok(webhook_secret(svc), body, x_carrier_signature):
        ctx.note("carrier.event_refused", "carrier", carrier_code, security_event=True)
        raise NotAuthenticated("物流事件签名无效")
    try:
        event = TrackingEventIn.model_validate_json(body)
    except ValidationError as exc:
        fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                  for e in exc.errors()]
        raise Unprocessable("物流事件格式无效", fields=fields) from None
    await scope.system_scope(ctx.session)
    new = await delivery.tracking_event(ctx, svc, delivery.TrackingUpdate(
        carrier_code=carrier_code, tracking_number=event.tracking_number,
        event_id=event.event_id, code=event.code, occurred_at=event.occurred_at,
        location=event.location))
    return {"accepted": True, "duplicate": not new}


@carrier_router.post("/sim/{tracking_number}/advance", operation_id="carrier_sandbox_advance")
async def sandbox_advance(tracking_number: str, ctx: Ctx, svc: Svc) -> dict[str, Any]:
    """The simulated carrier moves the parcel one step on (揽收 -> 运输中 -> 派送中 -> 签收) and
    pushes the event through the same path as a real carrier's. Only with `sim://`."""
    if not svc.settings.carrier_url.startswith("sim://"):
        raise NotFound("模拟快递未启用")
    await scope.system_scope(ctx.session)
    order = await repository.by_tracking_number(ctx.session, "sim", tracking_number)
    if order is None:
        raise NotFound("没有这个运单号")
    seen = {e.code for e in await repository.events(ctx.session, [order.id])}
    code = next((c for c in carriers.SIM_SEQUENCE if c not in seen), None)
    if code is None:
        return {"tracking_number": tracking_number, "code": None, "done": True}
    await delivery.tracking_event(ctx, svc, delivery.TrackingUpdate(
        carrier_code="sim", tracking_number=tracking_number,
        event_id=f"{tracking_number}-{code}", code=code,
        occurred_at=svc.clock.now().astimezone(UTC), location="滨江市"))
    return {"tracking_number": tracking_number, "code": code,
            "done": code == carriers.SIM_SEQUENCE[-1]}


def signed_event(svc: Services, event: dict[str, Any]) -> tuple[bytes, str]:
    """A carrier event body and its signature (for tests and tools acting as a carrier)."""
    body = json.dumps(event, ensure_ascii=False, default=str).encode()
    return body, carriers.event_signature(webhook_secret(svc), body)
