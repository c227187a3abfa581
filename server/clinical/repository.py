"""All SQL of patients' clinical records. Row-level security limits every query here to the
organisations the transaction's scope allows, exactly as for the patient rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalogue.models import CatalogueProduct
from server.clinical.models import PatientAllergy, PatientDiagnosis, PatientMedication

Record = TypeVar("Record", PatientDiagnosis, PatientAllergy, PatientMedication)


async def get(session: AsyncSession, model: type[Record], patient_id: uuid.UUID,
              record_id: uuid.UUID) -> Record | None:
    return (await session.scalars(select(model).where(
        model.id == record_id, model.patient_id == patient_id))).first()


# The statements of the patient context (read on every check and submit) are built once, with
# bound parameters: building a statement cost more CPU than sending it.

@cache
def _diagnoses(active_only: bool) -> Select[Any]:
    stmt = select(PatientDiagnosis).where(PatientDiagnosis.patient_id == bindparam("patient"))
    if active_only:
        stmt = stmt.where(PatientDiagnosis.active)
    return stmt.order_by(PatientDiagnosis.recorded_at.desc(), PatientDiagnosis.id)


async def diagnoses(session: AsyncSession, patient_id: uuid.UUID, *,
                    active_only: bool) -> Sequence[PatientDiagnosis]:
    return (await session.scalars(_diagnoses(active_only), {"patient": patient_id})).all()


async def active_diagnosis(session: AsyncSession, patient_id: uuid.UUID,
                           icd10: str) -> PatientDiagnosis | None:
    return (await session.scalars(select(PatientDiagnosis).where(
        PatientDiagnosis.patient_id == patient_id, PatientDiagnosis.active,
        PatientDiagnosis.icd10 == icd10))).first()


@cache
def _allergies(active_only: bool) -> Select[Any]:
    stmt = select(PatientAllergy).where(PatientAllergy.patient_id == bindparam("patient"))
    if active_only:
        stmt = stmt.where(PatientAllergy.active)
    return stmt.order_by(PatientAllergy.recorded_at.desc(), PatientAllergy.id)


async def allergies(session: AsyncSession, patient_id: uuid.UUID, *,
                    active_only: bool) -> Sequence[PatientAllergy]:
    return (await session.scalars(_allergies(active_only), {"patient": patient_id})).all()


async def active_allergy(session: AsyncSession, patient_id: uuid.UUID, *, allergen: str,
                         allergen_class: str | None) -> PatientAllergy | None:
    return (await session.scalars(select(PatientAllergy).where(
        PatientAllergy.patient_id == patient_id, PatientAllergy.active,
        PatientAllergy.allergen == allergen,
        PatientAllergy.allergen_class.is_not_distinct_from(allergen_class)))).first()


@cache
def _current_medications() -> Select[Any]:
    return (select(PatientMedication)
            .where(PatientMedication.patient_id == bindparam("patient"),
                   or_(PatientMedication.ended_on.is_(None),
                       PatientMedication.ended_on >= bindparam("today")))
            .order_by(PatientMedication.started_on.desc(), PatientMedication.id))


async def current_medications(session: AsyncSession, patient_id: uuid.UUID, *,
                              today: date) -> Sequence[PatientMedication]:
    """Not ended, or ending later than today."""
    return (await session.scalars(_current_medications(),
                                  {"patient": patient_id, "today": today})).all()


@cache
def _past_medications() -> Select[Any]:
    return (select(PatientMedication)
            .where(PatientMedication.patient_id == bindparam("patient"),
                   PatientMedication.ended_on < bindparam("today"))
            .order_by(PatientMedication.ended_on.desc(), PatientMedication.id)
            .limit(bindparam("limit")))


async def past_medications(session: AsyncSession, patient_id: uuid.UUID, *, today: date,
                           limit: int) -> Sequence[PatientMedication]:
    """Ended before today, the most recently ended first."""
    return (await session.scalars(_past_medications(),
                                  {"patient": patient_id, "today": today, "limit": limit})).all()


async def medication_by_source_ref(session: AsyncSession, patient_id: uuid.UUID, *,
                                   source: str, source_ref: str) -> PatientMedication | None:
    return (await session.scalars(select(PatientMedication).where(
        PatientMedication.patient_id == patient_id, PatientMedication.source == source,
        PatientMedication.source_ref == source_ref))).first()


async def product_drug(session: AsyncSession,
                       product_id: uuid.UUID) -> tuple[str, str | None] | None:
    """(generic name, ATC code) of a catalogue product, whatever its status."""
    row = (await session.execute(
        select(CatalogueProduct.generic_name, CatalogueProduct.atc_code)
        .where(CatalogueProduct.id == product_id))).first()
    return None if row is None else (row.generic_name, row.atc_code)


async def atc_for_generic_name(session: AsyncSession, generic_name: str) -> str | None:
    """The ATC code catalogue products of exactly this generic name carry, if they agree."""
    codes = (await session.scalars(
        select(CatalogueProduct.atc_code).distinct()
        .where(CatalogueProduct.generic_name == generic_name,
               CatalogueProduct.atc_code.is_not(None)))).all()
    return codes[0] if len(codes) == 1 else None
