"""Where circulation listens to the rest of the server: a payment confirmed by the gateway, a
prescription voided by its doctor. Imported once by the application factory."""

from __future__ import annotations

from server.notifications.service import notify_patient
from server.payments.listeners import on_paid

from server.circulation import common, ordering, repository
from server.core.context import RequestContext
from server.core.services import Services
from server.prescriptions.hooks import on_void
from server.prescriptions.models import Prescription


async def _order_paid(ctx: RequestContext, svc: Services, payment: object) -> None:
    order_id = getattr(payment, "order_id", None)
    order = None if order_id is None else await repository.get(ctx.session, order_id)
    if order is None or order.paid:
        return
    order.paid = True
    rx = await common.prescription_of(ctx, order)
    await common.announce(ctx, rx, order, type="order.paid")
    await notify_patient(ctx, svc, patient_id=order.patient_id, template="payment_received",
                         params={"number": rx.number, "amount": f"{order.total_fen / 100:.2f}"},
                         prescription_id=rx.id)


async def _prescription_voided(ctx: RequestContext, svc: Services, rx: Prescription,
                               reason: str) -> None:
    await ordering.cancel_for_prescription(ctx, svc, rx, reason)


def install() -> None:
    on_paid(_order_paid)
    on_void(_prescription_voided)
