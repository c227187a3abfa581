"""All SQL of the knowledge base: sets, their rows, activation."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.checks.levels import Level
from server.knowledge.models import (
    KnowledgeAllergyClass,
    KnowledgeAllergyCross,
    KnowledgeContraindication,
    KnowledgeDoseRule,
    KnowledgeDuplicateClass,
    KnowledgeIncompatibility,
    KnowledgeInsuranceRule,
    KnowledgeInteractionPair,
    KnowledgeSet,
)
from server.knowledge.rules import (
    AllergyClassRule,
    AllergyCrossRule,
    Condition,
    ContraindicationRule,
    DoseRule,
    DuplicateClassRule,
    IncompatibilityRule,
    InsuranceRule,
    InteractionRule,
    RuleSet,
)

# Serialises activations (and version numbering) across server processes.
ACTIVATION_LOCK = 0x6B6E6F77  # "know"

# RuleSet field -> (table model, record class)
TABLES: dict[str, tuple[type[Any], type[Any]]] = {
    "interactions": (KnowledgeInteractionPair, InteractionRule),
    "dose_rules": (KnowledgeDoseRule, DoseRule),
    "allergy_classes": (KnowledgeAllergyClass, AllergyClassRule),
    "allergy_cross": (KnowledgeAllergyCross, AllergyCrossRule),
    "duplicate_classes": (KnowledgeDuplicateClass, DuplicateClassRule),
    "contraindications": (KnowledgeContraindication, ContraindicationRule),
    "incompatibilities": (KnowledgeIncompatibility, IncompatibilityRule),
    "insurance_rules": (KnowledgeInsuranceRule, InsuranceRule),
}
_LEVEL_COLUMNS = ("level", "severe_level")
_TUPLE_COLUMNS = ("members", "icd10_prefixes", "indications")
INSERT_BATCH = 2000


def _to_row(record: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if field.name in _LEVEL_COLUMNS and value is not None:
            value = int(value)
        elif field.name in _TUPLE_COLUMNS:
            value = list(value)
        elif field.name == "condition":
            value = str(value)
        row[field.name] = value
    return row


def _to_record(record_class: type[Any], row: Any) -> Any:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(record_class):
        value = getattr(row, field.name)
        if field.name in _LEVEL_COLUMNS and value is not None:
            value = Level(value)
        elif field.name in _TUPLE_COLUMNS:
            value = tuple(value or ())
        elif field.name == "condition":
            value = Condition(value)
        values[field.name] = value
    return record_class(**values)


@cache
def _active_ref() -> Select[uuid.UUID, int, str]:
    """Built once: every check and submit runs it."""
    return select(KnowledgeSet.id, KnowledgeSet.version,
                  KnowledgeSet.description).where(KnowledgeSet.active)


async def active_ref(session: AsyncSession) -> tuple[uuid.UUID, int, str] | None:
    """(id, version, description) of the active set: the one query a cached check makes."""
    row = (await session.execute(_active_ref())).first()
    return None if row is None else (row.id, row.version, row.description)


async def get(session: AsyncSession, set_id: uuid.UUID) -> KnowledgeSet | None:
    return await session.get(KnowledgeSet, set_id)


async def list_sets(session: AsyncSession, *, limit: int,
                    offset: int) -> tuple[Sequence[KnowledgeSet], int]:
    total = (await session.execute(select(func.count()).select_from(KnowledgeSet))).scalar_one()
    rows = (await session.scalars(select(KnowledgeSet).order_by(KnowledgeSet.version.desc())
                                  .limit(limit).offset(offset))).all()
    return rows, total


async def lock(session: AsyncSession) -> None:
    """Until the transaction ends, no other loader or activation runs."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ACTIVATION_LOCK})


async def next_version(session: AsyncSession) -> int:
    latest = (await session.execute(select(func.max(KnowledgeSet.version)))).scalar_one()
    return (latest or 0) + 1


async def insert_rules(session: AsyncSession, set_id: uuid.UUID, rules: RuleSet) -> None:
    for field, (model, _) in TABLES.items():
        records = getattr(rules, field)
        for start in range(0, len(records), INSERT_BATCH):
            batch = [{**_to_row(r), "id": uuid.uuid4(), "set_id": set_id}
                     for r in records[start:start + INSERT_BATCH]]
            await session.execute(insert(model), batch)


async def load_rules(session: AsyncSession, set_id: uuid.UUID) -> RuleSet:
    loaded: dict[str, tuple[Any, ...]] = {}
    for field, (model, record_class) in TABLES.items():
        rows = (await session.scalars(
            select(model).where(model.set_id == set_id).order_by(model.rule_id))).all()
        loaded[field] = tuple(_to_record(record_class, row) for row in rows)
    return RuleSet(**loaded)


async def deactivate_all(session: AsyncSession) -> None:
    await session.execute(update(KnowledgeSet).where(KnowledgeSet.active)
                          .values(active=False).execution_options(synchronize_session=False))
