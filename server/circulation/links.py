"""Where circulation listens to the rest of the server: a payment confirmed by the gateway, a
prescription voided by its doctor. Imported once by the application factory."""

from __future__ import annotations

from server.circulation import common, ordering, repository
from server.core.context import RequestContext
from server.core.services import Services
from server.payments.listeners import on_paid
from server.payments.models import Payment
from server.prescriptions.hooks import on_void
from server.prescriptions.models import Prescription


async def _order_paid(ctx: RequestContext, svc: Services, payment: Payment) -> None:
    order = await repository.get(ctx.session, payment.order_id)
    if order is None or order.paid:
        return
    await repository.mark_paid(ctx.session, order)
    rx = await common.prescription_of(ctx, order)
    await common.announce(ctx, rx, order, type="order.paid")
    await common.tell_patient(ctx, svc, order, rx, "payment_received",
                              amount=f"{order.total_fen / 100:.2f}")


async def _prescription_voided(ctx: RequestContext, svc: Services, rx: Prescription,
                               reason: str) -> None:
    await ordering.cancel_for_prescription(ctx, svc, rx, reason)


def install() -> None:
    on_paid(_order_paid)
    on_void(_prescription_voided)
