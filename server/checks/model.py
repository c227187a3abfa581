"""What the rule engine is asked and what it answers: CheckRequest in, DetectedIssue out.

Plain frozen dataclasses, no database: the prescription code builds a CheckRequest from a draft
and the patient's context (server/clinical/service.py: `PatientContext.facts`), the engine
answers DetectedIssues, shaped like FHIR DetectedIssue (severity, the lines implicated, detail,
mitigation advice, evidence = rule id + knowledge version).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from server.checks.levels import FHIR_SEVERITY, Level, label


class IssueKind(StrEnum):
    INTERACTION = "interaction"
    ALLERGY = "allergy"
    DUPLICATE = "duplicate"
    DOSE = "dose"
    FREQUENCY = "frequency"
    CONTRAINDICATION = "contraindication"
    INCOMPATIBILITY = "incompatibility"
    INSURANCE = "insurance"


ISSUE_KIND_LABELS = {
    IssueKind.INTERACTION: "药物相互作用",
    IssueKind.ALLERGY: "过敏",
    IssueKind.DUPLICATE: "重复用药",
    IssueKind.DOSE: "剂量",
    IssueKind.FREQUENCY: "给药频次",
    IssueKind.CONTRAINDICATION: "禁忌证",
    IssueKind.INCOMPATIBILITY: "配伍禁忌",
    IssueKind.INSURANCE: "医保限制",
}


@dataclass(frozen=True, slots=True)
class AllergyFact:
    """One recorded allergy: a class code of the knowledge base (e.g. "penicillins"), the
    allergen as written (青霉素, 阿莫西林), or both."""

    allergen_class: str | None = None
    allergen_name: str | None = None
    reaction: str | None = None
    severity: str | None = None  # mild | moderate | severe | unknown


@dataclass(frozen=True, slots=True)
class MedicationFact:
    """A drug the patient is taking now (from our prescriptions or from the HIS)."""

    generic_name: str
    atc_code: str | None = None


@dataclass(frozen=True, slots=True)
class PatientFacts:
    age_days: int | None = None
    sex: str | None = None  # male | female
    weight_kg: Decimal | None = None
    pregnant: bool = False
    lactating: bool = False
    # ICD-10 codes of the patient's active diagnoses and of this prescription's diagnoses.
    diagnoses: tuple[str, ...] = ()
    allergies: tuple[AllergyFact, ...] = ()
    current_medications: tuple[MedicationFact, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckLine:
    """One prescription line as the engine sees it. `dose` is one administration in
    `dose_unit`; when that is a count unit (片, 粒, 支), `strength` + `strength_unit` (the
    amount per unit, e.g. 0.25 g) let the dose be compared with rules in mg."""

    index: int
    generic_name: str
    atc_code: str | None = None
    drug_class: str | None = None
    dosage_form: str | None = None
    route: str | None = None  # 口服, 静脉滴注, 外用 ...
    dose: Decimal | None = None
    dose_unit: str | None = None
    frequency: str | None = None  # a code of server/checks/frequency.py
    days: int | None = None
    quantity: Decimal | None = None
    chronic_listed: bool = False
    price: Decimal | None = None  # 元 per sales unit
    strength: Decimal | None = None
    strength_unit: str | None = None
    prn_max_per_day: int | None = None  # the most doses a day for a prn line
    infusion_group: int | None = None  # lines with one group number share an infusion (组号)


@dataclass(frozen=True, slots=True)
class CheckRequest:
    patient: PatientFacts
    lines: tuple[CheckLine, ...]


@dataclass(frozen=True, slots=True)
class DetectedIssue:
    """One finding, after FHIR DetectedIssue: what kind, how severe (PASS level), which
    prescription lines (by index) and which current medications are implicated, the message
    naming the drugs, the advice, and the evidence (rule id and knowledge set version)."""

    kind: IssueKind
    level: Level
    lines: tuple[int, ...]
    message: str
    advice: str | None = None
    rule_id: str | None = None
    knowledge_version: int | None = None
    medications: tuple[str, ...] = ()  # current medications implicated, by generic name
    # The level as its Chinese label (黑灯：禁忌，禁止提交 ...); filled in from `level`.
    severity: str = ""

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", label(self.level))

    @property
    def kind_label(self) -> str:
        return ISSUE_KIND_LABELS[self.kind]

    @property
    def fhir_severity(self) -> str:
        return FHIR_SEVERITY[self.level]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (stored with the prescription, sent to the apps)."""
        return {"kind": self.kind.value, "kind_label": self.kind_label,
                "level": int(self.level), "severity": self.severity,
                "fhir_severity": self.fhir_severity, "lines": list(self.lines),
                "medications": list(self.medications), "message": self.message,
                "advice": self.advice, "rule_id": self.rule_id,
                "knowledge_version": self.knowledge_version}
