"""The rule engine: a prescription (CheckRequest) against a knowledge snapshot -> DetectedIssues.

Pure Python, no database, no clock: everything it needs is in its two arguments, so the same
request and the same knowledge version always give the same answer (the evidence a reviewer can
replay). Kinds checked: interactions (between the new lines, and each new line against the
patient's current medication), allergy (class membership and cross-sensitivity), duplicate
therapy, dose and frequency by age and weight, contraindications (pregnancy, lactation, age,
diagnosis), incompatibility within an infusion, and insurance limits.

Where a rule exists but the facts to apply it are missing (no weight for a per-kg dose, no age
for an age band, a dose unit that cannot be converted), the engine says so with a "not checked"
issue (level -2) instead of staying silent: not checked is never passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from server.checks import frequency as frequencies
from server.checks import units
from server.checks.levels import Level, severity_rank, sort_worst_first
from server.checks.model import (
    AllergyFact,
    CheckLine,
    CheckRequest,
    DetectedIssue,
    IssueKind,
    MedicationFact,
)
from server.knowledge.keys import normalise_atc, normalise_icd10, normalise_name
from server.knowledge.rules import Condition, DoseRule
from server.knowledge.snapshot import DrugProfile, KnowledgeSnapshot, between

# Built-in rule (not knowledge data): one drug written on two lines of one prescription.
SAME_DRUG_RULE = "BUILTIN-SAME-DRUG"
# Built-in rule: the allergen named on the patient's record is this very drug.
ALLERGEN_NAMED_RULE = "BUILTIN-ALLERGEN-NAMED"
FULL_ATC_LENGTH = 7


def run_checks(request: CheckRequest, knowledge: KnowledgeSnapshot) -> list[DetectedIssue]:
    """Every issue found, worst first (black > red > orange > yellow > not checked)."""
    run = _Run(request, knowledge)
    issues = [*run.interactions(), *run.allergies(), *run.duplicates(), *run.doses(),
              *run.contraindications(), *run.incompatibilities(), *run.insurance()]
    return sort_worst_first(issues)


def _fmt(value: Decimal) -> str:
    """A number as a prescription prints it: at most two decimals, no trailing zeros."""
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:f}"


def _route_matches(rule_route: str | None, line_route: str | None) -> bool:
    """A rule for 静脉 covers 静脉滴注 and 静脉注射; a line without a route matches any."""
    if not rule_route or not line_route:
        return True
    return rule_route in line_route


class _Drug:
    """A drug as the engine compares it: names folded once."""

    __slots__ = ("atc", "name", "profile", "shown")

    def __init__(self, generic_name: str, atc_code: str | None, profile: DrugProfile) -> None:
        self.shown = generic_name
        self.name = normalise_name(generic_name)
        self.atc = normalise_atc(atc_code) if atc_code else ""
        self.profile = profile

    def same_as(self, other: _Drug) -> bool:
        """The same medicine (perhaps another form or maker): continuing it is no interaction
        and no duplicate with itself."""
        if len(self.atc) == FULL_ATC_LENGTH and len(other.atc) == FULL_ATC_LENGTH:
            return self.atc == other.atc
        if self.name == other.name:
            return True
        # A name without an ATC code (what an HIS may send): compare by containment.
        if (not self.atc or not other.atc) and min(len(self.name), len(other.name)) >= 2:
            return self.name in other.name or other.name in self.name
        return False


class _Run:
    def __init__(self, request: CheckRequest, knowledge: KnowledgeSnapshot) -> None:
        self.facts = request.patient
        self.lines = request.lines
        self.knowledge = knowledge
        self.version = knowledge.version
        self.drugs = [_Drug(line.generic_name, line.atc_code,
                            knowledge.profile(line.generic_name, line.atc_code))
                      for line in request.lines]
        self.meds = [(med, _Drug(med.generic_name, med.atc_code,
                                 knowledge.profile(med.generic_name, med.atc_code)))
                     for med in self.facts.current_medications]
        self.diagnoses = tuple(normalise_icd10(code) for code in self.facts.diagnoses)

    def issue(self, kind: IssueKind, level: Level, lines: tuple[int, ...], message: str, *,
              advice: str | None = None, rule_id: str | None = None,
              medications: tuple[str, ...] = ()) -> DetectedIssue:
        builtin = rule_id is None or rule_id.startswith("BUILTIN-")
        return DetectedIssue(kind=kind, level=level, lines=lines, message=message,
                             advice=advice, rule_id=rule_id, medications=medications,
                             knowledge_version=None if builtin else self.version)

    def not_checked(self, kind: IssueKind, line: CheckLine, message: str,
                    rule_id: str | None = None) -> DetectedIssue:
        return DetectedIssue(kind=kind, level=Level.NOT_CHECKED_MISSING_DATA,
                             lines=(line.index,), message=message, rule_id=rule_id,
                             knowledge_version=self.version)

    def pairs(self) -> Iterator[tuple[CheckLine, _Drug, CheckLine, _Drug]]:
        for i, (first, first_drug) in enumerate(zip(self.lines, self.drugs, strict=True)):
            for second, second_drug in zip(self.lines[i + 1:], self.drugs[i + 1:], strict=True):
                yield first, first_drug, second, second_drug

    def against_current(self) -> Iterator[tuple[CheckLine, _Drug, MedicationFact, _Drug]]:
        for line, drug in zip(self.lines, self.drugs, strict=True):
            for med, med_drug in self.meds:
                if not drug.same_as(med_drug):
                    yield line, drug, med, med_drug

    # -- interactions ---------------------------------------------------------------------------

    def interactions(self) -> Iterator[DetectedIssue]:
        for first, a, second, b in self.pairs():
            if a.same_as(b):
                continue
            for rule in between(a.profile.interactions, b.profile):
                yield self.issue(
                    IssueKind.INTERACTION, rule.level, (first.index, second.index),
                    f"{a.shown}与{b.shown}合用：{rule.message}"
                    + (f"（{rule.mechanism}）" if rule.mechanism else ""),
                    advice=rule.advice, rule_id=rule.rule_id)
        for line, drug, med, med_drug in self.against_current():
            for rule in between(drug.profile.interactions, med_drug.profile):
                yield self.issue(
                    IssueKind.INTERACTION, rule.level, (line.index,),
                    f"{drug.shown}与患者正在使用的{med.generic_name}合用：{rule.message}"
                    + (f"（{rule.mechanism}）" if rule.mechanism else ""),
                    advice=rule.advice, rule_id=rule.rule_id, medications=(med.generic_name,))

    # -- allergy ------------------------------------------------------------------------------

    def _allergy_classes(self, allergy: AllergyFact) -> set[str]:
        codes: set[str] = set()
        if allergy.allergen_class and self.knowledge.allergy_class(allergy.allergen_class):
            codes.add(allergy.allergen_class)
        if allergy.allergen_name:
            codes.update(self.knowledge.profile(allergy.allergen_name, None).allergy_classes)
        return codes

    def allergies(self) -> Iterator[DetectedIssue]:
        recorded = [(allergy, self._allergy_classes(allergy))
                    for allergy in self.facts.allergies]
        for line, drug in zip(self.lines, self.drugs, strict=True):
            for allergy, codes in recorded:
                found = self._allergy_hit(line, drug, allergy, codes)
                if found is not None:
                    yield found

    def _allergy_hit(self, line: CheckLine, drug: _Drug, allergy: AllergyFact,
                     codes: set[str]) -> DetectedIssue | None:
        """The worst way `drug` meets one recorded allergy, or None."""
        reaction = f"（{allergy.reaction}）" if allergy.reaction else ""
        allergen = allergy.allergen_name or ""
        candidates: list[DetectedIssue] = []
        named = normalise_name(allergen)
        if len(named) >= 2 and named in drug.name:
            candidates.append(self.issue(
                IssueKind.ALLERGY, Level.BLACK, (line.index,),
                f"患者对{allergen}过敏{reaction}，{drug.shown}含该成分，禁用",
                advice="更换为不含该成分且无交叉过敏的药品", rule_id=ALLERGEN_NAMED_RULE))
        member_of = drug.profile.allergy_classes
        for code in codes & member_of.keys():
            cls = member_of[code]
            candidates.append(self.issue(
                IssueKind.ALLERGY, cls.level, (line.index,),
                f"患者对{allergen or cls.label}过敏{reaction}，{drug.shown}属于{cls.label}，禁用",
                advice="更换为其他类别的药品", rule_id=cls.rule_id))
        for code in codes:
            for cross in self.knowledge.cross_sensitivities(code):
                target = member_of.get(cross.cross_class_code)
                if target is None or cross.cross_class_code in codes:
                    continue
                level = cross.level
                if allergy.severity == "severe" and cross.severe_level is not None:
                    level = cross.severe_level
                source = self.knowledge.allergy_class(code)
                source_label = source.label if source else code
                candidates.append(self.issue(
                    IssueKind.ALLERGY, level, (line.index,),
                    f"患者对{allergen or source_label}（{source_label}）过敏{reaction}，"
                    f"{drug.shown}属于{target.label}：{cross.message}",
                    advice="如必须使用，先行皮试或在严密监护下使用，备好抢救措施",
                    rule_id=cross.rule_id))
        if not candidates:
            return None
        return max(candidates, key=lambda issue: severity_rank(issue.level))

    # -- duplicate therapy -------------------------------------------------------------------

    def duplicates(self) -> Iterator[DetectedIssue]:
        for first, a, second, b in self.pairs():
            if a.same_as(b):
                yield self.issue(
                    IssueKind.DUPLICATE, Level.ORANGE, (first.index, second.index),
                    f"{a.shown}与{b.shown}为同一药物，重复开具",
                    advice="合并为一行或删除其一", rule_id=SAME_DRUG_RULE)
                continue
            a_classes, b_classes = a.profile.duplicate_classes, b.profile.duplicate_classes
            for code in a_classes.keys() & b_classes.keys():
                cls = a_classes[code]
                yield self.issue(
                    IssueKind.DUPLICATE, cls.level, (first.index, second.index),
                    f"{a.shown}与{b.shown}同属{cls.label}，重复用药",
                    advice=cls.advice, rule_id=cls.rule_id)
        for line, drug, med, med_drug in self.against_current():
            classes = drug.profile.duplicate_classes
            for code in classes.keys() & med_drug.profile.duplicate_classes.keys():
                cls = classes[code]
                yield self.issue(
                    IssueKind.DUPLICATE, cls.level, (line.index,),
                    f"{drug.shown}与患者正在使用的{med.generic_name}同属{cls.label}，重复用药",
                    advice=cls.advice, rule_id=cls.rule_id, medications=(med.generic_name,))

    # -- dose and frequency ------------------------------------------------------------------

    def _dose_rule(self, line: CheckLine, drug: _Drug) -> tuple[DoseRule | None, bool]:
        """(the most specific applicable rule, whether the age was needed and unknown)."""
        age = self.facts.age_days
        usable = [(spec, rule) for spec, rule in drug.profile.dose_rules
                  if _route_matches(rule.route, line.route)
                  and rule.applies_to_age(age) is not False]
        if not usable:
            return None, False
        best = usable[0][0]
        rule = min((rule for spec, rule in usable if spec == best),
                   key=lambda r: (r.route is None, (r.age_max_days or 10**6)
                                  - (r.age_min_days or 0)))
        return (None, True) if rule.applies_to_age(age) is None else (rule, False)

    def _single_amount(self, line: CheckLine, unit: str) -> Decimal | None:
        if line.dose is None or not line.dose_unit:
            return None
        amount = units.convert(line.dose, line.dose_unit, unit)
        if amount is None and line.strength is not None and line.strength_unit:
            amount = units.convert(line.dose * line.strength, line.strength_unit, unit)
        return amount

    def doses(self) -> Iterator[DetectedIssue]:
        for line, drug in zip(self.lines, self.drugs, strict=True):
            rule, age_unknown = self._dose_rule(line, drug)
            if age_unknown:
                yield self.not_checked(IssueKind.DOSE, line,
                                       f"{drug.shown}：缺少患者年龄，未核对剂量")
            if rule is not None:
                yield from self._check_dose(line, drug, rule)

    def _check_dose(self, line: CheckLine, drug: _Drug, rule: DoseRule) -> Iterator[DetectedIssue]:
        name, unit = drug.shown, rule.unit
        if line.dose is None or not line.dose_unit:
            yield self.not_checked(IssueKind.DOSE, line, f"{name}：未填写剂量，未核对剂量",
                                   rule.rule_id)
            return
        single = self._single_amount(line, unit)
        if single is None:
            yield self.not_checked(
                IssueKind.DOSE, line,
                f"{name}：剂量单位“{line.dose_unit}”无法换算为{unit}（缺少规格含量），未核对剂量",
                rule.rule_id)
            return
        factor, basis = Decimal(1), ""
        if rule.weight_based:
            weight = self.facts.weight_kg
            if weight is None:
                yield self.not_checked(IssueKind.DOSE, line,
                                       f"{name}：按体重给药但缺少患者体重，未核对剂量",
                                       rule.rule_id)
                return
            factor, basis = Decimal(weight), f"（按体重{_fmt(Decimal(weight))}kg计算）"
        code = frequencies.normalise(line.frequency or "")
        per_day: Decimal | None = None
        if line.frequency:
            if code not in frequencies.FREQUENCIES:
                yield self.not_checked(IssueKind.FREQUENCY, line,
                                       f"{name}：给药频次“{line.frequency}”无法识别，未核对日剂量",
                                       rule.rule_id)
            else:
                per_day = frequencies.doses_per_day(code, prn_max=line.prn_max_per_day)
                if per_day is None:  # prn without a stated maximum: the most the rule allows
                    per_day = rule.max_per_day
        yield from self._dose_limits(line, name, rule, single, factor, basis)
        if per_day is None:
            return
        daily = single if code in frequencies.ONCE else single * per_day
        if rule.max_daily is not None and daily > rule.max_daily * factor:
            yield self.issue(
                IssueKind.DOSE, rule.level, (line.index,),
                f"{name}日剂量{_fmt(daily)}{unit}超过最大日剂量"
                f"{_fmt(rule.max_daily * factor)}{unit}{basis}",
                advice="减少单次剂量或给药次数", rule_id=rule.rule_id)
        if (rule.max_per_day is not None and code not in frequencies.ONCE
                and per_day > rule.max_per_day):
            yield self.issue(
                IssueKind.FREQUENCY, rule.level, (line.index,),
                f"{name}给药频次“{frequencies.frequency_label(code)}”超过每日最多"
                f"{_fmt(rule.max_per_day)}次",
                advice="调整给药频次", rule_id=rule.rule_id)

    def _dose_limits(self, line: CheckLine, name: str, rule: DoseRule, single: Decimal,
                     factor: Decimal, basis: str) -> Iterator[DetectedIssue]:
        unit = rule.unit
        if rule.max_single is not None and single > rule.max_single * factor:
            yield self.issue(
                IssueKind.DOSE, rule.level, (line.index,),
                f"{name}单次剂量{_fmt(single)}{unit}超过最大单次剂量"
                f"{_fmt(rule.max_single * factor)}{unit}{basis}",
                advice="核对剂量，按说明书推荐剂量给药", rule_id=rule.rule_id)
        elif rule.min_single is not None and single < rule.min_single * factor:
            yield self.issue(
                IssueKind.DOSE, Level.YELLOW, (line.index,),
                f"{name}单次剂量{_fmt(single)}{unit}低于常用剂量"
                f"{_fmt(rule.min_single * factor)}{unit}{basis}",
                advice="核对剂量，剂量不足可能影响疗效", rule_id=rule.rule_id)

    # -- contraindications ---------------------------------------------------------------------

    def contraindications(self) -> Iterator[DetectedIssue]:
        facts, age = self.facts, self.facts.age_days
        for line, drug in zip(self.lines, self.drugs, strict=True):
            age_missing = False
            for rule in drug.profile.contraindications:
                condition = rule.condition
                if condition in (Condition.AGE_BELOW_DAYS, Condition.AGE_ABOVE_DAYS):
                    if age is None:
                        age_missing = True
                        continue
                    assert rule.age_days is not None
                    hit = (age < rule.age_days if condition == Condition.AGE_BELOW_DAYS
                           else age >= rule.age_days)
                elif condition == Condition.PREGNANCY:
                    hit = facts.pregnant
                elif condition == Condition.LACTATION:
                    hit = facts.lactating
                else:
                    hit = any(dx.startswith(prefix) for dx in self.diagnoses
                              for prefix in rule.icd10_prefixes)
                if hit:
                    yield self.issue(IssueKind.CONTRAINDICATION, rule.level, (line.index,),
                                     f"{drug.shown}：{rule.message}", advice=rule.advice,
                                     rule_id=rule.rule_id)
            if age_missing:
                yield self.not_checked(IssueKind.CONTRAINDICATION, line,
                                       f"{drug.shown}：缺少患者年龄，未核对年龄禁忌")

    # -- incompatibility --------------------------------------------------------------------

    def incompatibilities(self) -> Iterator[DetectedIssue]:
        for first, a, second, b in self.pairs():
            for rule in between(a.profile.incompatibilities, b.profile):
                if not _share_infusion(first, second, rule.route):
                    continue
                yield self.issue(
                    IssueKind.INCOMPATIBILITY, rule.level, (first.index, second.index),
                    f"{a.shown}与{b.shown}配伍禁忌：{rule.message}", advice=rule.advice,
                    rule_id=rule.rule_id)

    # -- insurance --------------------------------------------------------------------------

    def insurance(self) -> Iterator[DetectedIssue]:
        for line, drug in zip(self.lines, self.drugs, strict=True):
            for rule in drug.profile.insurance_rules:
                name = drug.shown
                if rule.indications and not any(dx.startswith(prefix) for dx in self.diagnoses
                                                for prefix in rule.indications):
                    yield self.issue(
                        IssueKind.INSURANCE, rule.level, (line.index,),
                        f"{name}医保限定支付范围：{rule.message}；当前诊断不在限定范围内",
                        advice="补充符合限定范围的诊断，或告知患者该药需自费",
                        rule_id=rule.rule_id)
                if rule.max_days is not None and line.days is not None \
                        and line.days > rule.max_days:
                    yield self.issue(
                        IssueKind.INSURANCE, rule.level, (line.index,),
                        f"{name}医保限{rule.max_days}天用量，本处方开具{line.days}天",
                        advice=f"用药天数减至{rule.max_days}天以内，或告知患者超出部分自费",
                        rule_id=rule.rule_id)
                if rule.chronic_only and not line.chronic_listed:
                    yield self.issue(
                        IssueKind.INSURANCE, rule.level, (line.index,),
                        f"{name}：{rule.message}（所选品种不在慢病目录内）",
                        advice="改选慢病目录内品种，或告知患者需自费", rule_id=rule.rule_id)
                if rule.max_price is not None and line.price is not None \
                        and line.price > rule.max_price:
                    yield self.issue(
                        IssueKind.INSURANCE, rule.level, (line.index,),
                        f"{name}单价{_fmt(line.price)}元高于医保支付标准"
                        f"{_fmt(rule.max_price)}元，差额由患者自付",
                        advice="可改选支付标准以内的品种", rule_id=rule.rule_id)


def _share_infusion(first: CheckLine, second: CheckLine, rule_route: str | None) -> bool:
    """In one infusion: the same group number when both lines have one; otherwise the same
    route (the one the rule names, if it names one)."""
    if first.infusion_group is not None and second.infusion_group is not None:
        return first.infusion_group == second.infusion_group
    if not first.route or first.route != second.route:
        return False
    return _route_matches(rule_route, first.route)
