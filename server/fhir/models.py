"""Business identifiers that integration clients gave the resources they created over FHIR.

An HIS names its order with its own identifier (`system|value`); keeping it lets the client
find the prescription by it and makes a repeated create (a retry, `If-None-Exist`) find the
first one instead of creating a second. The unique index decides between concurrent twins.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class FhirIdentifier(Base):
    __tablename__ = "fhir_identifier"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    resource_type: Mapped[str] = mapped_column(String(40))
    system: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))
    # Who named it, and the organisation whose scope the row belongs to (row-level security).
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("integration_client.id"))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    # Filled once the prescription exists, in the same transaction as the identifier row.
    prescription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("prescription.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (UniqueConstraint("resource_type", "system", "value",
                                       name="uq_fhir_identifier_key"),)
