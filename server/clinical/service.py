"""Business rules of patients' clinical records, and the patient context prescribing reads.

`patient_context(ctx, patient_id)` is the one call the prescription code makes for the facts
its checks need (`PatientContext.facts()` -> server/checks/model.PatientFacts); the doctor's app
gets the same data, with the patient masked per role, from GET /patients/{id}/context.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from server.checks.model import AllergyFact, MedicationFact, PatientFacts
from server.clinical import repository
from server.clinical.models import (
    ClinicalSource,
    PatientAllergy,
    PatientDiagnosis,
    PatientMedication,
)
from server.clinical.schemas import (
    AllergyCreate,
    DiagnosisCreate,
    EndRequest,
    MedicationCreate,
)
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, Unprocessable, VersionConflict
from server.knowledge import service as knowledge_service
from server.patients.models import Patient
from server.patients.service import CHINA, get_patient

DEFAULT_PAST_MEDICATIONS = 20


def china_today(now: datetime) -> date:
    return now.astimezone(CHINA).date()


@dataclass(frozen=True)
class PatientContext:
    """A patient's record as of `today`: what prescribing shows and checks against."""

    patient: Patient
    diagnoses: list[PatientDiagnosis]  # active
    allergies: list[PatientAllergy]  # active
    current_medications: list[PatientMedication]
    past_medications: list[PatientMedication]  # most recently ended first
    today: date

    @property
    def age_days(self) -> int | None:
        born = self.patient.birth_date
        return None if born is None else (self.today - born).days

    def facts(self, *, extra_diagnoses: Iterable[str] = ()) -> PatientFacts:
        """The patient facts of a CheckRequest; `extra_diagnoses` are the prescription's own
        ICD-10 codes, checked together with the patient's active diagnoses."""
        codes = [d.icd10 for d in self.diagnoses]
        codes += [code for code in extra_diagnoses if code not in codes]
        weight = self.patient.weight_kg
        return PatientFacts(
            age_days=self.age_days, sex=self.patient.sex,
            weight_kg=Decimal(weight) if weight is not None else None,
            pregnant=self.patient.pregnant, lactating=self.patient.lactating,
            diagnoses=tuple(codes),
            allergies=tuple(AllergyFact(allergen_class=a.allergen_class, allergen_name=a.allergen,
                                        reaction=a.reaction, severity=a.severity)
                            for a in self.allergies),
            current_medications=tuple(MedicationFact(generic_name=m.generic_name,
                                                     atc_code=m.atc_code)
                                      for m in self.current_medications))


async def patient_context(ctx: RequestContext, patient_id: uuid.UUID, *,
                          today: date | None = None,
                          past_limit: int = DEFAULT_PAST_MEDICATIONS) -> PatientContext:
    """The patient (NotFound when row-level security hides it) with active diagnoses, active
    allergies, current medication and the `past_limit` most recently ended medications.
    `today` defaults to the date in China now; pass the server clock's day where there is one."""
    day = today or china_today(datetime.now(CHINA))
    patient = await get_patient(ctx, patient_id)
    session = ctx.session
    return PatientContext(
        patient=patient,
        diagnoses=list(await repository.diagnoses(session, patient.id, active_only=True)),
        allergies=list(await repository.allergies(session, patient.id, active_only=True)),
        current_medications=list(await repository.current_medications(
            session, patient.id, today=day)),
        past_medications=list(await repository.past_medications(
            session, patient.id, today=day, limit=past_limit)),
        today=day)


def _source(actor: Principal, given: ClinicalSource | None, for_users: ClinicalSource) -> str:
    if given is not None:
        return given.value
    return ClinicalSource.HIS.value if actor.kind == "client" else for_users.value


def _record_fields(actor: Principal, patient: Patient, source: str,
                   recorded_at: datetime | None, now: datetime) -> dict[str, object]:
    return {"patient_id": patient.id, "org_id": patient.org_id, "source": source,
            "recorded_at": recorded_at or now, "recorded_by_id": actor.id,
            "recorded_by": actor.name}


# -- diagnoses -------------------------------------------------------------------------------

async def add_diagnosis(ctx: RequestContext, actor: Principal, patient_id: uuid.UUID,
                        data: DiagnosisCreate, *, now: datetime) -> PatientDiagnosis:
    patient = await get_patient(ctx, patient_id)
    existing = await repository.active_diagnosis(ctx.session, patient.id, data.icd10)
    if existing is not None:
        raise Conflict("该诊断已在患者的当前诊断中", field="icd10", diagnosis_id=str(existing.id))
    diagnosis = PatientDiagnosis(
        icd10=data.icd10, name=data.name, active=True,
        **_record_fields(actor, patient, _source(actor, data.source, ClinicalSource.DOCTOR),
                         data.recorded_at, now))
    ctx.session.add(diagnosis)
    await ctx.session.flush()
    ctx.note("clinical.diagnosis.add", "patient_diagnosis", diagnosis.id,
             patient_id=str(patient.id), source=diagnosis.source)
    return diagnosis


async def list_diagnoses(ctx: RequestContext, patient_id: uuid.UUID, *,
                         include_resolved: bool) -> list[PatientDiagnosis]:
    patient = await get_patient(ctx, patient_id)
    return list(await repository.diagnoses(ctx.session, patient.id,
                                           active_only=not include_resolved))


# -- allergies -------------------------------------------------------------------------------

async def _allergen(ctx: RequestContext, data: AllergyCreate) -> tuple[str, str | None]:
    """(allergen as recorded, class code): the class checked against the active knowledge set,
    or found from the allergen's name when exactly one class matches it."""
    if data.allergen_class is None and data.allergen is None:
        raise Unprocessable("请填写过敏原或过敏原类别", field="allergen")
    knowledge = await knowledge_service.snapshot(ctx.session)
    code = data.allergen_class
    if code is not None:
        found = knowledge.allergy_class(code)
        if found is None:
            raise Unprocessable(f"未知的过敏原类别：{code}", field="allergen_class")
        return data.allergen or found.label, code
    assert data.allergen is not None
    classes = list(knowledge.profile(data.allergen, None).allergy_classes)
    return data.allergen, classes[0] if len(classes) == 1 else None


async def add_allergy(ctx: RequestContext, actor: Principal, patient_id: uuid.UUID,
                      data: AllergyCreate, *, now: datetime) -> PatientAllergy:
    patient = await get_patient(ctx, patient_id)
    allergen, code = await _allergen(ctx, data)
    existing = await repository.active_allergy(ctx.session, patient.id, allergen=allergen,
                                               allergen_class=code)
    if existing is not None:
        raise Conflict("该过敏记录已存在", field="allergen", allergy_id=str(existing.id))
    allergy = PatientAllergy(
        allergen=allergen, allergen_class=code, reaction=data.reaction,
        severity=data.severity.value, active=True,
        **_record_fields(actor, patient, _source(actor, data.source, ClinicalSource.DOCTOR),
                         data.recorded_at, now))
    ctx.session.add(allergy)
    await ctx.session.flush()
    ctx.note("clinical.allergy.add", "patient_allergy", allergy.id, patient_id=str(patient.id),
             source=allergy.source)
    return allergy


async def list_allergies(ctx: RequestContext, patient_id: uuid.UUID, *,
                         include_inactive: bool) -> list[PatientAllergy]:
    patient = await get_patient(ctx, patient_id)
    return list(await repository.allergies(ctx.session, patient.id,
                                           active_only=not include_inactive))


async def allergy_class_labels(ctx: RequestContext) -> dict[str, str]:
    knowledge = await knowledge_service.snapshot(ctx.session)
    return {code: c.label for code, c in knowledge.allergy_classes.items()}


# -- medication --------------------------------------------------------------------------------

async def record_medication(ctx: RequestContext, actor: Principal, patient_id: uuid.UUID,
                            data: MedicationCreate, *, now: datetime) -> PatientMedication:
    """Add a medication to the record (also what prescribing calls once a prescription is
    dispensed, with source `prescription` and the prescription id as `source_ref`). The
    generic name and ATC code come from the catalogue product when one is given; a missing
    ATC code is taken from catalogue products of the same generic name, so the interaction
    and duplicate checks can match drug classes."""
    patient = await get_patient(ctx, patient_id)
    generic_name, atc_code = data.generic_name, data.atc_code
    if data.product_id is not None:
        product = await repository.product_drug(ctx.session, data.product_id)
        if product is None:
            raise Unprocessable("目录品种不存在", field="product_id")
        generic_name = generic_name or product[0]
        atc_code = atc_code or product[1]
    if generic_name is None:
        raise Unprocessable("请填写通用名或目录品种", field="generic_name")
    if atc_code is None:
        atc_code = await repository.atc_for_generic_name(ctx.session, generic_name)
    today = china_today(now)
    started_on = data.started_on or today
    if data.ended_on is not None and data.ended_on < started_on:
        raise Unprocessable("停用日期不能早于开始日期", field="ended_on")
    source = _source(actor, data.source, ClinicalSource.REPORTED)
    if data.source_ref is not None:
        twin = await repository.medication_by_source_ref(ctx.session, patient.id, source=source,
                                                         source_ref=data.source_ref)
        if twin is not None:
            raise Conflict("该来源单号的用药记录已存在", field="source_ref",
                           medication_id=str(twin.id))
    medication = PatientMedication(
        generic_name=generic_name, atc_code=atc_code, product_id=data.product_id,
        dose=data.dose, started_on=started_on, ended_on=data.ended_on,
        source_ref=data.source_ref,
        **_record_fields(actor, patient, source, data.recorded_at, now))
    ctx.session.add(medication)
    await ctx.session.flush()
    ctx.note("clinical.medication.add", "patient_medication", medication.id,
             patient_id=str(patient.id), source=medication.source)
    return medication


async def list_medications(ctx: RequestContext, patient_id: uuid.UUID, *, status: str,
                           today: date, limit: int) -> list[PatientMedication]:
    patient = await get_patient(ctx, patient_id)
    current: list[PatientMedication] = []
    past: list[PatientMedication] = []
    if status in ("current", "all"):
        current = list(await repository.current_medications(ctx.session, patient.id,
                                                            today=today))
    if status in ("past", "all"):
        past = list(await repository.past_medications(ctx.session, patient.id, today=today,
                                                      limit=limit))
    return current + past


# -- ending ----------------------------------------------------------------------------------

async def _record(ctx: RequestContext, model: type[repository.Record], patient_id: uuid.UUID,
                  record_id: uuid.UUID, version: int) -> repository.Record:
    patient = await get_patient(ctx, patient_id)
    record = await repository.get(ctx.session, model, patient.id, record_id)
    if record is None:
        raise NotFound("记录不存在")
    if record.version != version:
        raise VersionConflict(current_version=record.version)
    return record


async def end_diagnosis(ctx: RequestContext, actor: Principal, patient_id: uuid.UUID,
                        diagnosis_id: uuid.UUID, data: EndRequest, *,
                        now: datetime) -> PatientDiagnosis:
    """The diagnosis no longer applies (resolved); it stays in the history."""
    diagnosis = await _record(ctx, PatientDiagnosis, patient_id, diagnosis_id, data.version)
    if not diagnosis.active:
        raise Conflict("该诊断已结束")
    diagnosis.active = False
    diagnosis.resolved_at = now
    await ctx.session.flush()
    ctx.note("clinical.diagnosis.end", "patient_diagnosis", diagnosis.id,
             patient_id=str(patient_id))
    return diagnosis


async def end_allergy(ctx: RequestContext, actor: Principal, patient_id: uuid.UUID,
                      allergy_id: uuid.UUID, data: EndRequest, *,
                      now: datetime) -> PatientAllergy:
    """Inactivate an allergy entered in error or disproved; a reason is required, because
    the checks stop warning about it."""
    if data.reason is None:
        raise Unprocessable("撤销过敏记录须说明原因", field="reason")
    allergy = await _record(ctx, PatientAllergy, patient_id, allergy_id, data.version)
    if not allergy.active:
        raise Conflict("该过敏记录已撤销")
    allergy.active = False
    allergy.inactivated_at = now
    allergy.inactivated_reason = data.reason
    await ctx.session.flush()
    ctx.note("clinical.allergy.end", "patient_allergy", allergy.id, patient_id=str(patient_id),
             reason=data.reason)
    return allergy


async def end_medication(ctx: RequestContext, actor: Principal, patient_id: uuid.UUID,
                         medication_id: uuid.UUID, data: EndRequest, *,
                         now: datetime) -> PatientMedication:
    medication = await _record(ctx, PatientMedication, patient_id, medication_id, data.version)
    today = china_today(now)
    if medication.ended_on is not None and medication.ended_on < today:
        raise Conflict("该用药已停用")
    ended_on = data.ended_on or today
    if ended_on < medication.started_on:
        raise Unprocessable("停用日期不能早于开始日期", field="ended_on")
    medication.ended_on = ended_on
    await ctx.session.flush()
    ctx.note("clinical.medication.end", "patient_medication", medication.id,
             patient_id=str(patient_id))
    return medication
