"""Signing certificates: a user's registered public key (or X.509 certificate) per algorithm.

A user may hold several active certificates (a new key registered before the old one is
revoked); a signature is accepted when any active one valid at the time verifies it. Revocation
keeps the row: the fingerprint stays taken, so a revoked key can never be registered again.
There is no row-level security here: public keys are not secret, and a pharmacy must verify
the signature of a doctor of another organisation.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class CertificateStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class SigningCertificate(Entity, Base):
    __tablename__ = "signing_certificate"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(30))
    # SubjectPublicKeyInfo PEM, whatever form it was registered in (hex, PEM, certificate).
    public_key: Mapped[str] = mapped_column(Text)
    # SHA-256 of the SubjectPublicKeyInfo DER, hex; one key belongs to one user, once.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_pem: Mapped[str | None] = mapped_column(Text)
    serial_number: Mapped[str | None] = mapped_column(String(80))
    registered_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    registered_at: Mapped[datetime]
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=CertificateStatus.ACTIVE)
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    revoked_reason: Mapped[str | None] = mapped_column(String(300))
