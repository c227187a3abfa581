"""The pharmacy counter's API: the order inbox, accepting or returning, scanning every
package's traceability code, completing with a checker, dispatch, pickup handover, counter
payments, queue calls and the day summary."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.catalogue.service import CHINA, business_day
from server.circulation import common, delivery, dispensing, ordering, repository, views
from server.circulation.models import OrderState
from server.circulation.schemas import (
    CalledOut,
    CompleteIn,
    DaySummaryOut,
    HandoverIn,
    OfflinePaymentIn,
    OrderOut,
    OrderSummary,
    PackageOut,
    ReasonIn,
    ScanIn,
)
from server.core.context import Principal
from server.core.deps import Ctx, Offset, QueryDate, Svc
from server.core.errors import ERROR_RESPONSES, NotFound, Unprocessable
from server.identity.dependencies import require
from server.pharmacies.delivery import DeliveryMode
from server.prescriptions import repository as rx_repository

router = APIRouter(prefix="/pharmacy", tags=["药店 pharmacy"], responses=ERROR_RESPONSES)
Staff = Annotated[Principal, require(Permission.ORDER_FULFIL)]


async def _out(ctx: Ctx, svc: Svc, actor: Principal, order_id: uuid.UUID) -> OrderOut:
    order = await common.order_for_pharmacy(ctx, actor, order_id)
    rx = await common.prescription_of(ctx, order)
    return await views.order_out(ctx.session, svc, order, rx, viewer="pharmacy")


@router.get("/orders", operation_id="pharmacy_inbox")
async def inbox(actor: Staff, ctx: Ctx, offset: Offset = 0,
                state: Annotated[list[OrderState] | None, Query()] = None,
                limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[OrderSummary]:
    """The store's orders, newest first (default: the live ones)."""
    common.require_pharmacy_staff(actor)
    assert actor.org_id is not None
    states = [s.value for s in state] if state else [OrderState.ACTIVE.value]
    orders = await repository.inbox(ctx.session, actor.org_id, states=states, limit=limit,
                                    offset=offset)
    out = []
    for order in orders:
        await common.widen_to(ctx, actor, order.org_id)
        rx = await rx_repository.get(ctx.session, order.prescription_id)
        out.append(views.order_summary(order, rx.number if rx else "", rx.status if rx else ""))
    return out


@router.get("/orders/{order_id}", operation_id="pharmacy_order")
async def order(order_id: uuid.UUID, actor: Staff, ctx: Ctx, svc: Svc) -> OrderOut:
    """The picking list: lines, scanned packages, the patient (masked), delivery details.
    A courier order's address comes in full (the store ships the parcel): that read is
    audited, as every full view of personal data is."""
    common.require_pharmacy_staff(actor)
    out = await _out(ctx, svc, actor, order_id)
    if out.mode == DeliveryMode.COURIER and out.address:
        ctx.note("pharmacy.order.read_shipping_address", "circulation_order", order_id)
    return out


@router.post("/orders/{order_id}/accept", operation_id="pharmacy_accept")
async def accept(order_id: uuid.UUID, actor: Staff, ctx: Ctx, svc: Svc) -> OrderOut:
    await ordering.accept(ctx, svc, actor, order_id)
    return await _out(ctx, svc, actor, order_id)


@router.post("/orders/{order_id}/return", operation_id="pharmacy_return")
async def give_back(order_id: uuid.UUID, body: ReasonIn, actor: Staff, ctx: Ctx,
                    svc: Svc) -> OrderOut:
    """Return the order with a reason: the lock is released and the patient chooses again."""
    await ordering.give_back(ctx, svc, actor, order_id, body.reason)
    return await _out(ctx, svc, actor, order_id)


@router.post("/orders/{order_id}/packages", operation_id="pharmacy_scan", status_code=201)
async def scan(order_id: uuid.UUID, body: ScanIn, actor: Staff, ctx: Ctx,
               svc: Svc) -> PackageOut:
    """One package scanned: its traceability code, batch and expiry (prefilled from GS1)."""
    package = await dispensing.scan(ctx, svc, actor, order_id, dispensing.Scan(
        code=body.code, line_id=body.line_id, batch=body.batch, expiry=body.expiry))
    return PackageOut(id=package.id, line_id=package.order_line_id,
                      trace_code=package.trace_code, code_format=package.code_format,
                      batch=package.batch, expiry=package.expiry,
                      scanned_by=package.scanned_by, scanned_at=package.scanned_at)


@router.delete("/orders/{order_id}/packages/{package_id}", operation_id="pharmacy_unscan",
               status_code=204)
async def unscan(order_id: uuid.UUID, package_id: uuid.UUID, actor: Staff, ctx: Ctx,
                 svc: Svc) -> None:
    await dispensing.unscan(ctx, svc, actor, order_id, package_id)


@router.post("/orders/{order_id}/lines/{line_id}/not-dispensed",
             operation_id="pharmacy_not_dispensed")
async def not_dispensed(order_id: uuid.UUID, line_id: uuid.UUID, body: ReasonIn, actor: Staff,
                        ctx: Ctx, svc: Svc) -> OrderOut:
    await dispensing.not_dispensed(ctx, svc, actor, order_id, line_id, body.reason)
    return await _out(ctx, svc, actor, order_id)


@router.post("/orders/{order_id}/complete", operation_id="pharmacy_complete")
async def complete(order_id: uuid.UUID, body: CompleteIn, actor: Staff, ctx: Ctx,
                   svc: Svc) -> OrderOut:
    """Dispensing done: the caller is the dispenser, `checker` a colleague who checked."""
    await dispensing.complete(ctx, svc, actor, order_id, checker_username=body.checker)
    return await _out(ctx, svc, actor, order_id)


@router.post("/orders/{order_id}/dispatch", operation_id="pharmacy_dispatch")
async def dispatch(order_id: uuid.UUID, actor: Staff, ctx: Ctx, svc: Svc) -> OrderOut:
    """Hand to the courier (or the run to the hospital) and register outbound (出库)."""
    await delivery.dispatch(ctx, svc, actor, order_id)
    return await _out(ctx, svc, actor, order_id)


@router.post("/orders/{order_id}/handover", operation_id="pharmacy_handover")
async def handover(order_id: uuid.UUID, body: HandoverIn, actor: Staff, ctx: Ctx,
                   svc: Svc) -> OrderOut:
    """The patient collects: the pickup code (typed or the QR) and optionally a signature."""
    signature = None
    if body.signature_png_base64:
        try:
            signature = base64.b64decode(body.signature_png_base64, validate=True)
        except (binascii.Error, ValueError):
            raise Unprocessable("签名图片不是有效的 base64", field="signature_png_base64") from None
        if not signature.startswith(b"\x89PNG\r\n\x1a\n"):
            raise Unprocessable("签名图片须为 PNG", field="signature_png_base64")
    await delivery.handover(ctx, svc, actor, order_id, pickup_code=body.pickup_code,
                            signature_png=signature)
    return await _out(ctx, svc, actor, order_id)


@router.get("/pickup/{pickup_code}", operation_id="pharmacy_find_by_pickup_code")
async def find_by_pickup_code(pickup_code: str, actor: Staff, ctx: Ctx, svc: Svc) -> OrderOut:
    """Find the order a patient's pickup code (or QR) belongs to, at this store."""
    common.require_pharmacy_staff(actor)
    assert actor.org_id is not None
    code = pickup_code.strip()
    if code.startswith("RXPICK1:"):
        code = code.rsplit(":", 1)[-1]
    found = await repository.by_pickup_code(
        ctx.session, actor.org_id, svc.cipher.blind_index(code, context=common.PICKUP_CODE_CONTEXT))
    if found is None:
        raise NotFound("没有与该取药码对应的订单")
    return await _out(ctx, svc, actor, found.id)


@router.post("/orders/{order_id}/offline-payment", operation_id="pharmacy_offline_payment")
async def offline_payment(order_id: uuid.UUID, body: OfflinePaymentIn, actor: Staff, ctx: Ctx,
                          svc: Svc) -> OrderOut:
    """The patient paid at the counter: register it with the receipt number."""
    await delivery.register_offline_payment(ctx, svc, actor, order_id,
                                            receipt_no=body.receipt_no)
    return await _out(ctx, svc, actor, order_id)


@router.post("/queue/call-next", operation_id="pharmacy_call_next")
async def call_next(actor: Staff, ctx: Ctx, svc: Svc) -> CalledOut:
    """Call the next queue number at this counter (announced as a live event)."""
    return CalledOut(called=await delivery.call_next(ctx, svc, actor))


@router.get("/summary", operation_id="pharmacy_day_summary")
async def summary(actor: Staff, ctx: Ctx, svc: Svc, day: QueryDate | None = None
                  ) -> DaySummaryOut:
    """The day's orders accepted, their amount and the traceability codes scanned."""
    common.require_pharmacy_staff(actor)
    assert actor.org_id is not None
    day = day or business_day(svc.clock)
    start = datetime.combine(day, time(), CHINA)
    figures = await repository.day_summary(ctx.session, actor.org_id, start,
                                           start + timedelta(days=1))
    return DaySummaryOut(day=day, **figures)
