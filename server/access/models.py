"""The rights matrices the hospital edits: who may prescribe and who may review which drug class."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class PrescribingRight(Entity, Base):
    """A doctor of `title` in `department` may prescribe drugs of `drug_class`."""

    __tablename__ = "prescribing_right"
    __table_args__ = (UniqueConstraint("department_id", "title", "drug_class"),)

    department_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(40))
    drug_class: Mapped[str] = mapped_column(String(40))


class ReviewingRight(Entity, Base):
    """A pharmacist of `level` may review prescriptions containing `drug_class`."""

    __tablename__ = "reviewing_right"
    __table_args__ = (UniqueConstraint("level", "drug_class"),)

    level: Mapped[str] = mapped_column(String(40))
    drug_class: Mapped[str] = mapped_column(String(40))
