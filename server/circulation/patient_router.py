"""The patient API (for the kiosk, the hospital's app and mini-programs): the patient's
prescriptions, choosing a pharmacy and a delivery mode, paying, a queue number, tracking and
confirming receipt. A patient access token (server/patient_access) is required; personal data
leaves masked."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from server.circulation import patient_service, views
from server.circulation.schemas import (
    ChoiceIn,
    OrderOut,
    PatientPrescriptionOut,
    PaymentIn,
    PaymentOut,
    PharmacyOptionOut,
    QueueNumberOut,
)
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES
from server.patient_access.dependencies import CurrentPatient
from server.pharmacies.delivery import DeliveryMode

router = APIRouter(prefix="/patient", tags=["患者 patient"], responses=ERROR_RESPONSES)
Patient = CurrentPatient


@router.get("/prescriptions", operation_id="patient_prescriptions")
async def prescriptions(actor: Patient, ctx: Ctx, svc: Svc) -> list[PatientPrescriptionOut]:
    """My prescriptions, newest first, with their status, lines, amounts and current order."""
    return await patient_service.prescriptions(ctx, svc, actor)


@router.get("/prescriptions/{prescription_id}", operation_id="patient_prescription")
async def prescription(prescription_id: uuid.UUID, actor: Patient, ctx: Ctx,
                       svc: Svc) -> PatientPrescriptionOut:
    return await patient_service.prescription(ctx, svc, actor, prescription_id)


@router.get("/prescriptions/{prescription_id}/pharmacies", operation_id="patient_pharmacies")
async def pharmacies(
    prescription_id: uuid.UUID, actor: Patient, ctx: Ctx, svc: Svc, mode: DeliveryMode,
    region_code: Annotated[str | None, Query(pattern=r"^[1-8][0-9]{5}$")] = None,
    latitude: Annotated[float | None, Query(ge=-90, le=90)] = None,
    longitude: Annotated[float | None, Query(ge=-180, le=180)] = None,
) -> list[PharmacyOptionOut]:
    """Pharmacies that can fill this prescription by `mode`: open now first, stock where the
    pharmacy reports it, distance, and for courier the fee from the carrier's tariff."""
    origin = None if latitude is None or longitude is None else (latitude, longitude)
    return await patient_service.pharmacy_options(ctx, svc, actor, prescription_id, mode=mode,
                                                  region_code=region_code, origin=origin)


@router.post("/prescriptions/{prescription_id}/order", operation_id="patient_choose",
             status_code=201)
async def choose(prescription_id: uuid.UUID, body: ChoiceIn, actor: Patient, ctx: Ctx,
                 svc: Svc) -> OrderOut:
    """Choose the pharmacy and delivery mode: the prescription is locked to that pharmacy
    until it accepts, returns it, or the acceptance time runs out."""
    order = await patient_service.choose(ctx, svc, actor, prescription_id, body)
    _, rx = await patient_service.own_order(ctx, actor, order.id)
    return await views.order_out(ctx.session, svc, order, rx, viewer="patient")


@router.get("/orders/{order_id}", operation_id="patient_order")
async def order(order_id: uuid.UUID, actor: Patient, ctx: Ctx, svc: Svc) -> OrderOut:
    """The order with its tracking events (the status query)."""
    found, rx = await patient_service.own_order(ctx, actor, order_id)
    return await views.order_out(ctx.session, svc, found, rx, viewer="patient")


@router.post("/orders/{order_id}/payment", operation_id="patient_pay")
async def pay(order_id: uuid.UUID, body: PaymentIn, actor: Patient, ctx: Ctx,
              svc: Svc) -> PaymentOut:
    """Start paying online: the gateway's QR payload to show; the order becomes paid when the
    gateway's signed notification arrives."""
    return await patient_service.pay_online(ctx, svc, actor, order_id)


@router.post("/orders/{order_id}/queue-number", operation_id="patient_queue_number")
async def queue_number(order_id: uuid.UUID, actor: Patient, ctx: Ctx,
                       svc: Svc) -> QueueNumberOut:
    """取号 for the pickup counter (the same number when asked again)."""
    number = await patient_service.queue_number(ctx, svc, actor, order_id)
    return QueueNumberOut(order_id=order_id, queue_number=number)


@router.post("/orders/{order_id}/confirm-receipt", operation_id="patient_confirm_receipt")
async def confirm_receipt(order_id: uuid.UUID, actor: Patient, ctx: Ctx, svc: Svc) -> OrderOut:
    found = await patient_service.confirm_receipt(ctx, svc, actor, order_id)
    _, rx = await patient_service.own_order(ctx, actor, found.id)
    return await views.order_out(ctx.session, svc, found, rx, viewer="patient")
