"""Micro-benchmark of the rule engine (`./rxp bench` -> check): a 5-line prescription for a
patient on 20 current medications, against a synthetic knowledge set of 10,000 interaction
pairs (plus allergy, duplicate, dose, contraindication and insurance rows), p99 <= 5 ms.

Each round draws a new prescription and medication list from a pool of drugs, so the engine
sees both drugs whose profiles are memoised and drugs it resolves for the first time; `cold`
reruns the same requests with the memo emptied before every check (the worst case: a process
that has just loaded the set).
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

from server.checks.engine import run_checks
from server.checks.levels import Level
from server.checks.model import (
    AllergyFact,
    CheckLine,
    CheckRequest,
    MedicationFact,
    PatientFacts,
)
from server.knowledge.rules import (
    AllergyClassRule,
    Condition,
    ContraindicationRule,
    DoseRule,
    DuplicateClassRule,
    InsuranceRule,
    InteractionRule,
    RuleSet,
)
from server.knowledge.snapshot import KnowledgeSnapshot

TARGET_P99_MS = 5.0
_LEVELS = (Level.YELLOW, Level.ORANGE, Level.RED, Level.BLACK)


@dataclass(frozen=True)
class CheckBench:
    pairs: int
    iterations: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    cold_p99_ms: float
    # CPU time of the checking thread: what the engine costs, without the waits for a CPU
    # that the wall-clock figures include on a busy machine.
    cpu_p99_ms: float
    issues_per_check: float

    @property
    def passed(self) -> bool:
        return self.p99_ms <= TARGET_P99_MS

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"BENCH check {self.p99_ms:.3f} ms target <= {TARGET_P99_MS:g} ms {verdict}"


def _drug(i: int) -> tuple[str, str]:
    """A synthetic drug: (generic name, ATC code); 40 drugs share each ATC class."""
    group = i // 40
    atc = f"{'ABCDGHJLMNPRSV'[group % 14]}{group % 97:02d}{'ABCDE'[group % 5]}{'ABCDE'[i % 5]}" \
          f"{i % 100:02d}"
    return f"试验药{i:05d}片", atc


def synthetic_snapshot(pairs: int = 10_000, drugs: int = 2_500,
                       seed: int = 7) -> tuple[KnowledgeSnapshot, list[tuple[str, str]]]:
    rng = random.Random(seed)
    pool = [_drug(i) for i in range(drugs)]

    def key(i: int) -> str:
        name, atc = pool[i]
        roll = rng.random()
        if roll < 0.5:
            return atc  # the drug's full code
        if roll < 0.75:
            return atc[:5]  # its chemical subgroup
        return name.removesuffix("片")  # its generic name

    interactions = tuple(
        InteractionRule(rule_id=f"BENCH-DDI-{n}", a=key(rng.randrange(drugs)),
                        b=key(rng.randrange(drugs)), level=rng.choice(_LEVELS),
                        message="合成相互作用", advice="合成建议")
        for n in range(pairs))
    classes = sorted({atc[:5] for _, atc in pool})
    duplicates = tuple(DuplicateClassRule(rule_id=f"BENCH-DUP-{n}", class_code=f"dup_{n}",
                                          label=f"合成类别{n}", members=(code,),
                                          level=Level.ORANGE)
                       for n, code in enumerate(classes))
    allergy = tuple(AllergyClassRule(rule_id=f"BENCH-ALG-{n}", class_code=f"alg_{n}",
                                     label=f"合成过敏类别{n}", members=(code,))
                    for n, code in enumerate(classes[:50]))
    doses = tuple(DoseRule(rule_id=f"BENCH-DOSE-{n}", drug=atc, unit="mg",
                           max_single=Decimal(500), max_daily=Decimal(1500),
                           max_per_day=Decimal(3))
                  for n, (_, atc) in enumerate(pool[::2]))
    contra = tuple(ContraindicationRule(rule_id=f"BENCH-CI-{n}", drug=atc,
                                        condition=Condition.DIAGNOSIS, level=Level.RED,
                                        message="合成禁忌", icd10_prefixes=("K25",))
                   for n, (_, atc) in enumerate(pool[::5]))
    insurance = tuple(InsuranceRule(rule_id=f"BENCH-INS-{n}", drug=atc, message="合成限制",
                                    indications=("E11",))
                      for n, (_, atc) in enumerate(pool[::7]))
    rules = RuleSet(interactions=interactions, duplicate_classes=duplicates,
                    allergy_classes=allergy, dose_rules=doses, contraindications=contra,
                    insurance_rules=insurance)
    return KnowledgeSnapshot(rules, version=1), pool


def synthetic_request(rng: random.Random, pool: list[tuple[str, str]], *, lines: int = 5,
                      current: int = 20) -> CheckRequest:
    chosen = rng.sample(pool, lines + current)
    return CheckRequest(
        patient=PatientFacts(
            age_days=365 * 60, sex="female", weight_kg=Decimal("60.5"),
            diagnoses=("I10", "E11.9", "K25.1"),
            allergies=(AllergyFact(allergen_class="alg_3"), AllergyFact(allergen_name="青霉素")),
            current_medications=tuple(MedicationFact(name, atc) for name, atc in chosen[lines:])),
        lines=tuple(CheckLine(index=i, generic_name=name, atc_code=atc, route="口服",
                              dose=Decimal(250), dose_unit="mg", frequency="tid", days=7)
                    for i, (name, atc) in enumerate(chosen[:lines])))


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_check(*, iterations: int = 5_000, pairs: int = 10_000, seed: int = 11) -> CheckBench:
    snapshot, pool = synthetic_snapshot(pairs)
    rng = random.Random(seed)
    requests = [synthetic_request(rng, pool) for _ in range(iterations)]
    for request in requests[:200]:  # warm-up: imports, first allocations
        run_checks(request, snapshot)
    timings: list[float] = []
    cpu: list[float] = []
    issues = 0
    clock, cpu_clock = time.perf_counter, time.thread_time
    for request in requests:
        start, cpu_start = clock(), cpu_clock()
        found = run_checks(request, snapshot)
        timings.append((clock() - start) * 1000)
        cpu.append((cpu_clock() - cpu_start) * 1000)
        issues += len(found)
    cold: list[float] = []
    for request in requests[: max(1, iterations // 10)]:
        snapshot.forget_profiles()  # the worst case: nothing memoised
        start = clock()
        run_checks(request, snapshot)
        cold.append((clock() - start) * 1000)
    return CheckBench(pairs=pairs, iterations=iterations,
                      p50_ms=statistics.median(timings), p99_ms=_percentile(timings, 0.99),
                      max_ms=max(timings), cold_p99_ms=_percentile(cold, 0.99),
                      cpu_p99_ms=_percentile(cpu, 0.99), issues_per_check=issues / iterations)


def main() -> None:
    result = bench_check()
    print(f"check: {result.iterations} checks, {result.pairs} pairs, p50 {result.p50_ms:.3f} ms,"
          f" p99 {result.p99_ms:.3f} ms (CPU {result.cpu_p99_ms:.3f} ms), max"
          f" {result.max_ms:.3f} ms, cold p99 {result.cold_p99_ms:.3f} ms,"
          f" {result.issues_per_check:.1f} issues per check")
    print(result.line())


if __name__ == "__main__":
    main()
