"""What the circulation services share: finding an order as the actor may see it, moving the
prescription along with it, announcing the change, and the codes patients show."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from server.access import scope
from server.circulation import hooks, repository
from server.circulation.models import CirculationOrder
from server.core.context import Principal, RequestContext
from server.core.errors import NotFound, NotPermitted
from server.core.services import Services
from server.events.service import publish
from server.insurance import service as insurance
from server.notifications import templates
from server.notifications.service import notify_patient
from server.notifications.templates import ParamValue
from server.organisations.models import Organisation
from server.payments import service as payments
from server.prescriptions import repository as rx_repository
from server.prescriptions.lifecycle import STATUS_LABELS, Status, patient_facing
from server.prescriptions.models import Prescription

PICKUP_CODE_CONTEXT = "circulation_order.pickup_code"
ADDRESS_CONTEXT = "circulation_order.address"
RECIPIENT_CONTEXT = "circulation_order.recipient"
RECIPIENT_PHONE_CONTEXT = "circulation_order.recipient_phone"


def new_pickup_code() -> str:
    """Eight digits: typed on a keypad when the QR cannot be scanned."""
    return f"{secrets.randbelow(10**8):08d}"


def pickup_qr(order: CirculationOrder, code: str) -> str:
    return f"RXPICK1:{order.number}:{code}"


def pickup_code_of(svc: Services, order: CirculationOrder) -> str | None:
    if order.pickup_code_enc is None:
        return None
    return svc.cipher.decrypt(order.pickup_code_enc, context=PICKUP_CODE_CONTEXT)


async def order_for_pharmacy(ctx: RequestContext, actor: Principal, order_id: uuid.UUID, *,
                             for_update: bool = False) -> CirculationOrder:
    """An order of the actor's own pharmacy (another pharmacy's is "not found": it must not
    even learn that it exists). The prescribing hospital's rows (the prescription, its lines)
    become readable for this transaction, because the pharmacy needs them to fulfil it."""
    order = await repository.get(ctx.session, order_id, for_update=for_update)
    if order is None or order.pharmacy_id != actor.org_id:
        raise NotFound("没有这个订单")
    await widen_to(ctx, actor, order.org_id)
    return order


async def widen_to(ctx: RequestContext, actor: Principal, org_id: uuid.UUID) -> None:
    if actor.visible_org_ids is not None:
        await scope.set_visible(ctx.session, actor.visible_org_ids | {org_id})


def require_pharmacy_staff(actor: Principal) -> None:
    if actor.kind != "user" or actor.org_id is None:
        raise NotPermitted("只有药店人员可以处理订单")


async def prescription_of(ctx: RequestContext, order: CirculationOrder) -> Prescription:
    rx = await rx_repository.get(ctx.session, order.prescription_id)
    if rx is None:  # the foreign key makes this impossible short of a broken scope
        raise NotFound("没有这个处方")
    return rx


async def move(ctx: RequestContext, svc: Services, rx: Prescription, target: Status, *,
               role: str, reason: str | None = None, now: datetime | None = None) -> None:
    await rx_repository.transition(ctx.session, rx, target, by=rx_repository.By.of(ctx, role),
                                   reason=reason, now=now or svc.clock.now())


async def announce(ctx: RequestContext, rx: Prescription, order: CirculationOrder, *,
                   type: str, **extra: object) -> None:
    """Tell the pharmacy's counter and the prescribing doctor's app what changed."""
    payload = {"order_id": str(order.id), "order_number": order.number,
               "prescription_id": str(rx.id), "prescription_number": rx.number,
               "status": rx.status, "state": order.state, **extra}
    await publish(ctx, type=type, org_id=order.pharmacy_id, entity_type="order",
                  entity_id=order.id, payload=payload)
    await publish(ctx, type="prescription.status", org_id=rx.org_id,
                  entity_type="prescription", entity_id=rx.id, user_ids=[rx.doctor_id],
                  payload={"id": str(rx.id), "number": rx.number, "status": rx.status,
                           "order_number": order.number})
    await hooks.changed(ctx, rx, order, type)


async def tell_patient(ctx: RequestContext, svc: Services, order: CirculationOrder,
                       rx: Prescription, template: str, **params: ParamValue) -> None:
    """Notify the patient (written in this transaction, sent after it commits); the
    prescription number and the pharmacy's name are filled in where the template wants them."""
    wanted = templates.template(template).params
    known: dict[str, ParamValue] = {"number": rx.number}
    if "pharmacy" in wanted:
        pharmacy = await ctx.session.get(Organisation, order.pharmacy_id)
        known["pharmacy"] = pharmacy.name if pharmacy else "药店"
    values = {**{k: v for k, v in known.items() if k in wanted}, **params}
    await notify_patient(ctx, svc, patient_id=rx.patient_id, template=template, params=values,
                         prescription_id=rx.id)


async def refund(ctx: RequestContext, svc: Services, order: CirculationOrder,
                 rx: Prescription, reason: str) -> None:
    """Give a paid order's money back (through the gateway, or at the counter) and tell the
    patient. A claim at the insurance centre is revoked (its settlement reversed)."""
    await insurance.revoke(ctx, svc, order, reason)
    if not order.paid:
        return
    made = await payments.refund(ctx, svc, order_id=order.id, reason=reason)
    if made is not None:
        await tell_patient(ctx, svc, order, rx, "refunded",
                           amount=f"{made.amount_fen / 100:.2f}")


async def refund_shortfall(ctx: RequestContext, svc: Services, order: CirculationOrder,
                           rx: Prescription, short_fen: int) -> None:
    """A partly dispensed order: the patient gets back their share of the packages not
    dispensed. The payment covers the patient's own share of the order (all of it, or the
    cash left after the insurance fund's part), so the shortfall is refunded in that proportion;
    the fund's part follows the sale write-off, which reports only what was dispensed."""
    payment = await payments.payment_for_order(ctx.session, order.id)
    if not order.paid or payment is None or order.total_fen <= 0:
        return
    amount = round(short_fen * payment.amount_fen / order.total_fen)
    if amount < 1:
        return
    reason = f"部分发药：未发药品 {short_fen / 100:.2f} 元，退还自付部分"
    made = await payments.refund(ctx, svc, order_id=order.id, amount_fen=amount, reason=reason)
    if made is not None:
        await tell_patient(ctx, svc, order, rx, "refunded",
                           amount=f"{made.amount_fen / 100:.2f}")


def patient_status(status: str, order: CirculationOrder | None = None) -> dict[str, str]:
    """The status as patients (and the pharmacy's lists) say it; `order`, the prescription's
    current order, tells a dispensed order waiting for dispatch from one being dispensed."""
    current = Status(status)
    zh, en = patient_facing(current, awaits_dispatch=order is not None and order.awaits_dispatch
                            ) or (STATUS_LABELS[current], status)
    return {"code": status, "label": zh, "patient_label": zh, "nhs": en}
