"""Knowledge sets and their rows, as the hospital loaded them (server/knowledge/loader.py).

A set is immutable once loaded: a correction is a new set with the next version number, and
activating it switches every check over at once. Exactly one set is active (a partial unique
index allows at most one; activation swaps in one transaction). Rows keep their `rule_id`, the
evidence quoted with every hit, so a finding can be traced to the row and version behind it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from server.core.db import Base

KEY = 200  # a generic name or an ATC prefix


class KnowledgeSet(Base):
    __tablename__ = "knowledge_set"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    description: Mapped[str] = mapped_column(String(500))
    loaded_by_id: Mapped[uuid.UUID | None]
    loaded_by: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime] = mapped_column(server_default=func.now())
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    activated_by: Mapped[str | None] = mapped_column(String(100))
    activated_at: Mapped[datetime | None]
    counts: Mapped[dict[str, Any]]  # rule kind -> rows

    __table_args__ = (
        Index("uq_knowledge_set_active", "active", unique=True, postgresql_where=text("active")),
    )


class _RuleRow:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_set.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(SmallInteger)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("set_id", "rule_id"),)


class KnowledgeInteractionPair(_RuleRow, Base):
    __tablename__ = "knowledge_interaction_pair"

    a: Mapped[str] = mapped_column(String(KEY))
    b: Mapped[str] = mapped_column(String(KEY))
    message: Mapped[str] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)
    mechanism: Mapped[str | None] = mapped_column(Text)


class KnowledgeDoseRule(_RuleRow, Base):
    __tablename__ = "knowledge_dose_rule"

    drug: Mapped[str] = mapped_column(String(KEY))
    route: Mapped[str | None] = mapped_column(String(40))
    age_min_days: Mapped[int | None] = mapped_column(Integer)
    age_max_days: Mapped[int | None] = mapped_column(Integer)
    weight_based: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str] = mapped_column(String(20))
    min_single: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    max_single: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    max_daily: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    max_per_day: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))


class KnowledgeAllergyClass(_RuleRow, Base):
    __tablename__ = "knowledge_allergy_class"

    class_code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    members: Mapped[list[str]] = mapped_column(ARRAY(String(KEY)))


class KnowledgeAllergyCross(_RuleRow, Base):
    __tablename__ = "knowledge_allergy_cross"

    class_code: Mapped[str] = mapped_column(String(40))
    cross_class_code: Mapped[str] = mapped_column(String(40))
    severe_level: Mapped[int | None] = mapped_column(SmallInteger)
    message: Mapped[str] = mapped_column(Text)


class KnowledgeDuplicateClass(_RuleRow, Base):
    __tablename__ = "knowledge_duplicate_class"

    class_code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    members: Mapped[list[str]] = mapped_column(ARRAY(String(KEY)))
    advice: Mapped[str | None] = mapped_column(Text)


class KnowledgeContraindication(_RuleRow, Base):
    __tablename__ = "knowledge_contraindication"

    drug: Mapped[str] = mapped_column(String(KEY))
    condition: Mapped[str] = mapped_column(String(20))
    age_days: Mapped[int | None] = mapped_column(Integer)
    icd10_prefixes: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    message: Mapped[str] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)


class KnowledgeIncompatibility(_RuleRow, Base):
    __tablename__ = "knowledge_incompatibility"

    a: Mapped[str] = mapped_column(String(KEY))
    b: Mapped[str] = mapped_column(String(KEY))
    route: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)


class KnowledgeInsuranceRule(_RuleRow, Base):
    __tablename__ = "knowledge_insurance_rule"

    drug: Mapped[str] = mapped_column(String(KEY))
    message: Mapped[str] = mapped_column(Text)
    indications: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    max_days: Mapped[int | None] = mapped_column(Integer)
    chronic_only: Mapped[bool] = mapped_column(Boolean)
    max_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
