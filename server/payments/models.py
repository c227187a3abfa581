"""Payments of orders, the log of every gateway notification, and refunds.

Amounts are integer fen. `order_id` is the circulation order's id; payments are only ever
started by circulation (server/circulation), which is why there is no foreign key: the payment
service stays usable, and testable, on its own. No row-level security here: the notification
callback has no principal, and a payment is started in the patient's request for a pharmacy
the patient's scope does not cover; the router checks who may read a payment
(server/payments/router.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class PaymentMethod(StrEnum):
    ONLINE = "online"  # through the payment gateway (QR code)
    OFFLINE = "offline"  # at the pharmacy counter, registered by its staff


class PaymentStatus(StrEnum):
    CREATED = "created"
    PAID = "paid"
    CLOSED = "closed"
    REFUNDING = "refunding"
    REFUNDED = "refunded"
    REFUND_FAILED = "refund_failed"


# The payment took the patient's money (and may be on its way back).
SETTLED = frozenset({PaymentStatus.PAID, PaymentStatus.REFUNDING, PaymentStatus.REFUNDED,
                     PaymentStatus.REFUND_FAILED})


class RefundState(StrEnum):
    PENDING = "pending"  # queued in the outbox: the gateway is asked after the commit
    PROCESSING = "processing"  # the gateway has it
    SUCCEEDED = "succeeded"
    # The gateway refused it: a dead letter in the outbox (the administrator retries it), and
    # asking again queues it again; both use the same out_refund_no
    FAILED = "failed"
    AWAITING_PAYOUT = "awaiting_payout"  # a counter payment: the pharmacy pays the cash back


class Payment(Entity, Base):
    __tablename__ = "payment"

    order_id: Mapped[uuid.UUID] = mapped_column(index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"))
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # The medical-insurance split (统筹基金 / 个人账户 / 现金), as data; it adds up to amount.
    fund_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    personal_account_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    cash_fen: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.CREATED.value)
    subject: Mapped[str] = mapped_column(String(128))
    # Our number for the trade at the gateway (also given to counter payments: one key for all).
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    gateway: Mapped[str | None] = mapped_column(String(20))
    gateway_trade_no: Mapped[str | None] = mapped_column(String(64))
    qr_payload: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(200))
    # Counter payments: who registered it and the receipt (小票/发票) number.
    registered_by_id: Mapped[uuid.UUID | None]
    registered_by_name: Mapped[str | None] = mapped_column(String(100))
    receipt_no: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("amount_fen >= 0 AND fund_fen >= 0 AND personal_account_fen >= 0"
                        " AND cash_fen >= 0", name="amounts_not_negative"),
        CheckConstraint("fund_fen + personal_account_fen + cash_fen = amount_fen",
                        name="split_adds_up"),
        # One open QR code per order: concurrent starts cannot both create one.
        Index("uq_payment_open_order", "order_id", unique=True,
              postgresql_where=text("status = 'created'")),
    )


class PaymentNotification(Base):
    """Every callback that reached the notify endpoint, forged and malformed ones included."""

    __tablename__ = "payment_notification"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The database's time, not the server clock's: the log orders callbacks as they came.
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
    gateway: Mapped[str] = mapped_column(String(20))
    # accepted | duplicate | not_success | paid_after_close | forged | stale | malformed
    # | wrong_amount | unknown_trade
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    notification_id: Mapped[str | None] = mapped_column(String(64), index=True)
    out_trade_no: Mapped[str | None] = mapped_column(String(64))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payment.id"), index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    body_truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    headers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    remote_ip: Mapped[str | None] = mapped_column(String(64))
    signature_ok: Mapped[bool] = mapped_column(Boolean)
    amount_ok: Mapped[bool | None] = mapped_column(Boolean)
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)


class Refund(Entity, Base):
    __tablename__ = "refund"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment.id"), index=True)
    # Derived from the payment: asking again (even after a lost transaction) is the same refund.
    out_refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    requested_by_id: Mapped[uuid.UUID | None]
    requested_by_name: Mapped[str | None] = mapped_column(String(100))
    gateway_refund_no: Mapped[str | None] = mapped_column(String(64))
    gateway_status: Mapped[str | None] = mapped_column(String(20))
    gateway_message: Mapped[str | None] = mapped_column(Text)
    gateway_answer: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    completed_at: Mapped[datetime | None]
