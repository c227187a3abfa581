"""Running every check on a prescription's content: the regulatory rules, the rule engine over
the hospital's knowledge, and (on submit) the rational-drug-use system; and presenting the hits.

One issue list shape for all three sources, with a stable `key` the doctor's override names.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from server.catalogue.models import CatalogueProduct, ProductStatus
from server.checks.engine import run_checks
from server.checks.levels import Level, label, severity_rank
from server.checks.model import CheckLine, CheckRequest, DetectedIssue
from server.checks.rational_use import RationalUseResult
from server.clinical.service import PatientContext
from server.knowledge.snapshot import KnowledgeSnapshot
from server.prescriptions.models import PrescriptionIssue, PrescriptionLine
from server.prescriptions.quantity import parse_package, strength_per_unit
from server.prescriptions.rules import RuleInput, RuleIssue, RuleLine

NEEDS_OVERRIDE = frozenset({Level.YELLOW, Level.ORANGE, Level.RED})  # proceed with a reason
BLOCKS = Level.BLACK


def worst_level(levels: Sequence[int]) -> int | None:
    """The most severe level (PASS numbers are not in severity order: 4 is orange)."""
    return int(max(levels, key=severity_rank)) if levels else None


@dataclass
class Hit:
    source: str  # rules | engine | rational_use
    kind: str
    level: int
    lines: tuple[int, ...]
    message: str
    advice: str | None = None
    rule_id: str | None = None
    override_reason: str | None = None
    overridden_by: str | None = None
    overridden_at: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.source}:{self.rule_id or self.kind}:{','.join(map(str, self.lines))}"

    @property
    def needs_override(self) -> bool:
        return self.level in NEEDS_OVERRIDE

    @property
    def severity(self) -> str:
        return label(self.level)


@dataclass
class CheckOutcome:
    hits: list[Hit] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return any(hit.level == BLOCKS for hit in self.hits)

    @property
    def worst(self) -> int | None:
        return worst_level([hit.level for hit in self.hits])


def rule_input(*, visit_type: str, validity_days: int, extended_supply_reason: str | None,
               diagnoses: list[dict[str, str]], lines: Sequence[PrescriptionLine],
               products: Mapping[uuid.UUID, CatalogueProduct], doctor_title: str | None,
               primary_care: bool, allowed_classes: frozenset[str]) -> RuleInput:
    return RuleInput(
        visit_type=visit_type, validity_days=validity_days,
        extended_supply_reason=extended_supply_reason, diagnoses=diagnoses,
        lines=[RuleLine(line_no=line.line_no, generic_name=line.generic_name,
                        item_type=line.item_type, drug_class=line.drug_class,
                        chronic_listed=products[line.product_id].chronic_list,
                        herbal=products[line.product_id].herbal_pieces,
                        active=products[line.product_id].status == ProductStatus.ACTIVE,
                        days=line.days, dose=line.dose)
               for line in lines],
        doctor_title=doctor_title, primary_care=primary_care, allowed_classes=allowed_classes)


def check_request(context: PatientContext, diagnoses: list[dict[str, str]],
                  lines: Sequence[PrescriptionLine],
                  products: Mapping[uuid.UUID, CatalogueProduct]) -> CheckRequest:
    check_lines = []
    for line in lines:
        product = products[line.product_id]
        package = parse_package(product.package)
        count_unit = package[1] if package else None
        strength_unit = "mg"
        strength = strength_per_unit(product.specification, strength_unit)
        if strength is None:
            strength_unit = "ml"
            strength = strength_per_unit(product.specification, strength_unit)
        check_lines.append(CheckLine(
            index=line.line_no, generic_name=line.generic_name, atc_code=product.atc_code,
            drug_class=line.drug_class, dosage_form=product.dosage_form, route=line.route,
            dose=line.dose, dose_unit=line.dose_unit, frequency=line.frequency, days=line.days,
            quantity=Decimal(line.quantity), chronic_listed=product.chronic_list,
            price=line.unit_price,
            strength=strength if count_unit == line.dose_unit else None,
            strength_unit=strength_unit if count_unit == line.dose_unit else None))
    return CheckRequest(patient=context.facts(extra_diagnoses=[d["code"] for d in diagnoses]),
                        lines=tuple(check_lines))


def from_rules(issues: Sequence[RuleIssue]) -> list[Hit]:
    return [Hit("rules", i.kind, i.level, i.line_numbers, i.message, i.advice, i.rule_id)
            for i in issues]


def from_engine(issues: Sequence[DetectedIssue]) -> list[Hit]:
    return [Hit("engine", i.kind.value, int(i.level), i.lines, i.message, i.advice, i.rule_id)
            for i in issues]


def from_rational_use(result: RationalUseResult) -> list[Hit]:
    """Every line's answer is kept, "not checked" included: it is never read as passed."""
    hits = []
    for line in result.lines:
        if int(line.level) == 0:
            continue
        message = "；".join(line.messages) or (
            "未审查" if int(line.level) < 0 else "合理用药系统提示")
        hits.append(Hit("rational_use", "rational_use", int(line.level), (line.index,),
                        f"{result.system}：{message}", None, f"rational_use.line{line.index}"))
    return hits


def as_rows(hits: Sequence[Hit], *, prescription_id: object, org_id: object,
            revision: int) -> list[PrescriptionIssue]:
    return [PrescriptionIssue(
        prescription_id=prescription_id, org_id=org_id, revision=revision, source=hit.source,
        kind=hit.kind, level=hit.level, line_numbers=list(hit.lines), message=hit.message,
        advice=hit.advice, rule_id=hit.rule_id, override_reason=hit.override_reason,
        overridden_by_name=hit.overridden_by,
        overridden_at=hit.overridden_at) for hit in hits]


def from_rows(rows: Sequence[PrescriptionIssue]) -> list[Hit]:
    return [Hit(row.source, row.kind, row.level, tuple(row.line_numbers), row.message,
                row.advice, row.rule_id, row.override_reason, row.overridden_by_name,
                row.overridden_at) for row in rows]


def engine_hits(context: PatientContext, diagnoses: list[dict[str, str]],
                lines: Sequence[PrescriptionLine], products: Mapping[uuid.UUID, CatalogueProduct],
                knowledge: KnowledgeSnapshot) -> list[Hit]:
    request = check_request(context, diagnoses, lines, products)
    return from_engine(run_checks(request, knowledge))
