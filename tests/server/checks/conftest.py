"""Fixtures of the rule-engine tests: the seed knowledge set as a snapshot (no database), and
builders for requests."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest

from server.checks.model import (
    AllergyFact,
    CheckLine,
    CheckRequest,
    DetectedIssue,
    IssueKind,
    MedicationFact,
    PatientFacts,
)
from server.knowledge import loader
from server.knowledge.seed import SEED_FOLDER
from server.knowledge.snapshot import KnowledgeSnapshot

YEAR = 365
ADULT = PatientFacts(age_days=45 * YEAR, sex="male", weight_kg=Decimal("70"))


@pytest.fixture(scope="session")
def seed_knowledge() -> KnowledgeSnapshot:
    return KnowledgeSnapshot(loader.parse_files(loader.read_folder(SEED_FOLDER)), version=1)


def line(index: int, generic_name: str, atc_code: str | None = None, **fields: Any) -> CheckLine:
    for key in ("dose", "strength", "quantity", "price"):
        if key in fields and fields[key] is not None:
            fields[key] = Decimal(str(fields[key]))
    return CheckLine(index=index, generic_name=generic_name, atc_code=atc_code, **fields)


def request(*lines: CheckLine, patient: PatientFacts = ADULT, **patient_fields: Any
            ) -> CheckRequest:
    if patient_fields:
        values = {f: getattr(patient, f) for f in PatientFacts.__dataclass_fields__}
        values.update(patient_fields)
        for key in ("allergies", "current_medications", "diagnoses"):
            values[key] = tuple(values[key])
        patient = PatientFacts(**values)
    return CheckRequest(patient=patient, lines=tuple(lines))


def allergy(allergen_class: str | None = None, name: str | None = None,
            severity: str | None = None, reaction: str | None = None) -> AllergyFact:
    return AllergyFact(allergen_class=allergen_class, allergen_name=name, severity=severity,
                       reaction=reaction)


def taking(*drugs: tuple[str, str | None]) -> tuple[MedicationFact, ...]:
    return tuple(MedicationFact(name, atc) for name, atc in drugs)


def of_kind(issues: Iterable[DetectedIssue], kind: IssueKind) -> list[DetectedIssue]:
    return [issue for issue in issues if issue.kind == kind]


# Catalogue products as the prescription code will describe them (names and ATC codes of the
# seed catalogue).
WARFARIN = ("华法林钠片", "B01AA03")
ASPIRIN = ("阿司匹林肠溶片", "B01AC06")
AMLODIPINE = ("苯磺酸氨氯地平片", "C08CA01")
AMOXICILLIN = ("阿莫西林胶囊", "J01CA04")
AMOXICILLIN_GRANULES = ("阿莫西林颗粒", "J01CA04")
CEFUROXIME = ("头孢呋辛酯片", "J01DC02")
CEFTRIAXONE = ("注射用头孢曲松钠", "J01DD04")
AZITHROMYCIN = ("阿奇霉素片", "J01FA10")
MEROPENEM = ("注射用美罗培南", "J01DH02")
LEVOFLOXACIN = ("左氧氟沙星片", "J01MA12")
DOXYCYCLINE = ("盐酸多西环素片", "J01AA02")
IBUPROFEN = ("布洛芬缓释胶囊", "M01AE01")
IBUPROFEN_SUSPENSION = ("布洛芬混悬液", "M01AE01")
DICLOFENAC = ("双氯芬酸钠缓释片", "M01AB05")
PARACETAMOL = ("对乙酰氨基酚缓释片", "N02BE01")
ATORVASTATIN = ("阿托伐他汀钙片", "C10AA05")
ROSUVASTATIN = ("瑞舒伐他汀钙片", "C10AA07")
SIMVASTATIN = ("辛伐他汀片", "C10AA01")
CLARITHROMYCIN = ("克拉霉素片", "J01FA09")
CLOPIDOGREL = ("硫酸氢氯吡格雷片", "B01AC04")
OMEPRAZOLE = ("奥美拉唑肠溶胶囊", "A02BC01")
METFORMIN = ("盐酸二甲双胍片", "A10BA02")
METFORMIN_XR = ("盐酸二甲双胍缓释片", "A10BA02")
METHOTREXATE = ("甲氨蝶呤片", "L04AX03")
MONTELUKAST_CHEW = ("孟鲁司特钠咀嚼片", "R03DC03")
DIAZEPAM = ("地西泮片", "N05BA01")
CALCIUM_GLUCONATE = ("葡萄糖酸钙口服溶液", "A12AA03")
TICAGRELOR = ("替格瑞洛片", "B01AC24")
OSELTAMIVIR = ("磷酸奥司他韦胶囊", "J05AH02")
LEVOTHYROXINE = ("左甲状腺素钠片", "H03AA01")
