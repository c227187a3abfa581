"""HTTP routes of the sandbox gateway: the wallet app's "pay", and the test controls.

Mounted only when the sandbox is the configured gateway, and never in production (anyone could
mark a trade paid here). No bearer token, as at a real gateway: these stand for the gateway's
side, not the platform's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES, Conflict, NotFound
from server.payments.gateway import TradeStatus
from server.payments.models import Payment, PaymentMethod, PaymentStatus
from server.payments.sandbox import SandboxError, SandboxGateway, SandboxTrade
from server.payments.schemas import (
    SandboxDeliveryOut,
    SandboxNotificationIn,
    SandboxPayIn,
    SandboxTradeOut,
)
from server.payments.service import notify_url

router = APIRouter(prefix="/payments/sandbox", tags=["支付沙箱 payment sandbox"],
                   responses=ERROR_RESPONSES)


async def _sandbox(svc: Svc) -> SandboxGateway:  # async: not on the thread pool
    gateway = svc.payment_gateway
    if not isinstance(gateway, SandboxGateway):
        raise NotFound("支付沙箱未启用")
    return gateway


Sandbox = Annotated[SandboxGateway, Depends(_sandbox)]


async def _trade(ctx: Ctx, svc: Svc, sandbox: SandboxGateway,
                 gateway_trade_no: str) -> SandboxTrade:
    try:
        return sandbox.trade(gateway_trade_no)
    except SandboxError as exc:
        # The sandbox keeps its trades in the memory of the process that created them; with
        # several server processes the wallet's request may reach another one, which rebuilds
        # the trade from the platform's payment row (a real gateway has a database of its own).
        payment = (await ctx.session.scalars(select(Payment).where(
            Payment.gateway_trade_no == gateway_trade_no,
            Payment.method == PaymentMethod.ONLINE))).first()
        if payment is None or payment.expires_at is None:
            raise NotFound(str(exc), code=exc.code) from None
        return sandbox.adopt(SandboxTrade(
            out_trade_no=payment.out_trade_no, gateway_trade_no=gateway_trade_no,
            amount_fen=payment.amount_fen, subject=payment.subject,
            notify_url=notify_url(svc), expires_at=payment.expires_at,
            state=TradeStatus.NOTPAY if payment.status == PaymentStatus.CREATED
            else TradeStatus.SUCCESS))


def _out(trade: SandboxTrade) -> SandboxTradeOut:
    return SandboxTradeOut(
        out_trade_no=trade.out_trade_no, gateway_trade_no=trade.gateway_trade_no,
        amount_fen=trade.amount_fen, subject=trade.subject, state=trade.state.value,
        expires_at=trade.expires_at, paid_at=trade.paid_at,
        deliveries=[SandboxDeliveryOut.model_validate(d) for d in trade.deliveries],
        refunds=[{"out_refund_no": r.out_refund_no, "status": r.status.value, **r.raw}
                 for r in trade.refunds.values()])


@router.get("/{gateway_trade_no}", operation_id="sandbox_trade", response_model=SandboxTradeOut)
async def trade(gateway_trade_no: str, sandbox: Sandbox, ctx: Ctx,
                svc: Svc) -> SandboxTradeOut:
    """The trade as the gateway sees it, with every notification delivery and its attempts."""
    return _out(await _trade(ctx, svc, sandbox, gateway_trade_no))


@router.post("/{gateway_trade_no}/pay", operation_id="sandbox_pay",
             response_model=SandboxTradeOut, status_code=202)
async def pay(gateway_trade_no: str, sandbox: Sandbox, ctx: Ctx, svc: Svc,
              body: SandboxPayIn | None = None) -> SandboxTradeOut:
    """The patient pays in the wallet app; the gateway then notifies the platform (202: the
    notification follows in the background)."""
    found = await _trade(ctx, svc, sandbox, gateway_trade_no)
    try:
        sandbox.pay(gateway_trade_no, deliver=body.notify if body else True)
    except SandboxError as exc:
        raise Conflict(str(exc), code=exc.code) from None
    ctx.note("payment_sandbox.pay", "sandbox_trade", gateway_trade_no,
             out_trade_no=found.out_trade_no, amount_fen=found.amount_fen)
    return _out(found)


@router.post("/{gateway_trade_no}/notifications", operation_id="sandbox_send_notification",
             response_model=SandboxDeliveryOut, status_code=202)
async def send_notification(gateway_trade_no: str, body: SandboxNotificationIn,
                            sandbox: Sandbox, ctx: Ctx, svc: Svc) -> SandboxDeliveryOut:
    """Send a notification a real gateway would not: a duplicate, a wrong amount, a wrong
    key, a stale timestamp (tests and demonstrations)."""
    await _trade(ctx, svc, sandbox, gateway_trade_no)
    try:
        delivery = sandbox.send_fault(gateway_trade_no, body.kind)
    except SandboxError as exc:
        raise Conflict(str(exc), code=exc.code) from None
    ctx.note("payment_sandbox.notification", "sandbox_trade", gateway_trade_no, kind=body.kind)
    return SandboxDeliveryOut.model_validate(delivery)
