"""The patient's choice and the pharmacy's answer: an order locks a prescription to one
pharmacy; the pharmacy accepts it in time or gives it back, and an unanswered lock is released.

Exactly one order per prescription is live at a time: the choice moves the prescription from
"awaiting choice" to "ordered" by compare-and-set and a partial unique index admits one active
order, so of two concurrent choices (or two pharmacies) one wins and the other gets 409.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from server.access.roles import Role
from server.circulation import common, repository
from server.circulation.models import CirculationOrder, OrderLine, OrderState
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, Unprocessable
from server.core.services import Services
from server.delivery import service as delivery_fees
from server.pharmacies import service as pharmacies
from server.pharmacies.delivery import DeliveryMode
from server.platform_settings.registry import CirculationLimits
from server.platform_settings.service import load as load_settings
from server.prescriptions import repository as rx_repository
from server.prescriptions.lifecycle import Status
from server.prescriptions.models import Prescription, PrescriptionLine

CHOOSABLE = frozenset({Status.APPROVED, Status.AWAITING_PATIENT_CHOICE})
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class CourierAddress:
    region_code: str
    detail: str
    recipient: str
    phone: str


@dataclass(frozen=True)
class Choice:
    pharmacy_id: uuid.UUID
    mode: DeliveryMode
    appointment_at: datetime | None = None
    address: CourierAddress | None = None
    origin: tuple[float, float] | None = None


def fen(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1)))


def quantities(lines: list[PrescriptionLine]) -> dict[uuid.UUID, int]:
    wanted: dict[uuid.UUID, int] = {}
    for line in lines:
        wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
    return wanted


async def _check_appointment(ctx: RequestContext, svc: Services, at: datetime | None) -> None:
    if at is None:
        return
    limits = await load_settings(ctx.session, CirculationLimits)
    now = svc.clock.now()
    if at <= now:
        raise Unprocessable("预约时间须晚于当前时间", field="appointment_at")
    if at > now + timedelta(days=limits.appointment_max_days):
        raise Unprocessable(f"最多可预约 {limits.appointment_max_days} 天内",
                            field="appointment_at")


async def choose(ctx: RequestContext, svc: Services, rx: Prescription,
                 choice: Choice) -> CirculationOrder:
    """Lock `rx` to the chosen pharmacy and delivery mode (the caller has checked that the
    patient may act on `rx`)."""
    now = svc.clock.now()
    if Status(rx.status) not in CHOOSABLE:
        raise Conflict("处方当前状态不能选择药店", status=rx.status)
    if rx.expires_at is not None and rx.expires_at <= now:
        raise Conflict("处方已过有效期，不能再选择药店", field="prescription")
    await _check_appointment(ctx, svc, choice.appointment_at)
    if choice.mode == DeliveryMode.COURIER and choice.address is None:
        raise Unprocessable("快递配送须填写收货地址", field="address")
    await pharmacies.require_receiving(ctx.session, choice.pharmacy_id)
    lines = list(await rx_repository.lines(ctx.session, rx.id))
    wanted = quantities(lines)
    region = choice.address.region_code if choice.address else None
    options = await pharmacies.options(ctx.session, hospital_id=rx.org_id, mode=choice.mode,
                                      at=now, product_quantities=wanted, origin=choice.origin,
                                      region_code=region)
    option = next((o for o in options if o.pharmacy_id == choice.pharmacy_id), None)
    if option is None:
        raise Unprocessable("所选药店不提供该配送方式或不在配送范围内", field="pharmacy_id")
    fee_fen, carrier_code, fee_rule = 0, None, None
    if choice.mode == DeliveryMode.COURIER:
        assert choice.address is not None
        quote = await delivery_fees.quote_courier_fee(
            ctx.session, region_code=choice.address.region_code,
            weight_g=await delivery_fees.shipment_weight_g(ctx.session, wanted),
            distance_km=option.distance_km, at=now)
        fee_fen, carrier_code, fee_rule = quote.fee_fen, quote.carrier_code, quote.rule
    if rx.status == Status.APPROVED:
        await common.move(ctx, svc, rx, Status.AWAITING_PATIENT_CHOICE, role="patient", now=now)
    await common.move(ctx, svc, rx, Status.ORDERED, role="patient", now=now)
    limits = await load_settings(ctx.session, CirculationLimits)
    items_fen = sum(fen(line.amount) for line in lines)
    code = common.new_pickup_code()
    address = choice.address
    order = CirculationOrder(
        number=await repository.next_number(ctx.session, now.strftime("%Y%m%d")),
        prescription_id=rx.id, org_id=rx.org_id, pharmacy_id=choice.pharmacy_id,
        patient_id=rx.patient_id, state=OrderState.ACTIVE, mode=choice.mode.value,
        appointment_at=choice.appointment_at,
        lock_expires_at=now + timedelta(minutes=limits.accept_minutes),
        region_code=address.region_code if address else None,
        address_enc=_enc(svc, address.detail if address else None, common.ADDRESS_CONTEXT),
        recipient_enc=_enc(svc, address.recipient if address else None,
                           common.RECIPIENT_CONTEXT),
        recipient_phone_enc=_enc(svc, address.phone if address else None,
                                 common.RECIPIENT_PHONE_CONTEXT),
        items_fen=items_fen, delivery_fee_fen=fee_fen, total_fen=items_fen + fee_fen,
        carrier_code=carrier_code, fee_rule=fee_rule,
        pickup_code_enc=svc.cipher.encrypt(code, context=common.PICKUP_CODE_CONTEXT),
        pickup_code_bidx=svc.cipher.blind_index(code, context=common.PICKUP_CODE_CONTEXT))
    ctx.session.add(order)
    await ctx.session.flush()
    ctx.session.add_all(OrderLine(
        order_id=order.id, org_id=rx.org_id, pharmacy_id=order.pharmacy_id,
        prescription_line_id=line.id, line_no=line.line_no, product_id=line.product_id,
        quantity=line.quantity, unit_price_fen=fen(line.unit_price)) for line in lines)
    await common.announce(ctx, rx, order, type="order.new",
                          lock_expires_at=order.lock_expires_at.isoformat())
    await common.tell_patient(ctx, svc, order, rx, "order_locked")
    ctx.note("order.create", "order", order.id, number=order.number, prescription=rx.number,
             pharmacy_id=str(order.pharmacy_id), mode=order.mode, total_fen=order.total_fen)
    return order


def _enc(svc: Services, value: str | None, context: str) -> bytes | None:
    return None if value is None else svc.cipher.encrypt(value, context=context)


async def accept(ctx: RequestContext, svc: Services, actor: Principal,
                 order_id: uuid.UUID) -> CirculationOrder:
    common.require_pharmacy_staff(actor)
    order = await common.order_for_pharmacy(ctx, actor, order_id)
    now = svc.clock.now()
    if order.state != OrderState.ACTIVE or order.accepted_at is not None:
        raise Conflict("订单已被处理", state=order.state)
    if order.lock_expires_at <= now:
        raise Conflict("接单已超时，处方已释放给患者重新选择")
    await pharmacies.require_receiving(ctx.session, order.pharmacy_id)
    rx = await common.prescription_of(ctx, order)
    if not await repository.settle_state(ctx.session, order, expect=OrderState.ACTIVE,
                                         unaccepted=True,
                                         values={"accepted_at": now, "accepted_by_id": actor.id}):
        raise Conflict("订单已被其他人处理，请刷新")
    await common.move(ctx, svc, rx, Status.ACCEPTED, role=Role.PHARMACY_STAFF, now=now)
    await common.announce(ctx, rx, order, type="order.accepted")
    await common.tell_patient(ctx, svc, order, rx, "pharmacy_accepted")
    ctx.note("order.accept", "order", order.id, number=order.number)
    return order


async def _release(ctx: RequestContext, svc: Services, order: CirculationOrder, rx: Prescription,
                   *, state: OrderState, reason: str, role: str, template: str) -> None:
    now = svc.clock.now()
    # An expired lock is released only if no one accepted the order meanwhile.
    if not await repository.settle_state(
            ctx.session, order, expect=OrderState.ACTIVE,
            unaccepted=state == OrderState.LOCK_EXPIRED,
            values={"state": state.value, "ended_at": now, "end_reason": reason}):
        raise Conflict("订单已被其他人处理，请刷新")
    await common.move(ctx, svc, rx, Status.AWAITING_PATIENT_CHOICE, role=role, reason=reason,
                      now=now)
    await common.refund(ctx, svc, order, rx, reason)
    await common.announce(ctx, rx, order, type="order.released", reason=reason)
    if template == "pharmacy_returned":
        await common.tell_patient(ctx, svc, order, rx, template, reason=reason)
    else:
        await common.tell_patient(ctx, svc, order, rx, template)


async def give_back(ctx: RequestContext, svc: Services, actor: Principal, order_id: uuid.UUID,
                    reason: str) -> CirculationOrder:
    """The pharmacy returns the order (before dispensing): the patient chooses again."""
    common.require_pharmacy_staff(actor)
    order = await common.order_for_pharmacy(ctx, actor, order_id)
    rx = await common.prescription_of(ctx, order)
    if order.state != OrderState.ACTIVE or rx.status not in (Status.ORDERED, Status.ACCEPTED):
        raise Conflict("订单已开始调配或已结束，不能退回", status=rx.status)
    await _release(ctx, svc, order, rx, state=OrderState.RETURNED, reason=reason,
                   role=Role.PHARMACY_STAFF, template="pharmacy_returned")
    ctx.note("order.return", "order", order.id, number=order.number, reason=reason)
    return order


async def release_expired_locks(ctx: RequestContext, svc: Services) -> int:
    """Orders the pharmacy did not accept in time go back to the patient (background job)."""
    released = 0
    for order in await repository.expired_locks(ctx.session, svc.clock.now()):
        rx = await common.prescription_of(ctx, order)
        await _release(ctx, svc, order, rx, state=OrderState.LOCK_EXPIRED,
                       reason="药店未在时限内接单，锁定已释放", role=SYSTEM_ROLE,
                       template="lock_timed_out")
        released += 1
    if released:
        ctx.note("order.lock_expired", "order", None, count=released)
    return released


async def cancel_for_prescription(ctx: RequestContext, svc: Services, rx: Prescription,
                                  reason: str) -> None:
    """The prescription was voided or expired: its live order ends, a payment is refunded."""
    order = await repository.active_for(ctx.session, rx.id)
    if order is None:
        return
    if not await repository.settle_state(ctx.session, order, expect=OrderState.ACTIVE, values={
            "state": OrderState.CANCELLED.value, "ended_at": svc.clock.now(),
            "end_reason": reason}):
        raise Conflict("订单正在被处理，请稍后重试")
    await common.refund(ctx, svc, order, rx, reason)
    await common.announce(ctx, rx, order, type="order.cancelled", reason=reason)
