"""The notification outbox: one row per message to a patient.

System-only, not scoped by organisation: a notification is written by whoever moves a
prescription on (a pharmacy accepting an order for a patient registered at a hospital it cannot
see) and read only by the delivery loop, never served by the API to staff. The number it goes to
is stored encrypted (with a masked copy for lists); the full text is kept encrypted only until
it is handed to the gateway, while `text` holds it with secrets (codes) masked.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Channel(StrEnum):
    SMS = "sms"


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    prescription_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("prescription.id"),
                                                              index=True)
    channel: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(40))
    destination_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    destination_masked: Mapped[str | None] = mapped_column(String(20))
    # The text as sent, encrypted; erased once sent or given up on.
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The text with secret parameters masked: what staff and logs may see.
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    # Not worth sending after this (a login code that has expired meanwhile).
    expires_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    gateway_message_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        # The delivery loop's queue.
        Index("ix_notification_due", "next_attempt_at",
              postgresql_where=sql("status = 'pending'")),
    )
