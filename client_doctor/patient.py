"""What the doctor sees of the patient while prescribing, from `GET /patients/{id}/context`,
as plain values the banner and the side lists show (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from common.api.models import DiagnosisIn, Medication, PatientContext


@dataclass(frozen=True)
class PatientFacts:
    name: str  # as the server masked it for this role
    sex: str | None
    birth_date: date | None
    id_number: str | None
    weight_kg: Decimal | None
    pregnant: bool
    lactating: bool
    allergies: tuple[str, ...]  # one text per allergy, e.g. 青霉素类（青霉素）：皮疹 · 严重
    diagnoses: tuple[str, ...]  # 'I10 原发性高血压'
    current_medications: tuple[str, ...]
    past_medications: tuple[str, ...]

    @classmethod
    def of(cls, context: PatientContext) -> PatientFacts:
        patient = context.patient
        return cls(
            name=patient.name, sex=patient.sex, birth_date=patient.birth_date,
            id_number=patient.id_number, weight_kg=patient.weight_kg,
            pregnant=patient.pregnant, lactating=patient.lactating,
            allergies=tuple(allergy_text(a.allergen_class_label, a.allergen, a.reaction)
                            for a in context.allergies if a.active),
            diagnoses=tuple(f"{d.icd10} {d.name}" for d in context.diagnoses if d.active),
            current_medications=tuple(medication_text(m) for m in context.current_medications),
            past_medications=tuple(medication_text(m) for m in context.past_medications))


def allergy_text(class_label: str | None, allergen: str, reaction: str | None) -> str:
    text = allergen
    if class_label and class_label != allergen:
        text = f"{class_label}（{allergen}）"
    return f"{text}：{reaction}" if reaction else text


def medication_text(medication: Medication) -> str:
    parts = [medication.generic_name]
    if medication.dose:
        parts.append(medication.dose)
    since = f"{medication.started_on:%Y-%m-%d}起"
    if medication.ended_on:
        since = f"{medication.started_on:%Y-%m-%d}至{medication.ended_on:%Y-%m-%d}"
    return f"{' '.join(parts)}（{since}）"


def starting_diagnoses(context: PatientContext) -> list[DiagnosisIn]:
    """The patient's active diagnoses: what a new prescription is usually for."""
    return [DiagnosisIn(code=d.icd10, name=d.name) for d in context.diagnoses if d.active]
