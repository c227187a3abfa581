"""Carriers' published tariffs as data: one row per version, its rules by destination region.

A change of tariff is a new version with the day it takes effect; versions are never edited, so
the fee a patient was quoted can always be explained from the version it came from.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class CourierTariff(Base):
    __tablename__ = "courier_tariff"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    carrier_code: Mapped[str] = mapped_column(String(20))
    carrier_name: Mapped[str] = mapped_column(String(60))
    tariff_version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per carrier
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    created_by_id: Mapped[uuid.UUID | None]
    created_by_name: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("carrier_code", "tariff_version"),
        UniqueConstraint("carrier_code", "effective_from"),
    )


class CourierTariffRule(Base):
    """The fee to destinations under `region_prefix` ('' everywhere, '33' a province, '3301' a
    city, '330106' a district); the longest matching prefix wins."""

    __tablename__ = "courier_tariff_rule"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tariff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courier_tariff.id", ondelete="CASCADE"), index=True)
    region_prefix: Mapped[str] = mapped_column(String(6))
    region_name: Mapped[str] = mapped_column(String(60))
    first_weight_g: Mapped[int] = mapped_column(Integer)  # 首重
    first_fee_fen: Mapped[int] = mapped_column(Integer)
    step_weight_g: Mapped[int] = mapped_column(Integer)  # 续重 step
    step_fee_fen: Mapped[int] = mapped_column(Integer)
    # Same-city pricing by distance: [{"up_to_km": 5, "fee_fen": 800}, ...] replacing the
    # first-weight fee when the distance is known and within a band.
    distance_bands: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)

    __table_args__ = (
        UniqueConstraint("tariff_id", "region_prefix"),
        CheckConstraint("first_weight_g > 0 AND step_weight_g > 0", name="weights"),
        CheckConstraint("first_fee_fen >= 0 AND step_fee_fen >= 0", name="fees"),
    )
