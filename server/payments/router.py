"""HTTP routes of payments: the gateway's callback, and payments as staff see them.

The callback carries no bearer token: its authenticity is the gateway's signature. It is
answered in the gateway's own format, and never with a 500 for what the caller sent.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES, NotFound
from server.identity.dependencies import require
from server.payments import repository, service
from server.payments.gateway import PaymentGateway
from server.payments.schemas import NotificationOut, PaymentOut, RefundOut

log = logging.getLogger(__name__)

router = APIRouter(prefix="/payments", tags=["支付 payments"])

Reader = Annotated[Principal, require(Permission.PAYMENT_READ)]


def _answer(gateway: PaymentGateway, accepted: bool, message: str,
            status: int | None = None) -> JSONResponse:
    code, body = gateway.answer(accepted, message)
    if not accepted:
        # The gateway reads its own fields; the platform's error fields ride along, so logs
        # and tools read this refusal like every other error of the API.
        body = {**body, "error": "NotificationRefused", "detail": message}
    return JSONResponse(body, status or code)


@router.post("/notify/{gateway}", operation_id="payment_notify",
             responses={200: {"description": "已确认（支付平台格式）"},
                        400: {"description": "拒绝：签名、时间戳、金额或格式不符（支付平台格式）"},
                        404: {"description": "未知的支付渠道（支付平台格式）"},
                        500: {"description": "处理失败，支付平台稍后重发（支付平台格式）"}})
async def notify(gateway: str, request: Request, ctx: Ctx, svc: Svc) -> JSONResponse:
    """The payment gateway's notification (支付结果通知)."""
    channel = svc.payment_gateway
    if gateway != channel.name:
        return _answer(channel, False, "未知的支付渠道", 404)
    try:
        outcome = await service.receive_notification(ctx, svc, body=await request.body(),
                                                     headers=request.headers)
    except Exception:
        # Our fault (a listener failed, the database went away): nothing is kept, and the
        # gateway, told so in its own format, calls again later.
        log.exception("payment notification could not be processed")
        ctx.commit_on_error = False
        return _answer(channel, False, "处理失败，请稍后重试", 500)
    return _answer(channel, outcome.acknowledged, outcome.message)


@router.get("/{payment_id}", operation_id="get_payment", response_model=PaymentOut,
            responses=ERROR_RESPONSES)
async def get(payment_id: uuid.UUID, principal: Reader, ctx: Ctx) -> PaymentOut:
    """A payment with its refunds and callback log: for the pharmacy it was paid to, and for
    hospital administrators."""
    payment = await repository.get(ctx.session, payment_id)
    if payment is None or not (principal.can(Permission.PAYMENT_READ_ALL)
                               or principal.sees(payment.pharmacy_id)):
        raise NotFound("支付单不存在")  # no hint that another pharmacy's payment exists
    out = PaymentOut.model_validate(payment)
    out.refunds = [RefundOut.model_validate(r)
                   for r in await repository.refunds_of(ctx.session, payment.id)]
    out.notifications = [NotificationOut.model_validate(n)
                         for n in await repository.notifications_of(ctx.session, payment.id)]
    return out
