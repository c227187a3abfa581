"""The regulatory rules a prescription must meet (处方管理办法 2007, 医疗机构处方审核规范 2018):
legality (prescriber rights) and conformity (fields, validity, days' supply, number of drugs,
herbal pieces apart, drugs that may not circulate). The limits are run-time settings.

Each rule that fails yields a blocking issue (level 3, black) naming the line and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from server.platform_settings.registry import PrescriptionLimits

BLOCKING = 3  # the PASS scale's black: absolute, blocks submission


@dataclass(frozen=True)
class RuleLine:
    line_no: int
    generic_name: str
    item_type: str
    drug_class: str
    chronic_listed: bool
    herbal: bool
    active: bool
    days: int
    dose: Decimal


@dataclass(frozen=True)
class RuleInput:
    visit_type: str
    validity_days: int
    extended_supply_reason: str | None
    diagnoses: list[dict[str, str]]
    lines: list[RuleLine]
    doctor_title: str | None
    primary_care: bool  # the doctor works at a primary-care clinic (基层)
    # Drug classes the doctor's department x title may prescribe.
    allowed_classes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RuleIssue:
    kind: str  # legality | conformity
    rule_id: str
    message: str
    advice: str | None = None
    line_numbers: tuple[int, ...] = ()
    level: int = BLOCKING


def _max_days(data: RuleInput, limits: PrescriptionLimits) -> tuple[int, str]:
    if data.visit_type == "emergency":
        return limits.emergency_max_days, "急诊处方"
    if data.visit_type == "chronic" and data.extended_supply_reason:
        return limits.stable_chronic_max_days, "慢病长期处方"
    if data.extended_supply_reason:
        return limits.extended_max_days, "注明理由的延长处方"
    return limits.max_days_supply, "普通处方"


def check_rules(data: RuleInput, limits: PrescriptionLimits) -> list[RuleIssue]:
    issues: list[RuleIssue] = []
    if not data.lines:
        issues.append(RuleIssue("conformity", "rx.no_lines", "处方没有药品"))
    if not data.diagnoses:
        issues.append(RuleIssue("conformity", "rx.no_diagnosis", "处方须填写临床诊断"))
    if data.validity_days > limits.validity_max_days:
        issues.append(RuleIssue(
            "conformity", "rx.validity",
            f"处方有效期最长{limits.validity_max_days}天（当前{data.validity_days}天）"))
    if data.validity_days > limits.validity_default_days and not data.extended_supply_reason:
        issues.append(RuleIssue("conformity", "rx.validity_reason",
                                "处方有效期超过当日须由医生注明理由", "在“延长理由”中注明"))
    max_days, label = _max_days(data, limits)
    for line in data.lines:
        if line.days > max_days:
            issues.append(RuleIssue(
                "conformity", "rx.days_supply",
                f"第{line.line_no}行 {line.generic_name}：{label}最长{max_days}天，"
                f"当前{line.days}天",
                "减少天数，或注明慢病/老年/长期处方理由", (line.line_no,)))
        if not line.active:
            issues.append(RuleIssue(
                "legality", "rx.product_inactive",
                f"第{line.line_no}行 {line.generic_name} 不在流转目录中（已暂停或撤销）",
                None, (line.line_no,)))
        if line.drug_class in limits.non_circulating_classes:
            issues.append(RuleIssue(
                "legality", "rx.non_circulating",
                f"第{line.line_no}行 {line.generic_name} 属麻醉/精神药品，"
                "不能流转到院外药店",
                "请在院内药房开具", (line.line_no,)))
        elif line.drug_class not in data.allowed_classes:
            issues.append(RuleIssue(
                "legality", "rx.prescribing_right",
                f"第{line.line_no}行 {line.generic_name}：您所在科室和职称"
                f"无此类药品（{line.drug_class}）处方权",
                "请上级医师开具", (line.line_no,)))
        if data.primary_care and line.item_type == "drug" and not line.chronic_listed:
            issues.append(RuleIssue(
                "legality", "rx.primary_care_chronic_only",
                f"第{line.line_no}行 {line.generic_name} 不在医疗集团慢病药品目录内，"
                "基层医生不能开具",
                None, (line.line_no,)))
    herbal = [line for line in data.lines if line.herbal]
    if herbal and len(herbal) != len(data.lines):
        issues.append(RuleIssue("conformity", "rx.herbal_apart",
                                "中药饮片须单独开具处方", "将中药饮片移到另一张处方",
                                tuple(line.line_no for line in herbal)))
    drugs = [line for line in data.lines if line.item_type == "drug" and not line.herbal]
    if len(drugs) > limits.max_drugs:
        issues.append(RuleIssue(
            "conformity", "rx.max_drugs",
            f"每张西药、中成药处方不得超过{limits.max_drugs}种药品（当前{len(drugs)}种）",
            "分开开具"))
    return issues
