"""A patient's clinical record: diagnoses (ICD-10), allergies, medication (current and past).

The rows belong to the patient: `org_id` is copied from the patient, and row-level security
scopes them exactly as it scopes the patient (server/migrations/versions/0003). Nothing is
deleted: a diagnosis is resolved, an allergy entered in error is inactivated, a medication is
ended; the history stays.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class ClinicalSource(StrEnum):
    DOCTOR = "doctor"  # 医生录入
    HIS = "his"  # 医院信息系统推送
    PRESCRIPTION = "prescription"  # 本平台处方
    REPORTED = "reported"  # 患者自述（医生录入的院外用药）


SOURCE_LABELS = {
    ClinicalSource.DOCTOR: "医生录入",
    ClinicalSource.HIS: "HIS",
    ClinicalSource.PRESCRIPTION: "本平台处方",
    ClinicalSource.REPORTED: "患者自述",
}


class AllergySeverity(StrEnum):
    MILD = "mild"  # 轻度
    MODERATE = "moderate"  # 中度
    SEVERE = "severe"  # 重度（如过敏性休克）
    UNKNOWN = "unknown"  # 不详


class _PatientRecord(Entity):
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    # Copied from the patient: what row-level security scopes by.
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[uuid.UUID | None]
    recorded_by: Mapped[str] = mapped_column(String(100))


class PatientDiagnosis(_PatientRecord, Base):
    __tablename__ = "patient_diagnosis"

    icd10: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    resolved_at: Mapped[datetime | None]


class PatientAllergy(_PatientRecord, Base):
    __tablename__ = "patient_allergy"

    allergen_class: Mapped[str | None] = mapped_column(String(40))  # knowledge class code
    allergen: Mapped[str] = mapped_column(String(100))  # as recorded: 青霉素, 阿莫西林, 海鲜
    reaction: Mapped[str | None] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(20), default=AllergySeverity.UNKNOWN)
    active: Mapped[bool] = mapped_column(default=True)
    # Why an allergy was inactivated (entered in error, disproved by a test) and when.
    inactivated_at: Mapped[datetime | None]
    inactivated_reason: Mapped[str | None] = mapped_column(String(200))


class PatientMedication(_PatientRecord, Base):
    __tablename__ = "patient_medication"

    generic_name: Mapped[str] = mapped_column(String(200))
    atc_code: Mapped[str | None] = mapped_column(String(10))
    product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("catalogue_product.id"))
    dose: Mapped[str | None] = mapped_column(String(100))  # as written: 100mg qd
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    # Where it came from: the prescription id, or the HIS order number.
    source_ref: Mapped[str | None] = mapped_column(String(64))
