"""Orders as each side may see them (../shared/DOMAIN.md section 9): the pharmacy sees the
patient masked, and the courier address in full only where it has to ship; the patient sees
their own pickup code; nobody else does."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.circulation import common, repository
from server.circulation.models import CirculationOrder
from server.circulation.schemas import (
    DeliveryEventOut,
    OrderLineOut,
    OrderOut,
    OrderSummary,
    PackageOut,
    StatusOut,
)
from server.core.services import Services
from server.organisations.models import Organisation
from server.patients.identity import open_identity
from server.patients.models import Patient
from server.personal_data.masking import mask_address, mask_name, mask_phone
from server.pharmacies.delivery import DELIVERY_MODE_LABELS, DeliveryMode
from server.prescriptions import repository as rx_repository
from server.prescriptions.models import Prescription

Viewer = Literal["pharmacy", "patient", "hospital"]


async def org_names(session: AsyncSession, ids: set[object]) -> dict[object, str]:
    rows = (await session.execute(select(Organisation.id, Organisation.name)
                                  .where(Organisation.id.in_(ids)))).all()
    return {row[0]: row[1] for row in rows}


def _clear(svc: Services, blob: bytes | None, context: str) -> str | None:
    return None if blob is None else svc.cipher.decrypt(blob, context=context)


async def order_out(session: AsyncSession, svc: Services, order: CirculationOrder,
                    rx: Prescription, *, viewer: Viewer) -> OrderOut:
    patient = await session.get(Patient, order.patient_id)
    identity = open_identity(svc.cipher, patient) if patient else None
    names = await org_names(session, {order.pharmacy_id})
    lines = await repository.lines(session, order.id)
    rx_lines = {x.id: x for x in await rx_repository.lines(session, rx.id)}
    address = _clear(svc, order.address_enc, common.ADDRESS_CONTEXT)
    recipient = _clear(svc, order.recipient_enc, common.RECIPIENT_CONTEXT)
    recipient_phone = _clear(svc, order.recipient_phone_enc, common.RECIPIENT_PHONE_CONTEXT)
    ships = viewer == "pharmacy" and order.mode == DeliveryMode.COURIER
    if not (ships or viewer == "patient"):
        address, recipient = mask_address(address), mask_name(recipient)
        recipient_phone = mask_phone(recipient_phone)
    code = common.pickup_code_of(svc, order) if viewer == "patient" else None
    return OrderOut(
        id=order.id, number=order.number, version=order.version, prescription_id=rx.id,
        prescription_number=rx.number,
        status=StatusOut(**common.patient_status(rx.status, order)),
        state=order.state, pharmacy_id=order.pharmacy_id,
        pharmacy_name=names.get(order.pharmacy_id, ""), mode=order.mode,
        mode_label=DELIVERY_MODE_LABELS[DeliveryMode(order.mode)],
        appointment_at=order.appointment_at, lock_expires_at=order.lock_expires_at,
        accepted_at=order.accepted_at, items_fen=order.items_fen,
        delivery_fee_fen=order.delivery_fee_fen, total_fen=order.total_fen,
        fee_rule=order.fee_rule, paid=order.paid,
        patient_name=mask_name(identity.name) if identity else "",
        patient_phone=mask_phone(identity.phone) if identity else None,
        region_code=order.region_code, address=address, recipient=recipient,
        recipient_phone=recipient_phone, pickup_code=code,
        pickup_qr=common.pickup_qr(order, code) if code else None,
        queue_number=order.queue_number, carrier_code=order.carrier_code,
        tracking_number=order.tracking_number, outbound_number=order.outbound_number,
        dispensed_at=order.dispensed_at, handed_over_at=order.handed_over_at,
        end_reason=order.end_reason,
        lines=[OrderLineOut(
            id=x.id, line_no=x.line_no, product_id=x.product_id,
            generic_name=rx_lines[x.prescription_line_id].generic_name,
            specification=rx_lines[x.prescription_line_id].specification,
            unit=rx_lines[x.prescription_line_id].unit, quantity=x.quantity,
            dispensed=x.dispensed, unit_price_fen=x.unit_price_fen,
            not_dispensed_reason=x.not_dispensed_reason) for x in lines],
        packages=[PackageOut(id=p.id, line_id=p.order_line_id, trace_code=p.trace_code,
                             code_format=p.code_format, batch=p.batch, expiry=p.expiry,
                             scanned_by=p.scanned_by, scanned_at=p.scanned_at)
                  for p in await repository.packages(session, order.id)],
        events=[DeliveryEventOut(source=e.source, code=e.code, description=e.description,
                                 location=e.location, occurred_at=e.occurred_at)
                for e in await repository.events(session, [order.id])],
    )


def order_summary(order: CirculationOrder, rx_number: str, rx_status: str) -> OrderSummary:
    return OrderSummary(id=order.id, number=order.number, prescription_number=rx_number,
                        status=StatusOut(**common.patient_status(rx_status, order)),
                        state=order.state,
                        mode=order.mode, total_fen=order.total_fen, paid=order.paid,
                        lock_expires_at=order.lock_expires_at, accepted_at=order.accepted_at,
                        created_at=order.created_at)
