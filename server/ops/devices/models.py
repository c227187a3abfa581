"""The last reported state of each device of each kiosk (one row per kiosk and device)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class DeviceStatus(Base):
    __tablename__ = "device_status"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("integration_client.id"))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    client_name: Mapped[str] = mapped_column(String(100))
    device: Mapped[str] = mapped_column(String(20))  # card_reader | scanner | printer | camera
    state: Mapped[str] = mapped_column(String(10))  # ok | fault
    fault: Mapped[str | None] = mapped_column(String(40))  # paper_out, cover_open, disconnected
    detail: Mapped[str | None] = mapped_column(Text)
    # Since when the device has been in this state (a fault's duration), and the last report.
    since: Mapped[datetime]
    reported_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("client_id", "device"),)
