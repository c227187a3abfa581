"""One row per message to an outside system.

System-only, not scoped by organisation: messages are written by whoever makes the change (a
pharmacy dispensing a hospital's prescription) and read by the relay and the system
administrator. The payload carries no more personal data than the receiver's format needs;
destinations that need identifying fields fill them in at delivery (server/hl7/sender.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Identity, Index, String, Text
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # given up on: waits for an administrator's retry


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    # The message id receivers deduplicate by: the same on every redelivery.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Enqueue order. Taken under a per-key lock (see repository.insert), so within one
    # ordering key it is also commit order.
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    # Which handler delivers it (`hl7`), and where to within that destination (`his-h1`).
    destination: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(100), default="")
    # Messages with the same key are delivered one after another in `seq` order (a
    # prescription's id); None: no order to keep.
    ordering_key: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None]

    __table_args__ = (
        # The relay's queue, in enqueue order.
        Index("ix_outbox_message_pending", "seq", postgresql_where=sql("status = 'pending'")),
        # "Is an earlier message of this key still undelivered?", asked for every candidate.
        Index("ix_outbox_message_undelivered", "ordering_key", "seq",
              postgresql_where=sql("status <> 'delivered'")),
        Index("ix_outbox_message_dead", "seq", postgresql_where=sql("status = 'dead'")),
    )
