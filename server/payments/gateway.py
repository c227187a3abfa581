"""The interface to a payment gateway (支付渠道), and how one is chosen from configuration.

The platform asks the gateway for a payment order and shows its QR payload; the patient pays in
the wallet app; the gateway then calls the platform back with a signed notification (and retries
until the platform acknowledges it). Modelled on the public WeChat Pay v3 and Alipay behaviour:
amounts in fen, a `SUCCESS` trade state, notifications signed by the gateway's private key with a
timestamp and a nonce in the headers, verified with the gateway's public key from configuration.

`payment_gateway_for_url`: `sim://` is the sandbox gateway that ships in the product
(server/payments/sandbox.py). A real WeChat Pay or Alipay adapter is another implementation of
`PaymentGateway`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from server.core.clock import Clock


class TradeStatus(StrEnum):
    """A trade's state at the gateway (WeChat Pay's `trade_state` vocabulary)."""

    NOTPAY = "NOTPAY"
    SUCCESS = "SUCCESS"
    CLOSED = "CLOSED"
    REFUND = "REFUND"
    PAYERROR = "PAYERROR"
    NOT_EXIST = "NOT_EXIST"  # the gateway does not know the trade (ORDER_NOT_EXIST)


class RefundStatus(StrEnum):
    SUCCESS = "SUCCESS"
    PROCESSING = "PROCESSING"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class GatewayOrder:
    gateway_trade_no: str
    # The text to show as a QR code; the wallet app opens it.
    qr_payload: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class GatewayNotification:
    """A verified callback: the gateway says this trade reached `status`."""

    notification_id: str
    out_trade_no: str
    gateway_trade_no: str
    amount_fen: int
    status: str  # TradeStatus value; anything else is kept as sent
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class RefundResult:
    out_refund_no: str
    status: RefundStatus
    gateway_refund_no: str | None = None
    message: str | None = None
    # The gateway's answer as it came, for the refund record.
    raw: dict[str, Any] = field(default_factory=dict)


class GatewayError(Exception):
    """The gateway could not be reached, or refused a request."""

    def __init__(self, message: str, *, code: str = "SYSTEM_ERROR") -> None:
        self.code = code
        super().__init__(message)


class ForgedNotification(Exception):
    """A callback that does not verify: bad or missing signature, unknown key, or malformed.

    `signature_ok` is True when the signature verified but the content could not be read.
    """

    reason = "signature"

    def __init__(self, message: str, *, signature_ok: bool = False) -> None:
        self.signature_ok = signature_ok
        super().__init__(message)


class StaleNotification(ForgedNotification):
    """Signed too long ago (or in the future): a replay, or a clock far off."""

    reason = "stale"


class MalformedNotification(ForgedNotification):
    """Not a notification at all: missing headers, unreadable body, missing fields."""

    reason = "malformed"


class PaymentGateway(Protocol):
    # The path segment of the notification URL: /payments/notify/{name}.
    name: str

    async def create_order(self, *, out_trade_no: str, amount_fen: int, subject: str,
                           notify_url: str, expires_at: datetime) -> GatewayOrder: ...

    def verify_notification(self, body: bytes,
                            headers: Mapping[str, str]) -> GatewayNotification: ...

    async def refund(self, *, out_trade_no: str, out_refund_no: str, amount_fen: int,
                     total_fen: int, reason: str) -> RefundResult: ...

    async def query(self, out_trade_no: str) -> TradeStatus: ...

    async def close(self, out_trade_no: str) -> None:
        """Close an unpaid trade so its QR code can no longer be paid."""
        ...

    def answer(self, accepted: bool, message: str) -> tuple[int, dict[str, Any]]:
        """The HTTP status and JSON body the gateway expects in reply to a notification."""
        ...

    async def aclose(self) -> None: ...


def payment_gateway_for_url(url: str, *, key_dir: Path, clock: Clock) -> PaymentGateway:
    """`sim://[?retry_delays=15,15,30]` -> the sandbox gateway, in this process."""
    parts = urlsplit(url)
    if parts.scheme == "sim":
        from server.payments.sandbox import SandboxGateway, load_sandbox_key

        options = parse_qs(parts.query)
        kwargs: dict[str, Any] = {}
        if "retry_delays" in options:
            kwargs["retry_delays"] = tuple(
                float(d) for d in options["retry_delays"][0].split(",") if d.strip())
        return SandboxGateway(load_sandbox_key(key_dir), clock=clock, **kwargs)
    raise ValueError(f"不支持的支付渠道地址：{url}（目前仅支持 sim:// 沙箱）")
