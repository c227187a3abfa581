"""Response and request bodies of the payments API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.payments.sandbox import FaultKind


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    out_refund_no: str
    amount_fen: int
    reason: str
    status: str = Field(description="pending 已排队待发往支付渠道 | processing 渠道处理中 | "
                                    "succeeded 已退款 | failed 渠道拒绝（见死信）| "
                                    "awaiting_payout 待药店柜台退现")
    requested_by_id: uuid.UUID | None
    requested_by_name: str | None
    gateway_refund_no: str | None
    gateway_status: str | None
    gateway_message: str | None
    completed_at: datetime | None
    created_at: datetime


class NotificationOut(BaseModel):
    """One entry of the callback log (the raw body stays in the database)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    received_at: datetime
    outcome: str
    detail: str | None
    notification_id: str | None
    remote_ip: str | None
    signature_ok: bool
    amount_ok: bool | None
    duplicate: bool


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    order_id: uuid.UUID
    patient_id: uuid.UUID
    pharmacy_id: uuid.UUID
    amount_fen: int = Field(description="金额（分）")
    fund_fen: int = Field(description="统筹基金支付（分）")
    personal_account_fen: int = Field(description="个人账户支付（分）")
    cash_fen: int = Field(description="现金支付（分）")
    method: Literal["online", "offline"]
    status: str
    subject: str
    out_trade_no: str
    gateway: str | None
    gateway_trade_no: str | None
    qr_payload: str | None
    expires_at: datetime | None
    paid_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    registered_by_id: uuid.UUID | None
    registered_by_name: str | None
    receipt_no: str | None
    created_at: datetime
    refunds: list[RefundOut] = []
    notifications: list[NotificationOut] = []


class SandboxNotificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: FaultKind = Field(
        description="duplicate 重复通知；wrong_amount 金额不符；wrong_key 错误密钥签名；"
                    "stale 过期时间戳")


class SandboxPayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # False: the payment succeeds but its notification is lost (for reconciliation).
    notify: bool = True


class SandboxDeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    notification_id: str
    attempts: list[int | str]
    acknowledged: bool
    finished: bool


class SandboxTradeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    out_trade_no: str
    gateway_trade_no: str
    amount_fen: int
    subject: str
    state: str
    expires_at: datetime
    paid_at: datetime | None
    deliveries: list[SandboxDeliveryOut]
    refunds: list[dict[str, Any]] = []
