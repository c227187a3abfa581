"""Patients. Identifying fields are stored encrypted (`*_enc`, see server/personal_data) with a
keyed hash (`*_bidx`, blind index) for exact search; nothing identifying is stored in clear."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class Patient(Entity, Base):
    __tablename__ = "patient"

    # The hospital that registered the patient; row-level security scopes by it.
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_bidx: Mapped[bytes] = mapped_column(LargeBinary, index=True)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_bidx: Mapped[bytes | None] = mapped_column(LargeBinary, unique=True)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_bidx: Mapped[bytes | None] = mapped_column(LargeBinary, index=True)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    insurance_card_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    insurance_card_bidx: Mapped[bytes | None] = mapped_column(LargeBinary, unique=True)
    hospital_card_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    hospital_card_bidx: Mapped[bytes | None] = mapped_column(LargeBinary, unique=True)
    # Not identifying on their own and needed in clear by the dose and contraindication checks.
    sex: Mapped[str | None] = mapped_column(String(10))
    birth_date: Mapped[date | None]
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    pregnant: Mapped[bool] = mapped_column(default=False)
    lactating: Mapped[bool] = mapped_column(default=False)
    # The data key version of the newest encryption, so rotation finds what is left to do.
    key_version: Mapped[int] = mapped_column(default=1, index=True)
