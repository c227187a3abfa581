"""Request and response bodies of the clinical-record API (diagnoses, allergies, medication)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from server.clinical.models import AllergySeverity, ClinicalSource
from server.knowledge.keys import ATC_PATTERN, ICD10_PATTERN, normalise_atc, normalise_icd10
from server.patients.schemas import PatientOut


def _icd10(value: str) -> str:
    code = normalise_icd10(value)
    if not ICD10_PATTERN.fullmatch(code):
        raise ValueError("ICD-10 编码格式不正确，应如 I10、E11.9 或 I10.X00X002")
    return code


def _atc(value: str) -> str:
    code = normalise_atc(value)
    if not ATC_PATTERN.fullmatch(code):
        raise ValueError("ATC 代码格式不正确，应如 B01AC06")
    return code


Icd10 = Annotated[str, Field(min_length=3, max_length=20), AfterValidator(_icd10)]
AtcCode = Annotated[str, Field(min_length=1, max_length=10), AfterValidator(_atc)]
Reason = Annotated[str, Field(min_length=1, max_length=200)]


class _Create(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    source: ClinicalSource | None = Field(
        None, description="来源；默认：集成客户端为 his，医生为 doctor（用药为 reported）")
    recorded_at: datetime | None = Field(None, description="记录时间；默认现在")


class DiagnosisCreate(_Create):
    icd10: Icd10 = Field(description="ICD-10 编码")
    name: str = Field(min_length=1, max_length=200, description="诊断名称")


class AllergyCreate(_Create):
    allergen_class: str | None = Field(None, min_length=2, max_length=40,
                                       pattern=r"^[a-z][a-z0-9_]+$",
                                       description="过敏原类别代码（知识库，如 penicillins）")
    allergen: str | None = Field(None, min_length=1, max_length=100,
                                 description="过敏原（如 青霉素、阿莫西林）；默认为类别名称")
    reaction: str | None = Field(None, min_length=1, max_length=200, description="过敏反应")
    severity: AllergySeverity = Field(AllergySeverity.UNKNOWN, description="严重程度")


class MedicationCreate(_Create):
    generic_name: str | None = Field(None, min_length=1, max_length=200,
                                     description="通用名；给出 product_id 时可省略")
    atc_code: AtcCode | None = Field(None, description="ATC 代码；省略时按目录补全")
    product_id: uuid.UUID | None = Field(None, description="目录品种")
    dose: str | None = Field(None, min_length=1, max_length=100, description="用法用量")
    started_on: date | None = Field(None, description="开始日期；默认今天")
    ended_on: date | None = Field(None, description="停用日期（既往用药）")
    source_ref: str | None = Field(None, min_length=1, max_length=64,
                                   description="来源单号：处方号或 HIS 医嘱号")


class EndRequest(BaseModel):
    """Resolve a diagnosis, inactivate an allergy (entered in error), end a medication."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    version: int = Field(ge=1, description="读取时的版本号（乐观锁）")
    reason: Reason | None = Field(None, description="原因；撤销过敏记录时必填")
    ended_on: date | None = Field(None, description="停药日期（仅用药）；默认今天")


class _RecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    patient_id: uuid.UUID
    source: str
    recorded_at: datetime
    recorded_by: str


class DiagnosisOut(_RecordOut):
    icd10: str
    name: str
    active: bool
    resolved_at: datetime | None


class AllergyOut(_RecordOut):
    allergen_class: str | None
    allergen_class_label: str | None = None
    allergen: str
    reaction: str | None
    severity: str
    active: bool
    inactivated_at: datetime | None
    inactivated_reason: str | None


class MedicationOut(_RecordOut):
    generic_name: str
    atc_code: str | None
    product_id: uuid.UUID | None
    dose: str | None
    started_on: date
    ended_on: date | None
    source_ref: str | None


class DiagnosisList(BaseModel):
    items: list[DiagnosisOut]


class AllergyList(BaseModel):
    items: list[AllergyOut]


class MedicationList(BaseModel):
    items: list[MedicationOut]


class PatientContextOut(BaseModel):
    """Everything the doctor's app shows when a patient is opened, in one answer."""

    patient: PatientOut
    diagnoses: list[DiagnosisOut] = Field(description="当前诊断")
    allergies: list[AllergyOut] = Field(description="过敏史")
    current_medications: list[MedicationOut] = Field(description="当前用药")
    past_medications: list[MedicationOut] = Field(description="近期既往用药（最近停用在前）")
