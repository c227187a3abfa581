"""Refunds of online payments through the outbox: the handler of destination `payment_refund`.

`queue` writes the refund request in the transaction that decides it (an order cancelled,
returned, not dispensed; a payment that arrived after its QR code was closed), keyed by the
payment. The relay calls `RefundRequests.deliver`, which asks the gateway under the refund's
`out_refund_no` (derived from the payment: however often the request is delivered, retried or
asked for again, it is the same refund, and the gateway pays it back once), then records the
gateway's answer on the refund and the payment in a transaction of its own:

- SUCCESS: refund succeeded, payment refunded; PROCESSING: the gateway has it (refunding);
- FAILED (the gateway refuses, e.g. the trade is not paid): refund failed, payment
  refund_failed, and the message is a dead letter at once with the gateway's reason, for the
  administrator to retry once the cause is cleared;
- no answer (GatewayError: unreachable, timeout): the refund stays pending with the error, and
  the outbox tries again after its back-off.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import repository as audit_repository
from server.core.services import Services
from server.outbox.handlers import Delivery, DeliveryFailed, DeliveryRefused
from server.outbox.service import enqueue
from server.payments.gateway import GatewayError, RefundResult, RefundStatus
from server.payments.models import Payment, PaymentStatus, Refund, RefundState

DESTINATION = "payment_refund"

OUTCOME = {
    RefundStatus.SUCCESS: (RefundState.SUCCEEDED, PaymentStatus.REFUNDED),
    RefundStatus.PROCESSING: (RefundState.PROCESSING, PaymentStatus.REFUNDING),
    RefundStatus.FAILED: (RefundState.FAILED, PaymentStatus.REFUND_FAILED),
}


async def queue(session: AsyncSession, svc: Services, payment: Payment,
                refund: Refund) -> uuid.UUID:
    """Queue the request of `refund` to the gateway in the current transaction."""
    payload = {"refund_id": str(refund.id), "payment_id": str(payment.id),
               "gateway": payment.gateway, "out_trade_no": payment.out_trade_no,
               "out_refund_no": refund.out_refund_no, "amount_fen": refund.amount_fen,
               "total_fen": payment.amount_fen, "reason": refund.reason}
    message = await enqueue(session, destination=DESTINATION, topic=payment.gateway or "",
                            ordering_key=f"payment:{payment.id}",
                            payload=json.dumps(payload, ensure_ascii=False), now=svc.clock.now())
    return message.id


class RefundRequests:
    def __init__(self, svc: Services) -> None:
        self.svc = svc

    async def deliver(self, delivery: Delivery) -> None:
        request = json.loads(delivery.payload)
        gateway = self.svc.payment_gateway
        if request["gateway"] and request["gateway"] != gateway.name:
            raise DeliveryFailed(f"退款须经收款的支付渠道 {request['gateway']}，"
                                 f"当前配置的是 {gateway.name}")
        try:
            result = await gateway.refund(
                out_trade_no=request["out_trade_no"], out_refund_no=request["out_refund_no"],
                amount_fen=request["amount_fen"], total_fen=request["total_fen"],
                reason=request["reason"])
        except GatewayError as exc:
            message = f"支付渠道未完成退款请求（{exc.code}）：{exc}"
            await self._record(delivery, request, None, error=message)
            raise DeliveryFailed(message) from exc
        await self._record(delivery, request, result, error=None)
        if result.status == RefundStatus.FAILED:
            raise DeliveryRefused(f"支付渠道拒绝退款：{result.message or result.raw}")

    async def _record(self, delivery: Delivery, request: dict[str, Any],
                      result: RefundResult | None, *, error: str | None) -> None:
        """The gateway's answer on the refund and its payment (a refund already succeeded,
        by an earlier delivery of this message or of a repeated request, stays as it is)."""
        async with self.svc.db.session() as session, session.begin():
            refund = await session.get(Refund, uuid.UUID(request["refund_id"]),
                                       with_for_update=True)
            payment = await session.get(Payment, uuid.UUID(request["payment_id"]),
                                        with_for_update=True)
            if refund is None or payment is None or refund.status == RefundState.SUCCEEDED:
                return
            if result is None:
                refund.gateway_message = error
                return
            refund.status, payment.status = OUTCOME[result.status]
            refund.gateway_refund_no = result.gateway_refund_no
            refund.gateway_status = result.status.value
            refund.gateway_message = result.message
            refund.gateway_answer = result.raw
            if result.status == RefundStatus.SUCCESS:
                refund.completed_at = self.svc.clock.now()
            if result.status == RefundStatus.PROCESSING:
                return
            await session.flush()
            await audit_repository.append(session, {
                "occurred_at": datetime.now(UTC), "actor_kind": "system",
                "actor_name": "rxp-outbox", "action": "payment.refund_delivered",
                "entity_type": "payment", "entity_id": str(payment.id),
                "outcome": "success" if result.status == RefundStatus.SUCCESS else "failure",
                "request_id": uuid.uuid4().hex,
                "summary": {"refund_id": str(refund.id), "out_refund_no": refund.out_refund_no,
                            "amount_fen": refund.amount_fen, "gateway_status": result.status,
                            "message": result.message, "message_id": str(delivery.id),
                            "attempt": delivery.attempt}})
