"""Circulation: the order that locks a prescription to one pharmacy, what the pharmacy
dispensed package by package, the delivery events, the handover and the queue numbers.

Rows carry both the prescribing hospital (`org_id`) and the pharmacy (`pharmacy_id`); row-level
security lets either side see them (migration 0009).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity
from server.pharmacies.delivery import DeliveryMode


class OrderState(StrEnum):
    """Where the order stands; the prescription's own status carries the detail."""

    ACTIVE = "active"  # the prescription's current order
    RETURNED = "returned"  # the pharmacy gave it back (reason)
    LOCK_EXPIRED = "lock_expired"  # not accepted in time
    CANCELLED = "cancelled"  # the prescription was voided or expired
    COMPLETED = "completed"  # collected, delivered or not dispensed


ORDER_STATE_LABELS = {
    OrderState.ACTIVE: "进行中", OrderState.RETURNED: "药店已退回",
    OrderState.LOCK_EXPIRED: "超时未接单", OrderState.CANCELLED: "已取消",
    OrderState.COMPLETED: "已完成",
}


class CirculationOrder(Entity, Base):
    __tablename__ = "circulation_order"

    number: Mapped[str] = mapped_column(String(24), unique=True)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))  # the hospital
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"))
    state: Mapped[str] = mapped_column(String(20), default=OrderState.ACTIVE)
    mode: Mapped[str] = mapped_column(String(30))  # server.pharmacies.delivery.DeliveryMode
    appointment_at: Mapped[datetime | None]
    lock_expires_at: Mapped[datetime]
    # Courier address, encrypted like every identifying field; the region code is not.
    region_code: Mapped[str | None] = mapped_column(String(6))
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recipient_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recipient_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Amounts in fen: the drugs at today's prices, the courier fee quoted before paying.
    items_fen: Mapped[int] = mapped_column(BigInteger)
    delivery_fee_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    carrier_code: Mapped[str | None] = mapped_column(String(30))
    fee_rule: Mapped[str | None] = mapped_column(Text)
    paid: Mapped[bool] = mapped_column(default=False)
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[uuid.UUID | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)
    dispenser_id: Mapped[uuid.UUID | None]
    checker_id: Mapped[uuid.UUID | None]
    dispensed_at: Mapped[datetime | None]
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    dispatched_at: Mapped[datetime | None]
    outbound_number: Mapped[str | None] = mapped_column(String(30))  # 出库单号
    # The code the patient shows at pickup (and its QR); encrypted, found by blind index.
    pickup_code_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    pickup_code_bidx: Mapped[bytes | None] = mapped_column(LargeBinary, index=True)
    queue_number: Mapped[str | None] = mapped_column(String(10))
    handed_over_at: Mapped[datetime | None]
    handover_method: Mapped[str | None] = mapped_column(String(20))  # code | card | signature
    handover_signature: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG, when signed

    @property
    def awaits_dispatch(self) -> bool:
        """Dispensed and checked, for the courier or the hospital's delivery to take: the
        prescription is still "dispensing" then (NHS "Ready to Dispatch")."""
        return (self.state == OrderState.ACTIVE and self.dispensed_at is not None
                and self.dispatched_at is None and self.mode != DeliveryMode.STORE_PICKUP)

    __table_args__ = (
        # One live order per prescription: the second of two concurrent choices fails here.
        Index("uq_circulation_order_active", "prescription_id", unique=True,
              postgresql_where=text("state = 'active'")),
        Index("ix_circulation_order_inbox", "pharmacy_id", "state", text("created_at DESC")),
        Index("ix_circulation_order_lock", "lock_expires_at",
              postgresql_where=text("state = 'active' AND accepted_at IS NULL")),
        Index("ix_circulation_order_prescription", "prescription_id"),
    )


class OrderLine(Base):
    """What the pharmacy does with one prescription line."""

    __tablename__ = "circulation_order_line"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circulation_order.id"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    prescription_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription_line.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalogue_product.id"))
    quantity: Mapped[int] = mapped_column(Integer)  # packages prescribed
    dispensed: Mapped[int] = mapped_column(Integer, default=0)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    not_dispensed_reason: Mapped[str | None] = mapped_column(Text)


class DispensedPackage(Base):
    """One sales package handed out, by its traceability code: dispensed once, platform-wide."""

    __tablename__ = "dispensed_package"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    trace_code: Mapped[str] = mapped_column(String(80), unique=True)
    code_format: Mapped[str] = mapped_column(String(10))
    raw_scan: Mapped[str] = mapped_column(String(120))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circulation_order.id"), index=True)
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circulation_order_line.id"))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalogue_product.id"))
    batch: Mapped[str] = mapped_column(String(40))
    expiry: Mapped[date] = mapped_column(Date)
    scanned_by_id: Mapped[uuid.UUID]
    scanned_by: Mapped[str] = mapped_column(String(100))
    workstation: Mapped[str | None] = mapped_column(String(100))
    # A scan writes the server's clock here, as for every other time of the order (accepted,
    # completed): the day summary counts a day's scans beside its orders by that one clock.
    # The default is for rows written any other way.
    scanned_at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())


class DeliveryEvent(Base):
    """A node of the journey after dispensing: carrier tracking events, outbound, handover."""

    __tablename__ = "delivery_event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circulation_order.id"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    source: Mapped[str] = mapped_column(String(20))  # carrier | pharmacy | patient
    code: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    # The carrier's own id of the event: a repeated callback adds nothing.
    external_id: Mapped[str | None] = mapped_column(String(80))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)

    __table_args__ = (UniqueConstraint("order_id", "external_id",
                                       name="uq_delivery_event_external"),)


class QueueCounter(Base):
    """Queue numbers (取号) per pickup point and day."""

    __tablename__ = "queue_counter"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    called_number: Mapped[int] = mapped_column(Integer, default=0)
