"""The regulatory rules: every rule's hit and its clean case."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from server.platform_settings.registry import PrescriptionLimits
from server.prescriptions.rules import RuleInput, RuleLine, check_rules

LIMITS = PrescriptionLimits()
ALL_CLASSES = frozenset({"ordinary", "antibiotic_unrestricted", "antibiotic_restricted"})


def line(no: int = 1, **kw: object) -> RuleLine:
    base = RuleLine(line_no=no, generic_name=f"药品{no}", item_type="drug", drug_class="ordinary",
                    chronic_listed=True, herbal=False, active=True, days=7, dose=Decimal(1))
    return replace(base, **kw)  # type: ignore[arg-type]


def rx(*lines: RuleLine, **kw: object) -> RuleInput:
    base = RuleInput(visit_type="outpatient", validity_days=1, extended_supply_reason=None,
                     diagnoses=[{"code": "J02.9", "name": "急性咽炎"}], lines=list(lines),
                     doctor_title="attending", primary_care=False, allowed_classes=ALL_CLASSES)
    return replace(base, **kw)  # type: ignore[arg-type]


def rule_ids(data: RuleInput) -> set[str]:
    return {issue.rule_id for issue in check_rules(data, LIMITS)}


class TestCleanPrescription:
    def test_passes_every_rule(self) -> None:
        assert check_rules(rx(line()), LIMITS) == []


class TestConformity:
    def test_lines_and_diagnosis_required(self) -> None:
        assert rule_ids(rx(diagnoses=[])) == {"rx.no_lines", "rx.no_diagnosis"}

    def test_validity(self) -> None:
        assert "rx.validity" in rule_ids(rx(line(), validity_days=5))
        assert rule_ids(rx(line(), validity_days=3)) == {"rx.validity_reason"}
        assert rule_ids(rx(line(), validity_days=3, extended_supply_reason="行动不便")) == set()

    def test_days_supply_by_visit_type(self) -> None:
        assert rule_ids(rx(line(days=8))) == {"rx.days_supply"}
        assert rule_ids(rx(line(days=4), visit_type="emergency")) == {"rx.days_supply"}
        assert rule_ids(rx(line(days=28), extended_supply_reason="高血压稳定期")) == set()
        assert rule_ids(rx(line(days=84), visit_type="chronic",
                           extended_supply_reason="病情稳定")) == set()
        assert rule_ids(rx(line(days=85), visit_type="chronic",
                           extended_supply_reason="病情稳定")) == {"rx.days_supply"}

    def test_at_most_five_drugs(self) -> None:
        assert rule_ids(rx(*(line(i) for i in range(1, 6)))) == set()
        assert rule_ids(rx(*(line(i) for i in range(1, 7)))) == {"rx.max_drugs"}

    def test_herbal_pieces_on_their_own(self) -> None:
        assert rule_ids(rx(line(1, herbal=True), line(2, herbal=True))) == set()
        issues = check_rules(rx(line(1, herbal=True), line(2)), LIMITS)
        assert [i.rule_id for i in issues] == ["rx.herbal_apart"]
        assert issues[0].line_numbers == (1,)


class TestLegality:
    def test_narcotics_and_psychotropics_do_not_circulate(self) -> None:
        for drug_class in ("narcotic", "psychotropic_1", "psychotropic_2"):
            assert rule_ids(rx(line(drug_class=drug_class))) == {"rx.non_circulating"}

    def test_prescribing_right_by_class(self) -> None:
        assert rule_ids(rx(line(drug_class="antibiotic_special"))) == {"rx.prescribing_right"}

    def test_primary_care_limited_to_the_chronic_list(self) -> None:
        assert rule_ids(rx(line(chronic_listed=False), primary_care=True)) == {
            "rx.primary_care_chronic_only"}
        assert rule_ids(rx(line(chronic_listed=True), primary_care=True)) == set()
        # Consumables are not drugs of the chronic list.
        assert rule_ids(rx(line(item_type="consumable", chronic_listed=False),
                           primary_care=True)) == set()

    def test_inactive_product(self) -> None:
        assert rule_ids(rx(line(active=False))) == {"rx.product_inactive"}
