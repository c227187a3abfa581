"""A pharmacy's profile, its closures and special days, its status history and its stock feed.

The pharmacy itself is an `organisation` of kind pharmacy (name, address, phone, status); these
rows hang off it by `pharmacy_id`, and row-level security scopes them by that column like any
organisation-owned row (migration 0006): a pharmacy's staff see their own pharmacy only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class PharmacyProfile(Entity, Base):
    __tablename__ = "pharmacy_profile"

    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), unique=True)
    licence_number: Mapped[str] = mapped_column(String(20), unique=True)  # 药品经营许可证编号
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    contact_person: Mapped[str] = mapped_column(String(50))
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    region_code: Mapped[str] = mapped_column(String(6))  # GB/T 2260 行政区划代码
    # ISO weekday ("1".."7") -> [["08:00", "21:00"], ...] (server/pharmacies/hours.py).
    opening_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(JSONB)
    store_pickup: Mapped[bool] = mapped_column(Boolean, default=True)  # 到店自提
    hospital_delivery: Mapped[bool] = mapped_column(Boolean, default=False)  # 配送到院内
    delivery_hospital_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    # Region-code prefixes a courier delivers to ('' = everywhere); empty = no courier.
    courier_regions: Mapped[list[str]] = mapped_column(ARRAY(String(6)), default=list)
    same_day_delivery: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
    )


class PharmacyClosure(Base):
    """A date on which the weekly hours do not hold: closed, or special hours (节假日)."""

    __tablename__ = "pharmacy_closure"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    on_date: Mapped[date] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean)
    hours: Mapped[list[list[str]] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("pharmacy_id", "on_date"),
        CheckConstraint("closed OR hours IS NOT NULL", name="hours_when_open"),
    )


class PharmacyStatusChange(Base):
    """Who moved a pharmacy from which status to which, when and why (遴选 and after)."""

    __tablename__ = "pharmacy_status_change"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    # clock_timestamp(), not now(): several changes in one transaction keep their order.
    changed_at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())
    changed_by_id: Mapped[uuid.UUID | None]
    changed_by_name: Mapped[str] = mapped_column(String(100))


class PharmacyStock(Base):
    """The last quantity a pharmacy reported for a product; older than the configured age it
    counts as unknown."""

    __tablename__ = "pharmacy_stock"

    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"),
                                                   primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalogue_product.id"),
                                                  primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reported_at: Mapped[datetime]
    reported_by_id: Mapped[uuid.UUID | None]

    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity"),)
