"""The patient's side: their prescriptions, the pharmacies they can choose, the order, paying,
a queue number, confirming receipt. Every call starts from the proof of identity the patient
gave (server/patient_access): all their prescriptions, or the one of the slip they scanned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from server.circulation import delivery, ordering, repository, views
from server.circulation.models import CirculationOrder, OrderState
from server.circulation.schemas import (
    ChoiceIn,
    PatientLineOut,
    PatientPrescriptionOut,
    PaymentOut,
    PharmacyOptionOut,
    StatusOut,
)
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound
from server.core.services import Services
from server.delivery import service as delivery_fees
from server.identity.models import StaffUser
from server.insurance import service as insurance
from server.patient_access.scope import PatientScope, patient_scope
from server.payments import service as payments
from server.payments.models import Payment
from server.pharmacies import service as pharmacies
from server.pharmacies.delivery import DeliveryMode
from server.prescriptions import repository as rx_repository
from server.prescriptions.lifecycle import Status
from server.prescriptions.models import Prescription

# A patient sees a prescription once the doctor has sent it; drafts are the doctor's.
HIDDEN = frozenset({Status.DRAFT})


def _scope(actor: Principal) -> PatientScope:
    # Row-level security keeps the patient within the organisations that issued their
    # prescriptions; the scope narrows that to the patient's own (or the slip's one).
    return patient_scope(actor)


async def own_prescription(ctx: RequestContext, actor: Principal,
                           prescription_id: uuid.UUID) -> Prescription:
    allowed = _scope(actor)
    rx = await rx_repository.get(ctx.session, prescription_id)
    if rx is None or Status(rx.status) in HIDDEN or not allowed.allows(rx):
        raise NotFound("没有这张处方")
    return rx


async def own_order(ctx: RequestContext, actor: Principal,
                    order_id: uuid.UUID) -> tuple[CirculationOrder, Prescription]:
    allowed = _scope(actor)
    order = await repository.get(ctx.session, order_id)
    if order is None or not allowed.allows_ids(order.patient_id, order.prescription_id):
        raise NotFound("没有这个订单")
    rx = await rx_repository.get(ctx.session, order.prescription_id)
    assert rx is not None
    return order, rx


async def _present(ctx: RequestContext, svc: Services, rx: Prescription,
                   order: CirculationOrder | None) -> PatientPrescriptionOut:
    names = await views.org_names(ctx.session, {rx.org_id, rx.department_id})
    doctor = await ctx.session.get(StaffUser, rx.doctor_id)
    lines = await rx_repository.lines(ctx.session, rx.id)
    return PatientPrescriptionOut(
        id=rx.id, number=rx.number, hospital=names.get(rx.org_id, ""),
        department=names.get(rx.department_id, ""),
        doctor=doctor.display_name if doctor else "", issued_at=rx.issued_at,
        expires_at=rx.expires_at,
        status=StatusOut(**views.common.patient_status(rx.status, order)),
        amount_fen=sum(ordering.fen(x.amount) for x in lines),
        can_choose=Status(rx.status) in ordering.CHOOSABLE and (
            rx.expires_at is None or rx.expires_at > svc.clock.now()),
        lines=[PatientLineOut(line_no=x.line_no, generic_name=x.generic_name,
                              specification=x.specification, quantity=x.quantity, unit=x.unit,
                              instructions=x.instructions, amount_fen=ordering.fen(x.amount))
               for x in lines],
        order=None if order is None else await views.order_out(ctx.session, svc, order, rx,
                                                               viewer="patient"))


async def prescriptions(ctx: RequestContext, svc: Services,
                        actor: Principal) -> list[PatientPrescriptionOut]:
    query = (select(Prescription).where(_scope(actor).prescription_filter(),
                                        Prescription.status.not_in([s.value for s in HIDDEN]))
             .order_by(Prescription.created_at.desc()).limit(50))
    rows: Sequence[Prescription] = (await ctx.session.scalars(query)).all()
    latest = await repository.latest_for(ctx.session, [rx.id for rx in rows])
    return [await _present(ctx, svc, rx, latest.get(rx.id)) for rx in rows]


async def prescription(ctx: RequestContext, svc: Services, actor: Principal,
                       prescription_id: uuid.UUID) -> PatientPrescriptionOut:
    rx = await own_prescription(ctx, actor, prescription_id)
    latest = await repository.latest_for(ctx.session, [rx.id])
    return await _present(ctx, svc, rx, latest.get(rx.id))


async def pharmacy_options(ctx: RequestContext, svc: Services, actor: Principal,
                           prescription_id: uuid.UUID, *, mode: DeliveryMode,
                           region_code: str | None,
                           origin: tuple[float, float] | None) -> list[PharmacyOptionOut]:
    rx = await own_prescription(ctx, actor, prescription_id)
    now = svc.clock.now()
    wanted = ordering.quantities(list(await rx_repository.lines(ctx.session, rx.id)))
    options = await pharmacies.options(ctx.session, hospital_id=rx.org_id, mode=mode, at=now,
                                       product_quantities=wanted, origin=origin,
                                       region_code=region_code)
    weight = await delivery_fees.shipment_weight_g(ctx.session, wanted)
    out = []
    for option in options:
        fee, rule = None, None
        if mode == DeliveryMode.COURIER and region_code:
            quote = await delivery_fees.quote_courier_fee(
                ctx.session, region_code=region_code, weight_g=weight,
                distance_km=option.distance_km, at=now)
            fee, rule = quote.fee_fen, quote.rule
        out.append(PharmacyOptionOut(
            pharmacy_id=option.pharmacy_id, name=option.name, address=option.address,
            phone=option.phone, distance_km=option.distance_km, open_now=option.open_now,
            hours_today=option.today_hours, next_open=option.next_open, stock=option.stock,
            delivery_fee_fen=fee, fee_rule=rule))
    return out


async def choose(ctx: RequestContext, svc: Services, actor: Principal,
                 prescription_id: uuid.UUID, body: ChoiceIn) -> CirculationOrder:
    rx = await own_prescription(ctx, actor, prescription_id)
    address = None if body.address is None else ordering.CourierAddress(
        region_code=body.address.region_code, detail=body.address.detail,
        recipient=body.address.recipient, phone=body.address.phone)
    origin = (None if body.latitude is None or body.longitude is None
              else (body.latitude, body.longitude))
    return await ordering.choose(ctx, svc, rx, ordering.Choice(
        pharmacy_id=body.pharmacy_id, mode=body.mode, appointment_at=body.appointment_at,
        address=address, origin=origin))


async def pay_online(ctx: RequestContext, svc: Services, actor: Principal,
                     order_id: uuid.UUID) -> PaymentOut:
    order, rx = await own_order(ctx, actor, order_id)
    if order.state != OrderState.ACTIVE:
        raise Conflict("订单已结束，不能支付")
    if order.paid:
        raise Conflict("订单已支付")
    payment = await payments.start_online(
        ctx, svc, order_id=order.id, patient_id=order.patient_id,
        pharmacy_id=order.pharmacy_id, amount_fen=order.total_fen,
        subject=f"处方 {rx.number} 药品费用",
        split=await insurance.split_for_order(ctx, svc, order, rx))
    return payment_out(payment)


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(payment_id=payment.id, order_id=payment.order_id, status=payment.status,
                      amount_fen=payment.amount_fen, fund_fen=payment.fund_fen,
                      personal_account_fen=payment.personal_account_fen,
                      cash_fen=payment.cash_fen, qr_payload=payment.qr_payload,
                      gateway_trade_no=payment.gateway_trade_no, expires_at=payment.expires_at)


async def queue_number(ctx: RequestContext, svc: Services, actor: Principal,
                       order_id: uuid.UUID) -> str:
    order, _ = await own_order(ctx, actor, order_id)
    if order.state != OrderState.ACTIVE:
        raise Conflict("订单已结束")
    return await delivery.queue_number(ctx, svc, order)


async def confirm_receipt(ctx: RequestContext, svc: Services, actor: Principal,
                          order_id: uuid.UUID) -> CirculationOrder:
    order, rx = await own_order(ctx, actor, order_id)
    return await delivery.confirm_receipt(ctx, svc, order, rx)
