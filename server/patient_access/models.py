"""How patients prove who they are: SMS codes, prescription slip codes, and the short access
sessions a successful proof opens.

`patient_sms_code` and `patient_access_session` are system-only (no row-level security): they
are read and written by the server while nobody is authenticated yet, keyed by a blind index or
an id from a signed token, and never listed by the API. `prescription_slip_code` belongs to the
prescription's organisation and is scoped like the prescription.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class AccessMethod(StrEnum):
    CARD = "card"  # insurance or hospital visit card at a kiosk
    SMS = "sms"  # ID number + a code sent to the phone on file
    SLIP = "slip"  # the one-time code printed on the prescription slip


class PatientAccessSession(Base):
    """One proof of identity: the access token carries its id, and it can be ended early
    (the patient walks away from the kiosk)."""

    __tablename__ = "patient_access_session"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    # A slip proves one prescription only.
    prescription_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("prescription.id"))
    # The kiosk that read the card.
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("integration_client.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    workstation: Mapped[str | None] = mapped_column(String(100))


class PatientSmsCode(Base):
    """A login code sent (or, for an ID number nobody is registered under, pretended to be
    sent: the rows count against the same rate limits, so the answers do not differ)."""

    __tablename__ = "patient_sms_code"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Blind index of the ID number (the patient's own, same key and context).
    id_number_bidx: Mapped[bytes] = mapped_column(LargeBinary)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patient.id"))
    # Keyed hash of the code (see codes.sms_code_digest); None when no code was sent.
    code_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    # Too many wrong attempts: the code is dead.
    burned_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_patient_sms_code_id_number_recent", "id_number_bidx", "created_at"),
        Index("ix_patient_sms_code_ip_recent", "ip", "created_at"),
    )


class PrescriptionSlipCode(Base):
    """The one-time code (and QR) printed on a prescription slip, valid while the prescription
    is. Stored encrypted, so the slip can be reprinted, with a blind index to find it."""

    __tablename__ = "prescription_slip_code"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"),
                                                       index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    code_enc: Mapped[bytes] = mapped_column(LargeBinary)
    code_bidx: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    issued_by_id: Mapped[uuid.UUID | None]
    used_at: Mapped[datetime | None]
    used_ip: Mapped[str | None] = mapped_column(String(64))
    # Replaced by a new code before use (a lost slip reprinted with a fresh code).
    revoked_at: Mapped[datetime | None]
