"""HTTP routes of patients' clinical records and the doctor's one-call patient context.

Reading needs PATIENT_READ, adding and ending PATIENT_WRITE; the patient must be visible to the
caller (row-level security), else 404 as for the patient itself.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.clinical import service
from server.clinical.models import PatientAllergy
from server.clinical.schemas import (
    AllergyCreate,
    AllergyList,
    AllergyOut,
    DiagnosisCreate,
    DiagnosisList,
    DiagnosisOut,
    EndRequest,
    MedicationCreate,
    MedicationList,
    MedicationOut,
    PatientContextOut,
)
from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require
from server.patients.service import present

router = APIRouter(prefix="/patients", tags=["患者临床资料 clinical"], responses=ERROR_RESPONSES)

ReadPatients = Annotated[Principal, require(Permission.PATIENT_READ)]
WritePatients = Annotated[Principal, require(Permission.PATIENT_WRITE)]


def _allergy_out(allergy: PatientAllergy, labels: dict[str, str]) -> AllergyOut:
    out = AllergyOut.model_validate(allergy)
    if allergy.allergen_class:
        out.allergen_class_label = labels.get(allergy.allergen_class)
    return out


@router.get("/{patient_id}/context", operation_id="get_patient_context",
            response_model=PatientContextOut)
async def get_context(patient_id: uuid.UUID, principal: ReadPatients, ctx: Ctx, svc: Svc,
                      past_limit: int = Query(service.DEFAULT_PAST_MEDICATIONS, ge=0, le=100,
                                              description="既往用药条数")) -> PatientContextOut:
    """The patient (masked per role), active diagnoses, allergies, current medication and the
    most recently ended medications: what the doctor's app shows on opening a patient."""
    context = await service.patient_context(
        ctx, patient_id, today=service.china_today(svc.clock.now()), past_limit=past_limit)
    labels = await service.allergy_class_labels(ctx)
    return PatientContextOut(
        patient=present(svc, principal, context.patient, full=False),
        diagnoses=[DiagnosisOut.model_validate(d) for d in context.diagnoses],
        allergies=[_allergy_out(a, labels) for a in context.allergies],
        current_medications=[MedicationOut.model_validate(m)
                             for m in context.current_medications],
        past_medications=[MedicationOut.model_validate(m) for m in context.past_medications])


# -- diagnoses -------------------------------------------------------------------------------

@router.post("/{patient_id}/diagnoses", operation_id="add_patient_diagnosis",
             response_model=DiagnosisOut, status_code=201)
async def add_diagnosis(patient_id: uuid.UUID, body: DiagnosisCreate, principal: WritePatients,
                        ctx: Ctx, svc: Svc) -> DiagnosisOut:
    diagnosis = await service.add_diagnosis(ctx, principal, patient_id, body,
                                            now=svc.clock.now())
    return DiagnosisOut.model_validate(diagnosis)


@router.get("/{patient_id}/diagnoses", operation_id="list_patient_diagnoses",
            response_model=DiagnosisList)
async def list_diagnoses(patient_id: uuid.UUID, principal: ReadPatients, ctx: Ctx,
                         include_resolved: bool = Query(False, description="包含已结束的诊断"),
                         ) -> DiagnosisList:
    rows = await service.list_diagnoses(ctx, patient_id, include_resolved=include_resolved)
    return DiagnosisList(items=[DiagnosisOut.model_validate(r) for r in rows])


@router.post("/{patient_id}/diagnoses/{diagnosis_id}/end", operation_id="end_patient_diagnosis",
             response_model=DiagnosisOut)
async def end_diagnosis(patient_id: uuid.UUID, diagnosis_id: uuid.UUID, body: EndRequest,
                        principal: WritePatients, ctx: Ctx, svc: Svc) -> DiagnosisOut:
    """The diagnosis no longer applies (kept in the history)."""
    diagnosis = await service.end_diagnosis(ctx, principal, patient_id, diagnosis_id, body,
                                            now=svc.clock.now())
    return DiagnosisOut.model_validate(diagnosis)


# -- allergies -------------------------------------------------------------------------------

@router.post("/{patient_id}/allergies", operation_id="add_patient_allergy",
             response_model=AllergyOut, status_code=201)
async def add_allergy(patient_id: uuid.UUID, body: AllergyCreate, principal: WritePatients,
                      ctx: Ctx, svc: Svc) -> AllergyOut:
    """Record an allergy by knowledge class (`penicillins`), by allergen (青霉素), or both."""
    allergy = await service.add_allergy(ctx, principal, patient_id, body, now=svc.clock.now())
    return _allergy_out(allergy, await service.allergy_class_labels(ctx))


@router.get("/{patient_id}/allergies", operation_id="list_patient_allergies",
            response_model=AllergyList)
async def list_allergies(patient_id: uuid.UUID, principal: ReadPatients, ctx: Ctx,
                         include_inactive: bool = Query(False, description="包含已撤销的记录"),
                         ) -> AllergyList:
    rows = await service.list_allergies(ctx, patient_id, include_inactive=include_inactive)
    labels = await service.allergy_class_labels(ctx)
    return AllergyList(items=[_allergy_out(r, labels) for r in rows])


@router.post("/{patient_id}/allergies/{allergy_id}/end", operation_id="end_patient_allergy",
             response_model=AllergyOut)
async def end_allergy(patient_id: uuid.UUID, allergy_id: uuid.UUID, body: EndRequest,
                      principal: WritePatients, ctx: Ctx, svc: Svc) -> AllergyOut:
    """Inactivate an allergy entered in error or disproved (reason required)."""
    allergy = await service.end_allergy(ctx, principal, patient_id, allergy_id, body,
                                        now=svc.clock.now())
    return _allergy_out(allergy, await service.allergy_class_labels(ctx))


# -- medication -------------------------------------------------------------------------------

@router.post("/{patient_id}/medications", operation_id="add_patient_medication",
             response_model=MedicationOut, status_code=201)
async def add_medication(patient_id: uuid.UUID, body: MedicationCreate,
                         principal: WritePatients, ctx: Ctx, svc: Svc) -> MedicationOut:
    medication = await service.record_medication(ctx, principal, patient_id, body,
                                                 now=svc.clock.now())
    return MedicationOut.model_validate(medication)


@router.get("/{patient_id}/medications", operation_id="list_patient_medications",
            response_model=MedicationList)
async def list_medications(
    patient_id: uuid.UUID, principal: ReadPatients, ctx: Ctx, svc: Svc,
    status: Literal["current", "past", "all"] = Query("all", description="当前、既往或全部"),
    limit: int = Query(100, ge=1, le=500, description="既往用药最多条数"),
) -> MedicationList:
    """Current medication first (newest started first), then past (latest ended first)."""
    rows = await service.list_medications(ctx, patient_id, status=status,
                                          today=service.china_today(svc.clock.now()),
                                          limit=limit)
    return MedicationList(items=[MedicationOut.model_validate(r) for r in rows])


@router.post("/{patient_id}/medications/{medication_id}/end",
             operation_id="end_patient_medication", response_model=MedicationOut)
async def end_medication(patient_id: uuid.UUID, medication_id: uuid.UUID, body: EndRequest,
                         principal: WritePatients, ctx: Ctx, svc: Svc) -> MedicationOut:
    """Stop a medication (on `ended_on`, default today); it moves to the past medication."""
    medication = await service.end_medication(ctx, principal, patient_id, medication_id, body,
                                              now=svc.clock.now())
    return MedicationOut.model_validate(medication)
