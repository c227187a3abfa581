"""The rows of a knowledge set, as immutable records the rule engine reads.

Each kind has a `rule_id` (stable across versions, quoted as evidence with every hit) and its
drug columns as keys (server/knowledge/keys.py). Levels are on the PASS scale
(server/checks/levels.py); the CSV loader (server/knowledge/loader.py) builds these records and
the snapshot (server/knowledge/snapshot.py) indexes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from server.checks.levels import Level


class RuleKind(StrEnum):
    INTERACTION_PAIR = "interaction_pair"
    DOSE_RULE = "dose_rule"
    ALLERGY_CLASS = "allergy_class"
    ALLERGY_CROSS = "allergy_cross"
    DUPLICATE_CLASS = "duplicate_class"
    CONTRAINDICATION = "contraindication"
    INCOMPATIBILITY = "incompatibility"
    INSURANCE_RULE = "insurance_rule"


RULE_KIND_LABELS = {
    RuleKind.INTERACTION_PAIR: "相互作用",
    RuleKind.DOSE_RULE: "剂量范围",
    RuleKind.ALLERGY_CLASS: "过敏原类别",
    RuleKind.ALLERGY_CROSS: "交叉过敏",
    RuleKind.DUPLICATE_CLASS: "重复用药类别",
    RuleKind.CONTRAINDICATION: "禁忌证",
    RuleKind.INCOMPATIBILITY: "配伍禁忌",
    RuleKind.INSURANCE_RULE: "医保限制",
}


class Condition(StrEnum):
    """What a contraindication is about; `value` of the row qualifies it."""

    PREGNANCY = "pregnancy"  # 妊娠期
    LACTATION = "lactation"  # 哺乳期
    AGE_BELOW_DAYS = "age_below_days"  # 年龄小于 value 天
    AGE_ABOVE_DAYS = "age_above_days"  # 年龄大于等于 value 天
    DIAGNOSIS = "diagnosis"  # 诊断以 value 中任一 ICD-10 前缀开头


@dataclass(frozen=True, slots=True)
class InteractionRule:
    rule_id: str
    a: str
    b: str
    level: Level
    message: str
    advice: str | None = None
    mechanism: str | None = None


@dataclass(frozen=True, slots=True)
class DoseRule:
    """Dose limits for one drug, route and age band [age_min_days, age_max_days).

    With `weight_based`, the single and daily limits are per kilogram of body weight.
    `max_per_day` may be fractional: 0.143 allows once a week (methotrexate).
    """

    rule_id: str
    drug: str
    unit: str
    route: str | None = None
    age_min_days: int | None = None
    age_max_days: int | None = None
    weight_based: bool = False
    min_single: Decimal | None = None
    max_single: Decimal | None = None
    max_daily: Decimal | None = None
    max_per_day: Decimal | None = None
    level: Level = Level.RED

    def applies_to_age(self, age_days: int | None) -> bool | None:
        """True/False; None when the rule has an age band and the age is unknown."""
        if self.age_min_days is None and self.age_max_days is None:
            return True
        if age_days is None:
            return None
        if self.age_min_days is not None and age_days < self.age_min_days:
            return False
        return not (self.age_max_days is not None and age_days >= self.age_max_days)


@dataclass(frozen=True, slots=True)
class AllergyClassRule:
    """An allergen class (penicillins 青霉素类) and the drugs in it; a drug of the class given
    to a patient allergic to the class is a hit at `level` (black by default)."""

    rule_id: str
    class_code: str
    label: str
    members: tuple[str, ...]
    level: Level = Level.BLACK


@dataclass(frozen=True, slots=True)
class AllergyCrossRule:
    """Patients allergic to `class_code` may react to `cross_class_code` (directed)."""

    rule_id: str
    class_code: str
    cross_class_code: str
    level: Level
    message: str
    # The level when the recorded reaction was severe (anaphylaxis); None = same as `level`.
    severe_level: Level | None = None


@dataclass(frozen=True, slots=True)
class DuplicateClassRule:
    rule_id: str
    class_code: str
    label: str
    members: tuple[str, ...]
    level: Level
    advice: str | None = None


@dataclass(frozen=True, slots=True)
class ContraindicationRule:
    rule_id: str
    drug: str
    condition: Condition
    level: Level
    message: str
    # Days for the age conditions; ICD-10 prefixes for `diagnosis`.
    age_days: int | None = None
    icd10_prefixes: tuple[str, ...] = ()
    advice: str | None = None


@dataclass(frozen=True, slots=True)
class IncompatibilityRule:
    """Two drugs that must not share an infusion (or, without infusion groups, a route)."""

    rule_id: str
    a: str
    b: str
    level: Level
    message: str
    route: str | None = None
    advice: str | None = None


@dataclass(frozen=True, slots=True)
class InsuranceRule:
    rule_id: str
    drug: str
    message: str
    indications: tuple[str, ...] = ()  # ICD-10 prefixes the restricted indication allows
    max_days: int | None = None
    chronic_only: bool = False
    max_price: Decimal | None = None
    level: Level = Level.YELLOW


@dataclass(frozen=True, slots=True)
class RuleSet:
    """All rows of one knowledge set, by kind."""

    interactions: tuple[InteractionRule, ...] = ()
    dose_rules: tuple[DoseRule, ...] = ()
    allergy_classes: tuple[AllergyClassRule, ...] = ()
    allergy_cross: tuple[AllergyCrossRule, ...] = ()
    duplicate_classes: tuple[DuplicateClassRule, ...] = ()
    contraindications: tuple[ContraindicationRule, ...] = ()
    incompatibilities: tuple[IncompatibilityRule, ...] = ()
    insurance_rules: tuple[InsuranceRule, ...] = ()

    def counts(self) -> dict[str, int]:
        return {
            RuleKind.INTERACTION_PAIR: len(self.interactions),
            RuleKind.DOSE_RULE: len(self.dose_rules),
            RuleKind.ALLERGY_CLASS: len(self.allergy_classes),
            RuleKind.ALLERGY_CROSS: len(self.allergy_cross),
            RuleKind.DUPLICATE_CLASS: len(self.duplicate_classes),
            RuleKind.CONTRAINDICATION: len(self.contraindications),
            RuleKind.INCOMPATIBILITY: len(self.incompatibilities),
            RuleKind.INSURANCE_RULE: len(self.insurance_rules),
        }
