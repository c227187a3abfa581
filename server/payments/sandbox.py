"""The sandbox payment gateway: a stand-in for WeChat Pay / Alipay that ships in the product.

It behaves like a real gateway towards the platform: it creates trades and hands out a QR
payload (`weixin://wxpay/bizpayurl?pr=...`-like), and when the patient "pays" (the wallet app
simulated by POST /payments/sandbox/{gateway_trade_no}/pay) it sends a notification signed with
its own private key to the trade's notify_url, over HTTP, in the background, re-signing and
retrying with back-off until it gets a 2xx (WeChat Pay's schedule by default). Refunds, queries
and closing work as at the gateway. For tests and demos it can also send what a real gateway
would not: a duplicate notification, one with a wrong amount, one signed with another key, one
with a stale timestamp.

Its state lives in this process (as a real gateway's lives in its own database): one server
process per sandbox. The transport the callbacks go out on is injectable: the server process
posts to its own public base URL over the network; an in-process test app delivers through
`httpx.ASGITransport(app)`, so callbacks pass the app's middleware and router for real.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.core import outbound
from server.core.clock import Clock
from server.core.keys import PAYMENT_SANDBOX_KEY as SANDBOX_KEY
from server.payments import signature
from server.payments.gateway import (
    GatewayError,
    GatewayNotification,
    GatewayOrder,
    MalformedNotification,
    RefundResult,
    RefundStatus,
    TradeStatus,
)

log = logging.getLogger(__name__)

QR_BASE = "weixin://wxpay/bizpayurl?pr="
# WeChat Pay retries an unacknowledged notification at these intervals (seconds), 15 times.
WECHAT_RETRY_DELAYS = (15.0, 15.0, 30.0, 180.0, 600.0, 1200.0, 1800.0, 1800.0, 1800.0, 3600.0,
                       10800.0, 10800.0, 10800.0, 21600.0, 21600.0)
DELIVERY_TIMEOUT = 5.0

# What a real gateway would not send (or sends again): the sandbox's test controls.
FaultKind = Literal["duplicate", "wrong_amount", "wrong_key", "stale"]
DeliveryKind = Literal["payment", FaultKind]


def load_sandbox_key(key_dir: Path) -> Ed25519PrivateKey:
    """The sandbox gateway's signing key from the key folder (`rxp keys init` creates it); a
    key of this process only when it is missing (notifications then stop verifying after a
    restart, as with a gateway that rotated its key)."""
    path = key_dir / SANDBOX_KEY
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{SANDBOX_KEY} is not an Ed25519 key")
        return key
    log.warning("%s missing in %s: the sandbox gateway signs with a key of this process only",
                SANDBOX_KEY, key_dir)
    return Ed25519PrivateKey.generate()


@dataclass
class SandboxDelivery:
    """One notification and every attempt to deliver it."""

    id: str
    kind: DeliveryKind
    notification_id: str
    # HTTP status per attempt, or the name of the transport error.
    attempts: list[int | str] = field(default_factory=list)
    acknowledged: bool = False
    finished: bool = False


@dataclass
class SandboxTrade:
    out_trade_no: str
    gateway_trade_no: str
    amount_fen: int
    subject: str
    notify_url: str
    expires_at: datetime
    state: TradeStatus = TradeStatus.NOTPAY
    paid_at: datetime | None = None
    # The body of the payment notification, kept so a duplicate is the very same message.
    notification: dict[str, Any] | None = None
    refunds: dict[str, RefundResult] = field(default_factory=dict)
    deliveries: list[SandboxDelivery] = field(default_factory=list)


class SandboxError(Exception):
    """The wallet app's request cannot be done (unknown trade, expired, already paid)."""

    def __init__(self, message: str, *, code: str) -> None:
        self.code = code
        super().__init__(message)


class SandboxGateway:
    name = "sandbox"

    def __init__(self, private_key: Ed25519PrivateKey, *, clock: Clock | None = None,
                 retry_delays: tuple[float, ...] = WECHAT_RETRY_DELAYS,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._private_key = private_key
        # What the platform verifies with: the gateway's public key, as configured.
        self._public_key = private_key.public_key()
        self._clock = clock or Clock()
        self.retry_delays = retry_delays
        self._client = outbound.async_client(transport=transport, timeout=DELIVERY_TIMEOUT)
        self._trades: dict[str, SandboxTrade] = {}
        self._by_gateway_no: dict[str, str] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def deliver_with(self, transport: httpx.AsyncBaseTransport) -> None:
        """Send callbacks through `transport` (e.g. httpx.ASGITransport(app) in-process)."""
        self._client = outbound.async_client(transport=transport, timeout=DELIVERY_TIMEOUT)

    # -- the platform-facing interface (PaymentGateway) ---------------------------------------

    async def create_order(self, *, out_trade_no: str, amount_fen: int, subject: str,
                           notify_url: str, expires_at: datetime) -> GatewayOrder:
        if amount_fen < 1:
            raise GatewayError("金额必须至少为 1 分", code="PARAM_ERROR")
        existing = self._trades.get(out_trade_no)
        if existing is not None:
            # As at WeChat Pay: the same out_trade_no with the same content is the same trade.
            if existing.amount_fen != amount_fen:
                raise GatewayError("商户订单号重复", code="OUT_TRADE_NO_USED")
            return self._order(existing)
        trade = SandboxTrade(out_trade_no=out_trade_no,
                             gateway_trade_no=f"4200{secrets.token_hex(12)}",
                             amount_fen=amount_fen, subject=subject, notify_url=notify_url,
                             expires_at=expires_at)
        self._trades[out_trade_no] = trade
        self._by_gateway_no[trade.gateway_trade_no] = out_trade_no
        return self._order(trade)

    @staticmethod
    def _order(trade: SandboxTrade) -> GatewayOrder:
        return GatewayOrder(gateway_trade_no=trade.gateway_trade_no,
                            qr_payload=QR_BASE + trade.gateway_trade_no,
                            expires_at=trade.expires_at)

    def verify_notification(self, body: bytes,
                            headers: Mapping[str, str]) -> GatewayNotification:
        signature.verify(self._public_key, body, headers, self._clock.now())
        return parse_notification(body)

    async def refund(self, *, out_trade_no: str, out_refund_no: str, amount_fen: int,
                     total_fen: int, reason: str) -> RefundResult:
        trade = self._trades.get(out_trade_no)
        if trade is None:
            raise GatewayError("订单不存在", code="RESOURCE_NOT_EXISTS")
        done = trade.refunds.get(out_refund_no)
        if done is not None:
            return done  # the same out_refund_no is the same refund, never a second one
        if trade.state not in (TradeStatus.SUCCESS, TradeStatus.REFUND):
            return self._refused(out_refund_no, "TRADE_NOT_PAID", "订单未支付，不能退款")
        refunded = sum(int(r.raw.get("amount", 0)) for r in trade.refunds.values()
                       if r.status == RefundStatus.SUCCESS)
        if total_fen != trade.amount_fen or amount_fen < 1 or refunded + amount_fen > total_fen:
            return self._refused(out_refund_no, "INVALID_REQUEST", "退款金额不正确")
        result = RefundResult(
            out_refund_no=out_refund_no, status=RefundStatus.SUCCESS,
            gateway_refund_no=f"5030{secrets.token_hex(12)}", message="退款成功",
            raw={"status": "SUCCESS", "amount": amount_fen, "total": total_fen,
                 "reason": reason, "success_time": self._clock.now().isoformat()})
        trade.refunds[out_refund_no] = result
        trade.state = TradeStatus.REFUND
        return result

    @staticmethod
    def _refused(out_refund_no: str, code: str, message: str) -> RefundResult:
        return RefundResult(out_refund_no=out_refund_no, status=RefundStatus.FAILED,
                            message=message, raw={"code": code, "message": message})

    async def query(self, out_trade_no: str) -> TradeStatus:
        trade = self._trades.get(out_trade_no)
        if trade is None:
            return TradeStatus.NOT_EXIST
        self._expire(trade)
        return trade.state

    async def close(self, out_trade_no: str) -> None:
        trade = self._trades.get(out_trade_no)
        if trade is None:
            raise GatewayError("订单不存在", code="ORDER_NOT_EXIST")
        if trade.state in (TradeStatus.SUCCESS, TradeStatus.REFUND):
            raise GatewayError("订单已支付", code="ORDERPAID")
        trade.state = TradeStatus.CLOSED

    def answer(self, accepted: bool, message: str) -> tuple[int, dict[str, Any]]:
        if accepted:
            return 200, {"code": "SUCCESS", "message": "成功"}
        return 400, {"code": "FAIL", "message": message}

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()

    # -- the wallet app and the test controls -------------------------------------------------

    def adopt(self, trade: SandboxTrade) -> SandboxTrade:
        """Take on a trade another server process created (see sandbox_router._trade)."""
        known = self._trades.setdefault(trade.out_trade_no, trade)
        self._by_gateway_no[known.gateway_trade_no] = known.out_trade_no
        return known

    def trade(self, gateway_trade_no: str) -> SandboxTrade:
        out_trade_no = self._by_gateway_no.get(gateway_trade_no)
        if out_trade_no is None:
            raise SandboxError("沙箱中没有该支付单", code="ORDER_NOT_EXIST")
        trade = self._trades[out_trade_no]
        self._expire(trade)
        return trade

    def pay(self, gateway_trade_no: str, *, deliver: bool = True) -> SandboxDelivery | None:
        """The patient pays in the wallet app. The notification goes out in the background
        (None when `deliver` is False: a callback lost on the way, for reconciliation)."""
        trade = self.trade(gateway_trade_no)
        if trade.state == TradeStatus.CLOSED:
            raise SandboxError("支付单已关闭或已过期，请重新下单", code="ORDER_CLOSED")
        if trade.state != TradeStatus.NOTPAY:
            raise SandboxError("该支付单已支付", code="ORDERPAID")
        trade.state = TradeStatus.SUCCESS
        trade.paid_at = self._clock.now()
        trade.notification = self._notification(trade, trade.amount_fen)
        if not deliver:
            return None
        return self._send(trade, "payment", trade.notification)

    def send_fault(self, gateway_trade_no: str, kind: FaultKind) -> SandboxDelivery:
        """A notification a real gateway would not send (or one it would send again)."""
        trade = self.trade(gateway_trade_no)
        if kind == "duplicate":
            if trade.notification is None:
                raise SandboxError("该支付单尚未支付，没有可重复的通知", code="ORDERNOTPAID")
            return self._send(trade, kind, trade.notification)
        amount = trade.amount_fen + 1 if kind == "wrong_amount" else trade.amount_fen
        return self._send(trade, kind, self._notification(trade, amount))

    def _notification(self, trade: SandboxTrade, amount_fen: int) -> dict[str, Any]:
        now = self._clock.now()
        paid_at = trade.paid_at or now
        return {
            "id": str(uuid.uuid4()), "create_time": now.isoformat(),
            "event_type": "TRANSACTION.SUCCESS", "resource_type": "plain-resource",
            "summary": "支付成功",
            "resource": {"out_trade_no": trade.out_trade_no,
                         "transaction_id": trade.gateway_trade_no,
                         "trade_state": TradeStatus.SUCCESS.value,
                         "success_time": paid_at.isoformat(),
                         "amount": {"total": amount_fen, "payer_total": amount_fen,
                                    "currency": "CNY"}},
        }

    def _send(self, trade: SandboxTrade, kind: DeliveryKind,
              notification: dict[str, Any]) -> SandboxDelivery:
        delivery = SandboxDelivery(id=uuid.uuid4().hex, kind=kind,
                                   notification_id=str(notification["id"]))
        trade.deliveries.append(delivery)
        # The gateway answers the wallet app first and calls the platform afterwards.
        task = asyncio.create_task(self._deliver(trade, delivery, notification))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return delivery

    async def _deliver(self, trade: SandboxTrade, delivery: SandboxDelivery,
                       notification: dict[str, Any]) -> None:
        body = json.dumps(notification, ensure_ascii=False).encode()
        # Only the gateway itself keeps trying; a forger sends once.
        retries = self.retry_delays if delivery.kind in ("payment", "duplicate") else ()
        try:
            for delay in (0.0, *retries):
                if delay:
                    await asyncio.sleep(delay)
                status = await self._attempt(trade, delivery, body)
                delivery.attempts.append(status)
                if isinstance(status, int) and 200 <= status < 300:
                    delivery.acknowledged = True
                    return
        finally:
            delivery.finished = True

    async def _attempt(self, trade: SandboxTrade, delivery: SandboxDelivery,
                       body: bytes) -> int | str:
        now = int(self._clock.now().timestamp())
        if delivery.kind == "wrong_key":
            headers = signature.sign(Ed25519PrivateKey.generate(), body, timestamp=now,
                                     serial=signature.key_serial(self._public_key))
        else:
            stale = signature.MAX_SKEW_SECONDS * 2 if delivery.kind == "stale" else 0
            # Re-signed for every attempt: a retry hours later must not look like a replay.
            headers = signature.sign(self._private_key, body, timestamp=now - stale)
        try:
            response = await self._client.post(trade.notify_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.info("sandbox notification to %s failed: %r", trade.notify_url, exc)
            return type(exc).__name__
        return response.status_code

    def _expire(self, trade: SandboxTrade) -> None:
        if trade.state == TradeStatus.NOTPAY and self._clock.now() >= trade.expires_at:
            trade.state = TradeStatus.CLOSED


def parse_notification(body: bytes) -> GatewayNotification:
    """The fields of a (verified) notification body; MalformedNotification when absent."""
    try:
        data = json.loads(body)
        resource = data["resource"]
        amount = resource["amount"]["total"]
        fields = (data["id"], resource["out_trade_no"], resource["transaction_id"],
                  resource["trade_state"])
        success_time = resource.get("success_time")
    except (ValueError, KeyError, TypeError, RecursionError):
        raise MalformedNotification("通知内容不完整或不是有效的 JSON", signature_ok=True) from None
    if (not all(isinstance(f, str) and 0 < len(f) <= 64 for f in fields)
            or not isinstance(amount, int) or isinstance(amount, bool)):
        raise MalformedNotification("通知字段格式不正确", signature_ok=True)
    paid_at = None
    if success_time is not None:
        try:
            paid_at = datetime.fromisoformat(str(success_time))
        except ValueError:
            raise MalformedNotification("支付时间格式不正确", signature_ok=True) from None
        if paid_at.tzinfo is None:
            raise MalformedNotification("支付时间缺少时区", signature_ok=True)
    notification_id, out_trade_no, gateway_trade_no, status = fields
    return GatewayNotification(notification_id=notification_id, out_trade_no=out_trade_no,
                               gateway_trade_no=gateway_trade_no, amount_fen=amount,
                               status=status, paid_at=paid_at)
