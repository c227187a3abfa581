"""Payments of orders: online through the gateway, at the counter, callbacks, refunds.

The circulation core calls these inside its own requests (they never commit; the request's unit
of work does). Online: `start_online` creates the gateway trade and returns the payment with its
QR payload; the gateway's signed callback reaches `handle_notification`, which marks the payment
paid once and runs the `on_paid` listeners in that same transaction. Counter payments are paid
when registered. A refund of an online payment is queued in the outbox in the transaction that
decides it (server/payments/refunds.py asks the gateway, with retries, and records its answer);
a counter payment's refund is recorded for the pharmacy to pay out.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.access import scope
from server.core.context import RequestContext
from server.core.errors import Conflict, NotPermitted, ServiceUnavailable, Unprocessable
from server.core.services import Services
from server.payments import listeners, refunds, repository
from server.payments.gateway import (
    ForgedNotification,
    GatewayError,
    GatewayNotification,
    TradeStatus,
)
from server.payments.models import (
    SETTLED,
    Payment,
    PaymentMethod,
    PaymentNotification,
    PaymentStatus,
    Refund,
    RefundState,
)
from server.payments.split import InsuranceSplit, checked_split

log = logging.getLogger(__name__)

NOTIFY_PATH = "/payments/notify/{gateway}"
# A notification is a few hundred bytes; anything far larger is not one.
MAX_NOTIFICATION_BYTES = 64 * 1024
# An open QR code is offered again only while the patient still has time to pay it.
REUSE_MARGIN = timedelta(minutes=1)
SUBJECT_MAX, REASON_MAX, RECEIPT_MAX, NAME_MAX = 128, 500, 64, 100
# Headers worth keeping in the log: those that sign the message, and who sent it.
HEADER_WORDS = ("timestamp", "nonce", "signature", "serial", "content-type", "user-agent",
                "request-id")
HEADER_VALUE_MAX, HEADERS_KEPT_MAX = 512, 20
# Which payment stands for the order, best first.
ORDER_PRIORITY = (PaymentStatus.PAID, PaymentStatus.REFUND_FAILED, PaymentStatus.REFUNDING,
                  PaymentStatus.REFUNDED, PaymentStatus.CREATED)


def _note(ctx: RequestContext, action: str, payment: Payment, **summary: Any) -> None:
    """The audit fact; inside another domain's request (an order being placed) it joins that
    request's own event instead of replacing it."""
    facts = {"order_id": str(payment.order_id), "amount_fen": payment.amount_fen, **summary}
    if ctx.audit is None:
        ctx.note(action, "payment", payment.id, **facts)
    else:
        ctx.audit.summary.setdefault("payments", []).append(
            {"action": action, "payment_id": str(payment.id), **facts})


def _actor(ctx: RequestContext) -> tuple[uuid.UUID | None, str]:
    principal = ctx.principal
    if principal is None:
        return None, "系统"
    return principal.id, principal.name[:NAME_MAX]


def notify_url(svc: Services) -> str:
    path = NOTIFY_PATH.format(gateway=svc.payment_gateway.name)
    return svc.settings.public_base_url.rstrip("/") + path


async def _close(ctx: RequestContext, svc: Services, payment: Payment, reason: str) -> None:
    if payment.method == PaymentMethod.ONLINE and payment.gateway_trade_no:
        try:
            await svc.payment_gateway.close(payment.out_trade_no)
        except GatewayError as exc:
            # Paid meanwhile, or the gateway unreachable: the trade expires on its own, and a
            # payment that still arrives is refunded when its notification comes.
            log.info("closing trade %s at the gateway: %s", payment.out_trade_no, exc)
    payment.status = PaymentStatus.CLOSED
    payment.closed_at = svc.clock.now()
    payment.close_reason = reason[:200]


def _reusable(payment: Payment, amount_fen: int, now: datetime) -> bool:
    return (payment.method == PaymentMethod.ONLINE and payment.amount_fen == amount_fen
            and payment.expires_at is not None and payment.expires_at > now + REUSE_MARGIN)


async def start_online(ctx: RequestContext, svc: Services, *, order_id: uuid.UUID,
                       patient_id: uuid.UUID, pharmacy_id: uuid.UUID, amount_fen: int,
                       subject: str, split: InsuranceSplit | None = None) -> Payment:
    """An online payment of the order with its QR payload. The order's open payment is reused
    when it is for the same amount and still payable; one for another amount is closed."""
    parts = checked_split(amount_fen, split)
    now = svc.clock.now()
    payments = await repository.for_order(ctx.session, order_id, lock=True)
    if any(p.status in SETTLED for p in payments):
        raise Conflict("该订单已支付，不能再次发起支付", field="order_id")
    for existing in payments:
        if existing.status != PaymentStatus.CREATED:
            continue
        if _reusable(existing, amount_fen, now):
            existing.fund_fen, existing.personal_account_fen, existing.cash_fen = (
                parts.fund_fen, parts.personal_account_fen, parts.cash_fen)
            _note(ctx, "payment.reuse_online", existing, out_trade_no=existing.out_trade_no)
            return existing
        await _close(ctx, svc, existing, "订单金额变更或支付码过期，已重新下单")
    await ctx.session.flush()  # the closed one leaves the one-open-payment index first

    payment = Payment(
        id=uuid.uuid4(), order_id=order_id, patient_id=patient_id, pharmacy_id=pharmacy_id,
        amount_fen=amount_fen, fund_fen=parts.fund_fen,
        personal_account_fen=parts.personal_account_fen, cash_fen=parts.cash_fen,
        method=PaymentMethod.ONLINE, status=PaymentStatus.CREATED,
        subject=(subject.strip() or "处方药品")[:SUBJECT_MAX], out_trade_no=uuid.uuid4().hex,
        gateway=svc.payment_gateway.name)
    ctx.session.add(payment)
    await ctx.session.flush()
    try:
        order = await svc.payment_gateway.create_order(
            out_trade_no=payment.out_trade_no, amount_fen=amount_fen, subject=payment.subject,
            notify_url=notify_url(svc),
            expires_at=now + timedelta(minutes=svc.settings.payment_expiry_minutes))
    except GatewayError as exc:
        log.warning("gateway refused or unreachable creating %s: %s", payment.out_trade_no, exc)
        raise ServiceUnavailable("支付渠道暂不可用，请稍后重试或到药店柜台支付") from exc
    payment.gateway_trade_no = order.gateway_trade_no
    payment.qr_payload = order.qr_payload
    payment.expires_at = order.expires_at
    _note(ctx, "payment.start_online", payment, out_trade_no=payment.out_trade_no)
    return payment


async def register_offline(ctx: RequestContext, svc: Services, *, order_id: uuid.UUID,
                           patient_id: uuid.UUID, pharmacy_id: uuid.UUID, amount_fen: int,
                           receipt_no: str, split: InsuranceSplit | None = None) -> Payment:
    """A payment taken at the pharmacy counter, registered by that pharmacy's staff: paid at
    once (the `on_paid` listeners run). The order's open QR code is closed."""
    principal = ctx.principal
    if principal is None or principal.kind != "user" or not principal.sees(pharmacy_id):
        raise NotPermitted("只有该药店的工作人员可以登记柜台收款", field="pharmacy_id")
    receipt = receipt_no.strip()
    if not receipt or len(receipt) > RECEIPT_MAX:
        raise Unprocessable(f"收款小票号必填，且不超过 {RECEIPT_MAX} 个字符", field="receipt_no")
    parts = checked_split(amount_fen, split)
    payments = await repository.for_order(ctx.session, order_id, lock=True)
    for existing in payments:
        if existing.status not in SETTLED:
            continue
        if (existing.method == PaymentMethod.OFFLINE and existing.receipt_no == receipt
                and existing.amount_fen == amount_fen):
            return existing  # the same registration again
        raise Conflict("该订单已支付，不能重复收款", field="order_id")
    for existing in payments:
        if existing.status == PaymentStatus.CREATED:
            await _close(ctx, svc, existing, "已在药店柜台收款")
    now = svc.clock.now()
    actor_id, actor_name = _actor(ctx)
    payment = Payment(
        id=uuid.uuid4(), order_id=order_id, patient_id=patient_id, pharmacy_id=pharmacy_id,
        amount_fen=amount_fen, fund_fen=parts.fund_fen,
        personal_account_fen=parts.personal_account_fen, cash_fen=parts.cash_fen,
        method=PaymentMethod.OFFLINE, status=PaymentStatus.PAID, subject="药店柜台收款",
        out_trade_no=uuid.uuid4().hex, paid_at=now, registered_by_id=actor_id,
        registered_by_name=actor_name, receipt_no=receipt)
    ctx.session.add(payment)
    await ctx.session.flush()
    await listeners.notify_paid(ctx, svc, payment)
    _note(ctx, "payment.register_offline", payment, receipt_no=receipt)
    return payment


# -- gateway notifications ------------------------------------------------------------------

@dataclass
class NotificationOutcome:
    payment: Payment | None
    # True: answer the gateway with success (it stops calling); False: refuse.
    acknowledged: bool
    outcome: str
    message: str


def _kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if any(word in lower for word in HEADER_WORDS) and len(kept) < HEADERS_KEPT_MAX:
            kept[lower[:100].replace("\x00", "")] = value[:HEADER_VALUE_MAX].replace("\x00", "")
    return kept


async def handle_notification(ctx: RequestContext, svc: Services, *, body: bytes,
                              headers: Mapping[str, str]) -> tuple[Payment | None, bool]:
    """(payment, acknowledged): see `receive_notification`."""
    outcome = await receive_notification(ctx, svc, body=body, headers=headers)
    return outcome.payment, outcome.acknowledged


async def receive_notification(ctx: RequestContext, svc: Services, *, body: bytes,
                               headers: Mapping[str, str]) -> NotificationOutcome:
    """Verify, log and apply one gateway callback.

    Every callback is logged. A forged, stale, malformed or wrong-amount one changes nothing
    else, is refused and audited as a security event (the log and the event are kept although
    the answer is an error). A repeated one is acknowledged and changes nothing. The first
    successful one marks the payment paid and runs the `on_paid` listeners.
    """
    # The gateway acts for no user: its callback is the server's own bookkeeping, and the
    # listeners move orders of any organisation.
    await scope.system_scope(ctx.session)
    entry = PaymentNotification(
        id=uuid.uuid4(), gateway=svc.payment_gateway.name,
        outcome="malformed", body=body[:MAX_NOTIFICATION_BYTES],
        body_truncated=len(body) > MAX_NOTIFICATION_BYTES, headers=_kept_headers(headers),
        remote_ip=ctx.ip, signature_ok=False, duplicate=False)
    ctx.session.add(entry)

    def refuse(outcome: str, message: str, payment: Payment | None = None) -> NotificationOutcome:
        entry.outcome, entry.detail = outcome, message
        ctx.commit_on_error = True  # the answer is an error; the log and the audit must stay
        ctx.note("security.payment_notification_refused", "payment_notification", entry.id,
                 reason=outcome, detail=message, out_trade_no=entry.out_trade_no,
                 payment_id=str(payment.id) if payment else None)
        return NotificationOutcome(payment, False, outcome, message)

    if entry.body_truncated:
        return refuse("malformed", "通知内容过大")
    try:
        notice = svc.payment_gateway.verify_notification(body, headers)
    except ForgedNotification as exc:
        entry.signature_ok = exc.signature_ok
        return refuse(exc.reason if exc.reason != "signature" else "forged", str(exc))
    entry.signature_ok = True
    entry.notification_id = notice.notification_id
    entry.out_trade_no = notice.out_trade_no

    payment = await repository.by_out_trade_no(ctx.session, notice.out_trade_no, lock=True)
    if payment is None or payment.method != PaymentMethod.ONLINE:
        return refuse("unknown_trade", "商户订单号不存在")
    entry.payment_id = payment.id
    if payment.gateway_trade_no and notice.gateway_trade_no != payment.gateway_trade_no:
        return refuse("wrong_trade", "支付平台交易号与该支付单不符", payment)
    entry.amount_ok = notice.amount_fen == payment.amount_fen
    if not entry.amount_ok:
        return refuse("wrong_amount", f"通知金额 {notice.amount_fen} 分与应付金额"
                                      f" {payment.amount_fen} 分不符", payment)
    return await _apply(ctx, svc, entry, payment, notice)


async def _apply(ctx: RequestContext, svc: Services, entry: PaymentNotification,
                 payment: Payment, notice: GatewayNotification) -> NotificationOutcome:
    def done(outcome: str, message: str) -> NotificationOutcome:
        entry.outcome, entry.detail = outcome, message
        return NotificationOutcome(payment, True, outcome, message)

    if notice.status != TradeStatus.SUCCESS:
        return done("not_success", f"交易状态 {notice.status[:20]}，未改变支付单")
    if payment.status in SETTLED:
        entry.duplicate = True
        _note(ctx, "payment.notification_duplicate", payment,
              notification_id=notice.notification_id)
        return done("duplicate", "重复通知，已确认")
    paid_at = notice.paid_at or svc.clock.now()
    if payment.status == PaymentStatus.CLOSED:
        # Paid with a QR code the platform had already closed (the amount changed, or paid at
        # the counter meanwhile): the money goes back, the order is not moved a second time.
        payment.status, payment.paid_at = PaymentStatus.PAID, paid_at
        refund_row = await _refund_payment(ctx, svc, payment, "支付单已关闭后到账，自动退款")
        _note(ctx, "payment.paid_after_close", payment, refund_status=refund_row.status)
        return done("paid_after_close", "支付单已关闭，款项已原路退回")
    payment.status, payment.paid_at = PaymentStatus.PAID, paid_at
    payment.gateway_trade_no = notice.gateway_trade_no
    await ctx.session.flush()
    await listeners.notify_paid(ctx, svc, payment)
    _note(ctx, "payment.paid", payment, gateway_trade_no=notice.gateway_trade_no,
          notification_id=notice.notification_id)
    return done("accepted", "支付成功")


async def reconcile(ctx: RequestContext, svc: Services, *,
                    order_id: uuid.UUID) -> Payment | None:
    """Ask the gateway about the order's open online payment (when a callback never came):
    paid there -> paid here, listeners included; closed or unknown there -> closed here."""
    payments = await repository.for_order(ctx.session, order_id, lock=True)
    payment = next((p for p in payments if p.status == PaymentStatus.CREATED), None)
    if payment is None:
        return await payment_for_order(ctx.session, order_id)
    try:
        state = await svc.payment_gateway.query(payment.out_trade_no)
    except GatewayError as exc:
        raise ServiceUnavailable("支付渠道暂不可用，请稍后再查询") from exc
    if state == TradeStatus.SUCCESS:
        payment.status, payment.paid_at = PaymentStatus.PAID, svc.clock.now()
        await ctx.session.flush()
        await listeners.notify_paid(ctx, svc, payment)
        _note(ctx, "payment.reconciled", payment, gateway_state=state.value)
    elif state in (TradeStatus.CLOSED, TradeStatus.NOT_EXIST, TradeStatus.PAYERROR):
        await _close(ctx, svc, payment, f"支付渠道状态 {state.value}")
        _note(ctx, "payment.reconciled", payment, gateway_state=state.value)
    return payment


# -- refunds --------------------------------------------------------------------------------

async def _refund_payment(ctx: RequestContext, svc: Services, payment: Payment,
                          reason: str) -> Refund:
    row = await repository.refund_of(ctx.session, payment.id)
    if row is not None and row.status != RefundState.FAILED:
        return row
    actor_id, actor_name = _actor(ctx)
    if row is None:
        row = Refund(id=uuid.uuid4(), payment_id=payment.id,
                     out_refund_no=f"R{payment.id.hex}", amount_fen=payment.amount_fen)
        ctx.session.add(row)
    row.reason, row.requested_by_id, row.requested_by_name = reason, actor_id, actor_name
    if payment.method == PaymentMethod.OFFLINE:
        row.status = RefundState.AWAITING_PAYOUT
        payment.status = PaymentStatus.REFUNDING
        await ctx.session.flush()
        return row
    # Queued with this transaction: the gateway is asked after the commit, again until it
    # answers, always under the same out_refund_no, so the money goes back exactly once.
    row.status, payment.status = RefundState.PENDING, PaymentStatus.REFUNDING
    row.gateway_message = None
    await ctx.session.flush()
    await refunds.queue(ctx.session, svc, payment, row)
    return row


async def refund(ctx: RequestContext, svc: Services, *, order_id: uuid.UUID,
                 reason: str) -> Refund | None:
    """Give the order's money back: online through the gateway, a counter payment recorded for
    the pharmacy to pay out. None when nothing was paid (an open QR code is closed, so it
    cannot be paid any more). Asking again returns the same refund (a failed one is retried
    under the same refund number)."""
    text = reason.strip()
    if not text or len(text) > REASON_MAX:
        raise Unprocessable(f"退款原因必填，且不超过 {REASON_MAX} 个字符", field="reason")
    payments = await repository.for_order(ctx.session, order_id, lock=True)
    for existing in payments:
        if existing.status == PaymentStatus.CREATED:
            await _close(ctx, svc, existing, f"订单取消：{text}")
    payment = next((p for status in ORDER_PRIORITY[:-1] for p in payments
                    if p.status == status), None)
    if payment is None:
        return None
    row = await _refund_payment(ctx, svc, payment, text)
    _note(ctx, "payment.refund", payment, refund_id=str(row.id), refund_status=row.status)
    return row


async def payment_for_order(session: AsyncSession, order_id: uuid.UUID) -> Payment | None:
    """The payment that stands for the order: a paid one (or one being refunded), else the
    open one, else the latest closed one."""
    payments = await repository.for_order(session, order_id)
    for status in ORDER_PRIORITY:
        for payment in payments:
            if payment.status == status:
                return payment
    return payments[0] if payments else None
