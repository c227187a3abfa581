"""The rule engine against the seed knowledge set: every kind of check, the hit and the clean
case, and the shape of what it answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from server.checks.engine import SAME_DRUG_RULE, run_checks
from server.checks.levels import Level
from server.checks.model import IssueKind
from server.knowledge.rules import (
    InsuranceRule,
    InteractionRule,
    RuleSet,
)
from server.knowledge.snapshot import KnowledgeSnapshot
from tests.server.checks.conftest import (
    ADULT,
    AMLODIPINE,
    AMOXICILLIN,
    AMOXICILLIN_GRANULES,
    ASPIRIN,
    ATORVASTATIN,
    AZITHROMYCIN,
    CALCIUM_GLUCONATE,
    CEFTRIAXONE,
    CEFUROXIME,
    CLARITHROMYCIN,
    CLOPIDOGREL,
    DIAZEPAM,
    DICLOFENAC,
    DOXYCYCLINE,
    IBUPROFEN,
    LEVOFLOXACIN,
    LEVOTHYROXINE,
    MEROPENEM,
    METFORMIN,
    METFORMIN_XR,
    METHOTREXATE,
    MONTELUKAST_CHEW,
    OMEPRAZOLE,
    OSELTAMIVIR,
    PARACETAMOL,
    ROSUVASTATIN,
    SIMVASTATIN,
    TICAGRELOR,
    WARFARIN,
    YEAR,
    allergy,
    line,
    of_kind,
    request,
    taking,
)

CHILD: dict[str, Any] = {"age_days": 10 * YEAR, "weight_kg": Decimal("24"), "sex": "male"}
WARFARIN_DOSE = {"route": "口服", "dose": "3", "dose_unit": "mg", "frequency": "qd"}


class TestInteractions:
    def test_warfarin_with_aspirin_on_the_prescription_is_a_red_hit(self, seed_knowledge):
        issues = run_checks(request(line(0, *WARFARIN), line(1, *ASPIRIN)), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.INTERACTION)
        assert hit.level == Level.RED
        assert hit.lines == (0, 1)
        assert "华法林钠片" in hit.message and "阿司匹林肠溶片" in hit.message
        assert "出血" in hit.message and hit.advice
        assert hit.rule_id == "DDI-0001" and hit.knowledge_version == 1

    def test_warfarin_for_a_patient_taking_aspirin_is_a_hit_too(self, seed_knowledge):
        issues = run_checks(request(line(0, *WARFARIN),
                                    current_medications=taking(ASPIRIN)), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.INTERACTION)
        assert hit.level == Level.RED and hit.lines == (0,)
        assert hit.medications == ("阿司匹林肠溶片",)
        assert "正在使用的阿司匹林肠溶片" in hit.message

    def test_a_current_medication_known_by_name_only_is_matched(self, seed_knowledge):
        """What an HIS may send: no ATC code, a bare ingredient name."""
        issues = run_checks(request(line(0, *WARFARIN),
                                    current_medications=taking(("阿司匹林", None))),
                            seed_knowledge)
        assert [i.rule_id for i in of_kind(issues, IssueKind.INTERACTION)] == ["DDI-0001"]

    def test_a_class_rule_matches_every_member_by_atc_prefix(self, seed_knowledge):
        issues = run_checks(request(line(0, *WARFARIN), line(1, *DICLOFENAC)), seed_knowledge)
        assert [i.rule_id for i in of_kind(issues, IssueKind.INTERACTION)] == ["DDI-0002"]

    def test_simvastatin_with_clarithromycin_is_black(self, seed_knowledge):
        issues = run_checks(request(line(0, *SIMVASTATIN), line(1, *CLARITHROMYCIN)),
                            seed_knowledge)
        assert of_kind(issues, IssueKind.INTERACTION)[0].level == Level.BLACK

    def test_clopidogrel_with_omeprazole_is_yellow(self, seed_knowledge):
        issues = run_checks(request(line(0, *CLOPIDOGREL), line(1, *OMEPRAZOLE)),
                            seed_knowledge)
        [hit] = of_kind(issues, IssueKind.INTERACTION)
        assert hit.level == Level.YELLOW

    def test_drugs_without_a_known_interaction_are_clean(self, seed_knowledge):
        issues = run_checks(request(line(0, *WARFARIN), line(1, *AMLODIPINE),
                                    current_medications=taking(METFORMIN)), seed_knowledge)
        assert of_kind(issues, IssueKind.INTERACTION) == []

    def test_continuing_a_current_medication_is_not_an_interaction_with_itself(
            self, seed_knowledge):
        issues = run_checks(request(line(0, *WARFARIN, **WARFARIN_DOSE),
                                    current_medications=taking(WARFARIN)), seed_knowledge)
        assert issues == []


class TestAllergy:
    def test_penicillin_allergic_patient_prescribed_amoxicillin_is_black(self, seed_knowledge):
        issues = run_checks(request(line(0, *AMOXICILLIN),
                                    allergies=[allergy("penicillins", "青霉素", reaction="皮疹")]),
                            seed_knowledge)
        [hit] = of_kind(issues, IssueKind.ALLERGY)
        assert hit.level == Level.BLACK and hit.lines == (0,)
        assert "青霉素类" in hit.message and "阿莫西林胶囊" in hit.message
        assert "皮疹" in hit.message

    def test_an_allergy_recorded_by_name_only_is_put_in_its_class(self, seed_knowledge):
        issues = run_checks(request(line(0, *("注射用哌拉西林钠他唑巴坦钠", "J01CR05")),
                                    allergies=[allergy(name="青霉素")]), seed_knowledge)
        assert of_kind(issues, IssueKind.ALLERGY)[0].level == Level.BLACK

    def test_an_allergen_named_exactly_is_black_even_outside_any_class(self, seed_knowledge):
        issues = run_checks(request(line(0, "某某新药片"), allergies=[allergy(name="某某新药")]),
                            seed_knowledge)
        [hit] = of_kind(issues, IssueKind.ALLERGY)
        assert hit.level == Level.BLACK and hit.knowledge_version is None

    def test_cephalosporin_for_a_penicillin_allergic_patient_is_the_configured_cross_level(
            self, seed_knowledge):
        issues = run_checks(request(line(0, *CEFUROXIME),
                                    allergies=[allergy("penicillins", "青霉素")]),
                            seed_knowledge)
        [hit] = of_kind(issues, IssueKind.ALLERGY)
        assert hit.level == Level.ORANGE  # allergy_cross.csv XS-0001: level 4
        assert hit.rule_id == "XS-0001" and "交叉过敏" in hit.message

    def test_after_a_severe_reaction_the_cross_level_is_raised(self, seed_knowledge):
        issues = run_checks(request(line(0, *CEFUROXIME),
                                    allergies=[allergy("penicillins", "青霉素",
                                                       severity="severe")]), seed_knowledge)
        assert of_kind(issues, IssueKind.ALLERGY)[0].level == Level.RED

    def test_carbapenem_for_a_penicillin_allergic_patient_is_yellow(self, seed_knowledge):
        issues = run_checks(request(line(0, *MEROPENEM),
                                    allergies=[allergy("penicillins")]), seed_knowledge)
        assert of_kind(issues, IssueKind.ALLERGY)[0].level == Level.YELLOW

    def test_an_unrelated_class_is_clean(self, seed_knowledge):
        issues = run_checks(request(line(0, *AZITHROMYCIN),
                                    allergies=[allergy("penicillins", "青霉素")]),
                            seed_knowledge)
        assert of_kind(issues, IssueKind.ALLERGY) == []


class TestDuplicates:
    def test_two_nsaids_are_duplicate_therapy(self, seed_knowledge):
        issues = run_checks(request(line(0, *IBUPROFEN), line(1, *DICLOFENAC)), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.DUPLICATE)
        assert hit.level == Level.RED and hit.lines == (0, 1)
        assert "非甾体抗炎药" in hit.message and hit.rule_id == "DUP-0001"

    def test_an_nsaid_and_paracetamol_are_not(self, seed_knowledge):
        issues = run_checks(request(line(0, *IBUPROFEN), line(1, *PARACETAMOL)),
                            seed_knowledge)
        assert of_kind(issues, IssueKind.DUPLICATE) == []

    def test_a_second_statin_for_a_patient_on_one_is_duplicate(self, seed_knowledge):
        issues = run_checks(request(line(0, *ROSUVASTATIN),
                                    current_medications=taking(ATORVASTATIN)), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.DUPLICATE)
        assert hit.medications == ("阿托伐他汀钙片",) and "他汀" in hit.message

    def test_renewing_the_statin_the_patient_takes_is_not(self, seed_knowledge):
        issues = run_checks(request(line(0, *ATORVASTATIN),
                                    current_medications=taking(ATORVASTATIN)), seed_knowledge)
        assert of_kind(issues, IssueKind.DUPLICATE) == []

    def test_one_drug_on_two_lines_is_a_builtin_duplicate(self, seed_knowledge):
        issues = run_checks(request(line(0, *AMOXICILLIN), line(1, *AMOXICILLIN_GRANULES)),
                            seed_knowledge)
        [hit] = of_kind(issues, IssueKind.DUPLICATE)
        assert hit.rule_id == SAME_DRUG_RULE and hit.level == Level.ORANGE


class TestDose:
    def test_a_child_dose_above_the_per_kg_maximum_is_red(self, seed_knowledge):
        # 24 kg: at most 30 mg/kg = 720 mg a dose and 90 mg/kg = 2160 mg a day.
        issues = run_checks(request(line(0, *AMOXICILLIN, route="口服", dose="1", dose_unit="g",
                                         frequency="tid"), **CHILD), seed_knowledge)
        hits = of_kind(issues, IssueKind.DOSE)
        assert {h.level for h in hits} == {Level.RED}
        messages = " ".join(h.message for h in hits)
        assert "单次剂量1000mg超过最大单次剂量720mg" in messages
        assert "日剂量3000mg超过最大日剂量2160mg" in messages
        assert "按体重24kg" in messages

    def test_a_child_dose_within_range_is_clean(self, seed_knowledge):
        issues = run_checks(request(line(0, *AMOXICILLIN, route="口服", dose="250",
                                         dose_unit="mg", frequency="tid"), **CHILD),
                            seed_knowledge)
        assert of_kind(issues, IssueKind.DOSE) == []

    def test_a_dose_in_capsules_is_converted_through_the_strength(self, seed_knowledge):
        # Two 0.25 g capsules = 500 mg: fine for an adult; six = 1.5 g: too much.
        ok = line(0, *AMOXICILLIN, route="口服", dose="2", dose_unit="粒", strength="0.25",
                  strength_unit="g", frequency="tid")
        assert of_kind(run_checks(request(ok), seed_knowledge), IssueKind.DOSE) == []
        too_much = line(0, *AMOXICILLIN, route="口服", dose="6", dose_unit="粒",
                        strength="0.25", strength_unit="g", frequency="tid")
        assert of_kind(run_checks(request(too_much), seed_knowledge), IssueKind.DOSE)

    def test_a_count_unit_without_strength_is_not_checked(self, seed_knowledge):
        issues = run_checks(request(line(0, *AMOXICILLIN, route="口服", dose="2",
                                         dose_unit="粒", frequency="tid")), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.DOSE)
        assert hit.level == Level.NOT_CHECKED_MISSING_DATA and "无法换算" in hit.message

    def test_a_per_kg_rule_without_weight_is_not_checked_never_passed(self, seed_knowledge):
        issues = run_checks(request(line(0, *AMOXICILLIN, route="口服", dose="250",
                                         dose_unit="mg", frequency="tid"),
                                    age_days=5 * YEAR, weight_kg=None), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.DOSE)
        assert hit.level == Level.NOT_CHECKED_MISSING_DATA and "体重" in hit.message

    def test_an_age_band_picks_the_rule(self, seed_knowledge):
        # Montelukast: 4 mg from 2 to 5 years; a 4-year-old given 10 mg is over.
        issues = run_checks(request(line(0, *MONTELUKAST_CHEW, route="口服", dose="10",
                                         dose_unit="mg", frequency="qn"),
                                    age_days=4 * YEAR, weight_kg=Decimal("16")),
                            seed_knowledge)
        assert [h.rule_id for h in of_kind(issues, IssueKind.DOSE)] == ["DOSE-0038"] * 2

    def test_a_formulation_rule_beats_the_class_rule(self, seed_knowledge):
        # Metformin: 2550 mg a day immediate release, 2000 mg extended release.
        plain = line(0, *METFORMIN, route="口服", dose="850", dose_unit="mg", frequency="tid")
        assert of_kind(run_checks(request(plain), seed_knowledge), IssueKind.DOSE) == []
        extended = line(0, *METFORMIN_XR, route="口服", dose="850", dose_unit="mg",
                        frequency="tid")
        [hit] = of_kind(run_checks(request(extended), seed_knowledge), IssueKind.DOSE)
        assert hit.rule_id == "DOSE-0025" and "2000mg" in hit.message

    def test_a_dose_below_the_usual_is_yellow(self, seed_knowledge):
        issues = run_checks(request(line(0, *ATORVASTATIN, route="口服", dose="5",
                                         dose_unit="mg", frequency="qd")), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.DOSE)
        assert hit.level == Level.YELLOW and "低于常用剂量" in hit.message

    def test_micrograms_are_compared_in_micrograms(self, seed_knowledge):
        issues = run_checks(request(line(0, *LEVOTHYROXINE, route="口服", dose="0.5",
                                         dose_unit="mg", frequency="qd")), seed_knowledge)
        single = [h for h in of_kind(issues, IssueKind.DOSE) if "单次" in h.message]
        assert "单次剂量500μg超过最大单次剂量300μg" in single[0].message


class TestFrequency:
    def test_methotrexate_daily_instead_of_weekly_is_caught(self, seed_knowledge):
        issues = run_checks(request(line(0, *METHOTREXATE, route="口服", dose="7.5",
                                         dose_unit="mg", frequency="qd")), seed_knowledge)
        assert of_kind(issues, IssueKind.FREQUENCY)[0].level == Level.RED
        assert of_kind(issues, IssueKind.DOSE)  # and 7.5 mg a day is over the daily limit

    def test_methotrexate_weekly_is_clean(self, seed_knowledge):
        issues = run_checks(request(line(0, *METHOTREXATE, route="口服", dose="15",
                                         dose_unit="mg", frequency="qw")), seed_knowledge)
        assert issues == []

    def test_too_many_doses_a_day_is_a_frequency_hit(self, seed_knowledge):
        issues = run_checks(request(line(0, *ATORVASTATIN, route="口服", dose="10",
                                         dose_unit="mg", frequency="bid")), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.FREQUENCY)
        assert "每日两次" in hit.message

    def test_an_unknown_frequency_is_not_checked(self, seed_knowledge):
        issues = run_checks(request(line(0, *ATORVASTATIN, route="口服", dose="10",
                                         dose_unit="mg", frequency="q3d")), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.FREQUENCY)
        assert hit.level == Level.NOT_CHECKED_MISSING_DATA

    def test_prn_counts_as_the_most_doses_a_day_given(self, seed_knowledge):
        prn = line(0, *IBUPROFEN, route="口服", dose="800", dose_unit="mg", frequency="prn",
                   prn_max_per_day=4)  # 3200 mg a day at most: over 2400
        assert of_kind(run_checks(request(prn), seed_knowledge), IssueKind.DOSE)
        fewer = line(0, *IBUPROFEN, route="口服", dose="800", dose_unit="mg", frequency="prn",
                     prn_max_per_day=2)
        assert of_kind(run_checks(request(fewer), seed_knowledge), IssueKind.DOSE) == []


class TestContraindications:
    def test_warfarin_in_pregnancy_is_black(self, seed_knowledge):
        issues = run_checks(request(line(0, *WARFARIN), sex="female", pregnant=True),
                            seed_knowledge)
        [hit] = of_kind(issues, IssueKind.CONTRAINDICATION)
        assert hit.level == Level.BLACK and "妊娠期禁用" in hit.message
        assert "低分子肝素" in (hit.advice or "")

    def test_warfarin_outside_pregnancy_is_clean(self, seed_knowledge):
        assert run_checks(request(line(0, *WARFARIN, **WARFARIN_DOSE), sex="female"),
                          seed_knowledge) == []

    def test_a_fluoroquinolone_for_a_child_is_black_and_for_an_adult_clean(self, seed_knowledge):
        child = run_checks(request(line(0, *LEVOFLOXACIN), **CHILD), seed_knowledge)
        assert of_kind(child, IssueKind.CONTRAINDICATION)[0].level == Level.BLACK
        assert of_kind(run_checks(request(line(0, *LEVOFLOXACIN)), seed_knowledge),
                       IssueKind.CONTRAINDICATION) == []

    def test_tetracyclines_under_eight_years(self, seed_knowledge):
        young = run_checks(request(line(0, *DOXYCYCLINE), age_days=6 * YEAR), seed_knowledge)
        older = run_checks(request(line(0, *DOXYCYCLINE), age_days=9 * YEAR), seed_knowledge)
        assert of_kind(young, IssueKind.CONTRAINDICATION)
        assert of_kind(older, IssueKind.CONTRAINDICATION) == []

    def test_lactation(self, seed_knowledge):
        issues = run_checks(request(line(0, *LEVOFLOXACIN), sex="female", lactating=True),
                            seed_knowledge)
        assert [h.rule_id for h in of_kind(issues, IssueKind.CONTRAINDICATION)] == ["CI-0007"]

    def test_an_age_above_rule(self, seed_knowledge):
        old = run_checks(request(line(0, *DIAZEPAM), age_days=70 * YEAR), seed_knowledge)
        assert of_kind(old, IssueKind.CONTRAINDICATION)[0].level == Level.ORANGE
        assert run_checks(request(line(0, *DIAZEPAM)), seed_knowledge) == []

    def test_a_diagnosis_rule_matches_by_icd_prefix(self, seed_knowledge):
        issues = run_checks(request(line(0, *METFORMIN), diagnoses=["N18.500"]), seed_knowledge)
        assert of_kind(issues, IssueKind.CONTRAINDICATION)[0].level == Level.BLACK
        clean = run_checks(request(line(0, *METFORMIN), diagnoses=["N18.3"]), seed_knowledge)
        assert of_kind(clean, IssueKind.CONTRAINDICATION) == []

    def test_an_unknown_age_is_not_checked(self, seed_knowledge):
        issues = run_checks(request(line(0, *LEVOFLOXACIN), age_days=None), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.CONTRAINDICATION)
        assert hit.level == Level.NOT_CHECKED_MISSING_DATA and "年龄" in hit.message


class TestIncompatibility:
    CALCIUM_INJECTION = ("葡萄糖酸钙注射液", CALCIUM_GLUCONATE[1])

    def test_ceftriaxone_with_calcium_in_one_infusion_is_black(self, seed_knowledge):
        issues = run_checks(request(
            line(0, *CEFTRIAXONE, route="静脉滴注", infusion_group=1),
            line(1, *self.CALCIUM_INJECTION, route="静脉滴注", infusion_group=1)),
            seed_knowledge)
        [hit] = of_kind(issues, IssueKind.INCOMPATIBILITY)
        assert hit.level == Level.BLACK and hit.lines == (0, 1)

    def test_in_separate_infusions_it_is_clean(self, seed_knowledge):
        issues = run_checks(request(
            line(0, *CEFTRIAXONE, route="静脉滴注", infusion_group=1),
            line(1, *self.CALCIUM_INJECTION, route="静脉滴注", infusion_group=2)),
            seed_knowledge)
        assert of_kind(issues, IssueKind.INCOMPATIBILITY) == []

    def test_without_groups_the_same_route_counts(self, seed_knowledge):
        same = run_checks(request(line(0, *CEFTRIAXONE, route="静脉滴注"),
                                  line(1, *self.CALCIUM_INJECTION, route="静脉滴注")),
                          seed_knowledge)
        assert of_kind(same, IssueKind.INCOMPATIBILITY)
        apart = run_checks(request(line(0, *CEFTRIAXONE, route="静脉滴注"),
                                   line(1, *CALCIUM_GLUCONATE, route="口服")), seed_knowledge)
        assert of_kind(apart, IssueKind.INCOMPATIBILITY) == []


class TestInsurance:
    def test_a_restricted_indication_without_its_diagnosis_is_flagged(self, seed_knowledge):
        issues = run_checks(request(line(0, *TICAGRELOR), diagnoses=["I10"]), seed_knowledge)
        [hit] = of_kind(issues, IssueKind.INSURANCE)
        assert hit.level == Level.YELLOW and "急性冠脉综合征" in hit.message

    def test_with_the_diagnosis_it_is_clean(self, seed_knowledge):
        issues = run_checks(request(line(0, *TICAGRELOR), diagnoses=["I21.4"]), seed_knowledge)
        assert of_kind(issues, IssueKind.INSURANCE) == []

    def test_more_days_than_insurance_pays_for(self, seed_knowledge):
        issues = run_checks(request(line(0, *OSELTAMIVIR, days=7), diagnoses=["J10.1"]),
                            seed_knowledge)
        [hit] = of_kind(issues, IssueKind.INSURANCE)
        assert "限5天" in hit.message
        five = run_checks(request(line(0, *OSELTAMIVIR, days=5), diagnoses=["J10.1"]),
                          seed_knowledge)
        assert of_kind(five, IssueKind.INSURANCE) == []

    def test_chronic_list_only_and_price_limit(self):
        knowledge = KnowledgeSnapshot(RuleSet(insurance_rules=(
            InsuranceRule(rule_id="I-1", drug="测试药", message="仅慢病目录品种报销",
                          chronic_only=True),
            InsuranceRule(rule_id="I-2", drug="测试药", message="支付标准",
                          max_price=Decimal("10")))), version=7)
        hits = run_checks(request(line(0, "测试药片", price="12.5", chronic_listed=False)),
                          knowledge)
        assert sorted(str(h.rule_id) for h in hits) == ["I-1", "I-2"]
        assert all(h.knowledge_version == 7 for h in hits)
        assert run_checks(request(line(0, "测试药片", price="9.9", chronic_listed=True)),
                          knowledge) == []


class TestResult:
    def test_issues_come_worst_first_whatever_the_numbers(self):
        """4 (orange) is less severe than 2 (red) and 3 (black)."""
        pairs = tuple(InteractionRule(rule_id=f"R{level}", a="甲药", b=f"乙药{level}",
                                      level=Level(level), message="测试")
                      for level in (1, 4, 2, 3))
        knowledge = KnowledgeSnapshot(RuleSet(interactions=pairs), version=1)
        issues = run_checks(request(line(0, "甲药片"), *(line(i + 1, f"乙药{level}片")
                                                       for i, level in enumerate((1, 4, 2, 3)))),
                            knowledge)
        assert [i.level for i in issues] == [Level.BLACK, Level.RED, Level.ORANGE, Level.YELLOW]

    def test_an_issue_is_shaped_like_a_fhir_detected_issue(self, seed_knowledge):
        issues = run_checks(request(line(0, *WARFARIN), line(1, *ASPIRIN)), seed_knowledge)
        body = of_kind(issues, IssueKind.INTERACTION)[0].as_dict()
        assert body["kind"] == "interaction" and body["level"] == 2
        assert body["severity"] == "红灯：严重，不推荐" and body["fhir_severity"] == "high"
        assert body["lines"] == [0, 1] and body["rule_id"] == "DDI-0001"
        assert body["knowledge_version"] == 1 and body["kind_label"] == "药物相互作用"

    def test_a_clean_prescription_has_no_issues(self, seed_knowledge):
        assert run_checks(request(line(0, *AMLODIPINE, route="口服", dose="5", dose_unit="mg",
                                       frequency="qd"),
                                  line(1, *IBUPROFEN, route="口服", dose="0.3", dose_unit="g",
                                       frequency="bid")), seed_knowledge) == []

    @pytest.mark.parametrize("patient", [ADULT])
    def test_an_empty_prescription_has_no_issues(self, seed_knowledge, patient):
        assert run_checks(request(patient=patient), seed_knowledge) == []
