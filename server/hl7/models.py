"""What the HL7 interface keeps: every acknowledged message's answer (so a repeat gets the same
one), and, per prescription an HIS placed, what its later messages to the HIS refer to.

System-only tables, not scoped by organisation: written by the MLLP listener for the HIS it
identified, read by the listener and the outbox relay, never served by the API.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class Hl7InboundMessage(Base):
    __tablename__ = "hl7_inbound_message"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("integration_client.id"))
    control_id: Mapped[str] = mapped_column(String(199))  # MSH-10
    message_type: Mapped[str] = mapped_column(String(20))  # MSH-9, e.g. RDE^O11
    # SHA-256 of the message as received: a reused control id with other content is logged.
    digest: Mapped[bytes] = mapped_column(LargeBinary)
    ack_code: Mapped[str | None] = mapped_column(String(2))
    # The acknowledgement exactly as sent (bytes, in the request's character set).
    ack: Mapped[bytes | None] = mapped_column(LargeBinary)
    prescription_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("prescription.id"))
    received_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("client_id", "control_id"),)


class Hl7Order(Base):
    """A prescription that came in as an RDE^O11: whose it is and how the HIS names it."""

    __tablename__ = "hl7_order"

    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"),
                                                       primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("integration_client.id"))
    # The HIS's client id (MSH-3) and hospital code (MSH-4): where RDS^O13 messages go.
    sender: Mapped[str] = mapped_column(String(64))
    facility: Mapped[str] = mapped_column(String(40))
    placer_group: Mapped[str] = mapped_column(String(100))  # ORC-4 (or the first ORC-2)
    # ORC-2 of each line, in line order.
    placer_numbers: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    # Which PID-3 identifier type found the patient (echoed in our messages' PID-3).
    patient_id_type: Mapped[str] = mapped_column(String(10))
    visit_number: Mapped[str | None] = mapped_column(String(50))  # PV1-19
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("client_id", "placer_group"),)
