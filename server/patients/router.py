"""HTTP routes of patients. Every answer is masked per role except `/full`, which is audited."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require
from server.patients import service
from server.patients.schemas import (
    IDENTIFIER_MAX,
    NAME_MAX,
    PatientCreate,
    PatientOut,
    PatientPage,
    PatientUpdate,
)

router = APIRouter(prefix="/patients", tags=["患者 patients"], responses=ERROR_RESPONSES)

ReadPatients = Annotated[Principal, require(Permission.PATIENT_READ)]
WritePatients = Annotated[Principal, require(Permission.PATIENT_WRITE)]
ReadFullPatients = Annotated[Principal, require(Permission.PATIENT_READ_FULL)]
Identifier = Annotated[str | None, Query(min_length=1, max_length=IDENTIFIER_MAX)]


@router.post("", operation_id="register_patient", response_model=PatientOut, status_code=201)
async def register_patient(body: PatientCreate, principal: WritePatients, ctx: Ctx,
                           svc: Svc) -> PatientOut:
    """Register a patient at the actor's hospital (or `org_id`); sex and birth date come from
    the ID number. A number or card already registered in the group answers 409."""
    return await service.register(ctx, svc, principal, body)


@router.get("", operation_id="search_patients", response_model=PatientPage)
async def search_patients(
    principal: ReadPatients, ctx: Ctx, svc: Svc,
    id_number: Identifier = None, phone: Identifier = None, insurance_card: Identifier = None,
    hospital_card: Identifier = None,
    name: Annotated[str | None, Query(min_length=1, max_length=NAME_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PatientPage:
    """Exact search (all given criteria must match) over blind indexes; masked results.

    Served by the primary, not a replica: a patient just registered must be found at once.
    """
    criteria = {"id_number": id_number, "phone": phone, "insurance_card": insurance_card,
                "hospital_card": hospital_card, "name": name}
    return await service.search(ctx, svc, principal, criteria=criteria, limit=limit,
                                offset=offset)


@router.get("/{patient_id}", operation_id="get_patient", response_model=PatientOut)
async def get_patient(patient_id: uuid.UUID, principal: ReadPatients, ctx: Ctx,
                      svc: Svc) -> PatientOut:
    patient = await service.get_patient(ctx, patient_id)
    return service.present(svc, principal, patient, full=False)


@router.get("/{patient_id}/full", operation_id="get_patient_full", response_model=PatientOut)
async def get_patient_full(patient_id: uuid.UUID, principal: ReadFullPatients, ctx: Ctx,
                           svc: Svc) -> PatientOut:
    """The unmasked record; every call is written to the audit log."""
    return await service.read_full(ctx, svc, principal, patient_id)


@router.patch("/{patient_id}", operation_id="update_patient", response_model=PatientOut)
async def update_patient(patient_id: uuid.UUID, body: PatientUpdate, principal: WritePatients,
                         ctx: Ctx, svc: Svc) -> PatientOut:
    """Change the fields sent; `version` must be the one read (409 VersionConflict if stale)."""
    return await service.update(ctx, svc, principal, patient_id, body)
