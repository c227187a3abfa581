"""A circulation order's claim at the insurance e-prescription centre.

One row per order: the prescription's upload (医保处方编号 hiRxno), the settlement that gave the
order's payment its insurance split, the sale write-off with the traceability codes, or the
revoke. Both sides of the order see it (row-level security as for the order itself).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class ClaimStatus(StrEnum):
    UPLOADED = "uploaded"  # pre-checked, signed and uploaded; not settled yet
    REFUSED = "refused"  # the centre said no: the order is paid in cash (自费)
    SETTLED = "settled"  # the split is the centre's settlement
    # Dispensed: the write-off (7206) is in the outbox, on its way to the centre.
    WRITING_OFF = "writing_off"
    WRITTEN_OFF = "written_off"  # dispensed and reported with the traceability codes (7206)
    # Ended without its drugs: the revoke (7104) is in the outbox, on its way to the centre.
    REVOKING = "revoking"
    REVOKED = "revoked"  # revoked at the centre (7104), its settlement reversed


class InsuranceClaim(Entity, Base):
    __tablename__ = "insurance_claim"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("circulation_order.id"), unique=True)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(20))
    hi_rxno: Mapped[str | None] = mapped_column(String(40))  # 医保处方编号
    rx_trace_code: Mapped[str | None] = mapped_column(String(40))  # 处方追溯码
    sign_cert_sn: Mapped[str | None] = mapped_column(String(64))
    refusal_code: Mapped[int | None] = mapped_column(Integer)
    refusal: Mapped[str | None] = mapped_column(Text)
    setl_id: Mapped[str | None] = mapped_column(String(40))
    # The settled split of the drugs (fen); the delivery fee is always cash.
    fund_fen: Mapped[int | None] = mapped_column(BigInteger)
    personal_account_fen: Mapped[int | None] = mapped_column(BigInteger)
    cash_fen: Mapped[int | None] = mapped_column(BigInteger)
    settled_at: Mapped[datetime | None]
    written_off_at: Mapped[datetime | None]
    # Why the last attempt at the write-off or revoke failed (the outbox tries again, or the
    # message is a dead letter for the administrator when the centre refused it).
    delivery_error: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None]
