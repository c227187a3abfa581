"""Request and response bodies of the prescription and review APIs."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.checks.frequency import FREQUENCIES, normalise

VisitType = Literal["outpatient", "emergency", "inpatient", "chronic"]
ICD10 = r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$"


class DiagnosisIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=ICD10, description="ICD-10 编码，如 J02.9")
    name: str = Field(min_length=1, max_length=100, description="诊断名称")


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: uuid.UUID = Field(description="目录产品")
    dose: Decimal = Field(gt=0, max_digits=12, decimal_places=4, description="单次剂量")
    dose_unit: str = Field(min_length=1, max_length=20, description="剂量单位，如 mg、片")
    route: str = Field(min_length=1, max_length=30, description="给药途径，如 口服")
    frequency: str = Field(min_length=1, max_length=10, description="频次代码，如 tid")
    days: int = Field(ge=1, le=180, description="用药天数")
    instructions: str | None = Field(None, max_length=300, description="用法说明")
    skin_test: bool = Field(False, description="需皮试")

    @field_validator("frequency")
    @classmethod
    def _known_frequency(cls, value: str) -> str:
        code = normalise(value)
        if code not in FREQUENCIES:
            raise ValueError(f"未知的给药频次「{value}」，可用：{', '.join(FREQUENCIES)}")
        return code


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patient_id: uuid.UUID
    visit_type: VisitType = "outpatient"
    diagnoses: list[DiagnosisIn] = Field(min_length=1, max_length=10)
    validity_days: int = Field(1, ge=1, le=7, description="有效期（天）")
    notes: str | None = Field(None, max_length=500)
    extended_supply_reason: str | None = Field(None, max_length=300,
                                               description="超常规天数/有效期的理由")
    lines: list[LineIn] = Field(min_length=1, max_length=20)


class DraftUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    visit_type: VisitType = "outpatient"
    diagnoses: list[DiagnosisIn] = Field(min_length=1, max_length=10)
    validity_days: int = Field(1, ge=1, le=7)
    notes: str | None = Field(None, max_length=500)
    extended_supply_reason: str | None = Field(None, max_length=300)
    lines: list[LineIn] = Field(min_length=1, max_length=20)


class IssueOut(BaseModel):
    key: str = Field(description="覆盖（override）时引用的标识")
    source: str = Field(description="rules | engine | rational_use")
    kind: str
    level: int = Field(description="PASS 等级：0蓝 1黄 4橙 2红 3黑；负数为未审查")
    severity: str
    lines: list[int]
    message: str
    advice: str | None = None
    rule_id: str | None = None
    needs_override: bool = False
    override_reason: str | None = None
    overridden_by: str | None = None
    overridden_at: datetime | None = None


class CheckOut(BaseModel):
    issues: list[IssueOut]
    blocking: bool = Field(description="存在黑灯（禁忌）问题，不能提交")
    worst_level: int | None


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    line_no: int
    product_id: uuid.UUID
    item_type: str
    generic_name: str
    specification: str
    drug_class: str
    dose: Decimal
    dose_unit: str
    route: str
    frequency: str
    days: int
    quantity: int
    unit: str
    unit_price: Decimal
    amount: Decimal
    instructions: str | None
    skin_test: bool


class TransitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    from_status: str | None
    to_status: str
    at: datetime
    actor_name: str | None
    actor_role: str | None
    workstation: str | None
    reason: str | None


class SignatureOut(BaseModel):
    algorithm: str
    certificate_id: uuid.UUID | None
    signed_at: datetime | None
    revision: int


class PrescriptionOut(BaseModel):
    id: uuid.UUID
    number: str
    version: int
    status: str
    status_label: str
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    org_id: uuid.UUID
    department_id: uuid.UUID
    visit_type: str
    diagnoses: list[dict[str, Any]]
    validity_days: int
    notes: str | None
    extended_supply_reason: str | None
    herbal: bool
    total_amount: Decimal
    worst_level: int | None
    revision: int
    issued_at: datetime | None
    expires_at: datetime | None
    supersedes_id: uuid.UUID | None
    void_reason: str | None
    created_at: datetime
    lines: list[LineOut]
    issues: list[IssueOut] = Field(default_factory=list)
    transitions: list[TransitionOut] = Field(default_factory=list)
    signature: SignatureOut | None = None
    review: dict[str, Any] | None = None


class PrescriptionSummary(BaseModel):
    id: uuid.UUID
    number: str
    version: int
    status: str
    status_label: str
    patient_id: uuid.UUID
    patient_name: str | None = Field(None, description="患者姓名，按查看者的角色脱敏")
    visit_type: str
    total_amount: Decimal
    worst_level: int | None
    created_at: datetime
    issued_at: datetime | None


class PrescriptionPage(BaseModel):
    items: list[PrescriptionSummary]
    total: int = Field(description="总数；超过 1000 时为下限")
    total_exact: bool = True


class SigningDocumentOut(BaseModel):
    document: dict[str, Any] = Field(description="待签名的内容（签名针对其规范化字节）")
    canonical_base64: str
    sha256: str


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=2, max_length=300, description="继续开具的理由")


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    signature: str = Field(min_length=16, max_length=2000, description="base64 签名值")
    algorithm: str = Field(max_length=40)
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=50)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    reason: str = Field(min_length=2, max_length=300)


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["personal", "department"] = "personal"
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=10)
    lines: list[LineIn] = Field(min_length=1, max_length=20)


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    name: str
    scope: str
    owner_id: uuid.UUID | None
    department_id: uuid.UUID | None
    diagnoses: list[dict[str, Any]]
    lines: list[dict[str, Any]]


class DepartmentTemplateOut(TemplateOut):
    products: list[str] = Field(description="各行药品（通用名 规格），与 lines 一一对应")
