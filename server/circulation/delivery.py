"""After dispensing: dispatch by courier or to the hospital (with the outbound register, 出库),
tracking events, pickup with a code and queue numbers, the handover the patient confirms, and
payments registered at the counter.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from server.access.roles import Role
from server.catalogue.service import business_day
from server.circulation import carrier as carriers
from server.circulation import common, repository
from server.circulation.models import CirculationOrder, OrderState
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, Unprocessable
from server.core.services import Services
from server.delivery import service as delivery_fees
from server.events.service import publish
from server.insurance import service as insurance
from server.payments import service as payments
from server.pharmacies.delivery import DeliveryMode
from server.platform_settings.registry import CirculationLimits
from server.platform_settings.service import load as load_settings
from server.prescriptions.lifecycle import Status
from server.prescriptions.models import Prescription

DISPATCHABLE = frozenset({Status.DISPENSING, Status.PARTLY_DISPENSED})


async def _require_paid(ctx: RequestContext, order: CirculationOrder) -> None:
    limits = await load_settings(ctx.session, CirculationLimits)
    if limits.payment_required_before_handover and not order.paid:
        raise Conflict("订单尚未支付：请患者在线支付，或在柜台登记线下收款")


async def _event(ctx: RequestContext, order: CirculationOrder, *, source: str, code: str,
                 description: str, at: datetime, external_id: str | None = None,
                 location: str | None = None, data: dict[str, object] | None = None) -> bool:
    principal = ctx.principal
    return await repository.add_event(ctx.session, {
        "order_id": order.id, "org_id": order.org_id, "pharmacy_id": order.pharmacy_id,
        "source": source, "code": code, "description": description, "location": location,
        "occurred_at": at, "external_id": external_id,
        "actor_id": principal.id if principal and principal.kind == "user" else None,
        "actor_name": principal.name if principal else None, "data": data or {}})


async def dispatch(ctx: RequestContext, svc: Services, actor: Principal,
                   order_id: uuid.UUID) -> CirculationOrder:
    """Hand the parcel to the courier (or the pharmacy's own run to the hospital) and register
    it outbound."""
    common.require_pharmacy_staff(actor)
    order = await common.order_for_pharmacy(ctx, actor, order_id)
    rx = await common.prescription_of(ctx, order)
    if order.mode == DeliveryMode.STORE_PICKUP:
        raise Conflict("到店自提订单无需发货")
    if order.state != OrderState.ACTIVE or order.dispensed_at is None \
            or Status(rx.status) not in DISPATCHABLE:
        raise Conflict("须先完成发药核对才能发货", status=rx.status)
    await _require_paid(ctx, order)
    now = svc.clock.now()
    lines = await repository.lines(ctx.session, order.id)
    weight = await delivery_fees.shipment_weight_g(
        ctx.session, {x.product_id: x.dispensed for x in lines if x.dispensed})
    if order.mode == DeliveryMode.COURIER:
        shipment = await svc.carrier.create_shipment(order_number=order.number, weight_g=weight,
                                                     destination_region=order.region_code)
        order.carrier_code, order.tracking_number = shipment.carrier_code, shipment.tracking_number
        carrier_name = shipment.carrier_name
        description = f"已交{carrier_name}，运单号 {shipment.tracking_number}"
    else:
        order.carrier_code, order.tracking_number = "pharmacy", None
        carrier_name = "药店配送（送至医院取药窗口）"
        description = "药店配送至医院取药窗口"
    order.dispatched_at = now
    order.outbound_number = f"CK{order.number[2:]}"
    await _event(ctx, order, source="pharmacy", code="outbound", at=now,
                 description=f"出库登记 {order.outbound_number}：{description}",
                 data={"weight_g": weight, "outbound_number": order.outbound_number})
    await common.move(ctx, svc, rx, Status.DISPATCHED, role=Role.PHARMACY_STAFF, now=now)
    await common.announce(ctx, rx, order, type="order.dispatched",
                          tracking_number=order.tracking_number)
    await common.tell_patient(ctx, svc, order, rx, "dispatched", carrier=carrier_name,
                              tracking_number=order.tracking_number or order.outbound_number)
    ctx.note("order.dispatch", "order", order.id, number=order.number,
             carrier=order.carrier_code, tracking_number=order.tracking_number,
             outbound_number=order.outbound_number)
    return order


@dataclass(frozen=True)
class TrackingUpdate:
    carrier_code: str
    tracking_number: str
    event_id: str
    code: str
    occurred_at: datetime
    location: str | None = None


async def tracking_event(ctx: RequestContext, svc: Services, update: TrackingUpdate) -> bool:
    """A carrier's tracking event (pushed or from the sandbox); a repeat changes nothing.
    Returns whether it was new."""
    if update.code not in carriers.TRACKING_CODES:
        raise Unprocessable("未知的物流状态", field="code")
    order = await repository.by_tracking_number(ctx.session, update.carrier_code,
                                                update.tracking_number)
    if order is None:
        raise NotFound("没有这个运单号")
    description, reached = carriers.TRACKING_CODES[update.code]
    new = await _event(ctx, order, source="carrier", code=update.code, description=description,
                       at=update.occurred_at, external_id=update.event_id,
                       location=update.location)
    if not new:
        return False
    rx = await common.prescription_of(ctx, order)
    if reached and rx.status == Status.DISPATCHED:
        await common.move(ctx, svc, rx, Status.DELIVERED, role="carrier")
        await common.tell_patient(ctx, svc, order, rx, "delivered")
    await common.announce(ctx, rx, order, type="order.tracking", code=update.code)
    ctx.note("order.tracking", "order", order.id, number=order.number, code=update.code,
             event_id=update.event_id)
    return True


async def _settle(ctx: RequestContext, svc: Services, order: CirculationOrder, rx: Prescription,
                  *, role: str) -> None:
    if order.paid:
        await common.move(ctx, svc, rx, Status.SETTLED, role=role)
        order.state, order.ended_at = OrderState.COMPLETED, svc.clock.now()


async def handover(ctx: RequestContext, svc: Services, actor: Principal, order_id: uuid.UUID, *,
                   pickup_code: str, signature_png: bytes | None) -> CirculationOrder:
    """The patient collects at the counter or the hospital window: the pickup code (typed or
    from the QR) proves it is theirs; an optional signature image is kept."""
    common.require_pharmacy_staff(actor)
    order = await common.order_for_pharmacy(ctx, actor, order_id)
    rx = await common.prescription_of(ctx, order)
    code = pickup_code.strip()
    if code.startswith("RXPICK1:"):
        parts = code.split(":")
        if len(parts) != 3 or parts[1] != order.number:
            raise Unprocessable("取药码与订单不符", field="pickup_code")
        code = parts[2]
    expected = common.pickup_code_of(svc, order)
    if expected is None or code != expected:
        ctx.note("order.handover_refused", "order", order.id, number=order.number)
        raise Unprocessable("取药码不正确", field="pickup_code")
    if rx.status == Status.READY_FOR_PICKUP:
        target = Status.COLLECTED
    elif rx.status == Status.DISPATCHED and order.mode == DeliveryMode.HOSPITAL_DELIVERY:
        target = Status.DELIVERED
    else:
        raise Conflict("订单当前不能交付", status=rx.status)
    await _require_paid(ctx, order)
    now = svc.clock.now()
    order.handed_over_at = now
    order.handover_method = "signature" if signature_png else "code"
    order.handover_signature = signature_png
    await common.move(ctx, svc, rx, target, role=Role.PHARMACY_STAFF, now=now)
    await _event(ctx, order, source="pharmacy", code="handover", at=now,
                 description="患者凭取药码取药，交付确认",
                 data={"method": order.handover_method})
    await _settle(ctx, svc, order, rx, role=Role.PHARMACY_STAFF)
    await common.announce(ctx, rx, order, type="order.handed_over")
    ctx.note("order.handover", "order", order.id, number=order.number,
             method=order.handover_method)
    return order


async def confirm_receipt(ctx: RequestContext, svc: Services, order: CirculationOrder,
                          rx: Prescription) -> CirculationOrder:
    """The patient confirms a courier delivery arrived (签收确认)."""
    if rx.status != Status.DELIVERED or order.handed_over_at is not None:
        raise Conflict("订单当前不能确认收货", status=rx.status)
    now = svc.clock.now()
    order.handed_over_at, order.handover_method = now, "patient_confirmation"
    await _event(ctx, order, source="patient", code="handover", at=now,
                 description="患者确认收货")
    await _settle(ctx, svc, order, rx, role="patient")
    await common.announce(ctx, rx, order, type="order.handed_over")
    ctx.note("order.confirm_receipt", "order", order.id, number=order.number)
    return order


async def queue_number(ctx: RequestContext, svc: Services, order: CirculationOrder) -> str:
    """取号: the patient's number at the pharmacy's counter (or the hospital window) today;
    asking again gives the same number."""
    if order.mode == DeliveryMode.COURIER:
        raise Conflict("快递订单无需取号")
    if order.queue_number is None:
        number = await repository.take_queue_number(ctx.session, order.pharmacy_id,
                                                    business_day(svc.clock))
        order.queue_number = f"A{number:03d}"
        ctx.note("order.queue_number", "order", order.id, number=order.number,
                 queue_number=order.queue_number)
    return order.queue_number


async def call_next(ctx: RequestContext, svc: Services, actor: Principal) -> str | None:
    common.require_pharmacy_staff(actor)
    assert actor.org_id is not None
    number = await repository.call_next(ctx.session, actor.org_id, business_day(svc.clock))
    if number is None:
        return None
    called = f"A{number:03d}"
    await publish(ctx, type="queue.called", org_id=actor.org_id, payload={"number": called})
    ctx.note("queue.call", "organisation", actor.org_id, number=called)
    return called


async def register_offline_payment(ctx: RequestContext, svc: Services, actor: Principal,
                                   order_id: uuid.UUID, *, receipt_no: str) -> CirculationOrder:
    common.require_pharmacy_staff(actor)
    order = await common.order_for_pharmacy(ctx, actor, order_id)
    if order.state != OrderState.ACTIVE:
        raise Conflict("订单已结束")
    if order.paid:
        raise Conflict("订单已支付")
    split = await insurance.split_for_order(ctx, svc, order,
                                            await common.prescription_of(ctx, order))
    await payments.register_offline(ctx, svc, order_id=order.id, patient_id=order.patient_id,
                                    pharmacy_id=order.pharmacy_id, amount_fen=order.total_fen,
                                    receipt_no=receipt_no, split=split)
    order.paid = True
    ctx.note("order.offline_payment", "order", order.id, number=order.number,
             receipt_no=receipt_no, amount_fen=order.total_fen)
    return order
