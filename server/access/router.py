"""HTTP routes of the rights matrices: prescribing (department x title x drug class) and
reviewing (pharmacist level x drug class)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter

from server.access import service
from server.access.roles import DrugClass, Permission, PharmacistLevel, ProfessionalTitle
from server.access.schemas import (
    PrescribingCell,
    PrescribingMatrix,
    PrescribingUpdate,
    ReviewingCell,
    ReviewingMatrix,
    ReviewingUpdate,
)
from server.core.context import Principal
from server.core.deps import Ctx
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require

router = APIRouter(prefix="/rights", tags=["权限矩阵 rights"], responses=ERROR_RESPONSES)

ReadRights = Annotated[Principal, require(Permission.RIGHTS_READ)]
ManageRights = Annotated[Principal, require(Permission.RIGHTS_MANAGE)]


def _prescribing(department_id: uuid.UUID, cells: set[tuple[str, str]]) -> PrescribingMatrix:
    return PrescribingMatrix(
        department_id=department_id, titles=list(ProfessionalTitle),
        drug_classes=list(DrugClass),
        cells=[PrescribingCell.model_validate({"title": t, "drug_class": c})
               for t, c in sorted(cells)])


def _reviewing(cells: set[tuple[str, str]]) -> ReviewingMatrix:
    return ReviewingMatrix(
        levels=list(PharmacistLevel), drug_classes=list(DrugClass),
        cells=[ReviewingCell.model_validate({"level": lv, "drug_class": c})
               for lv, c in sorted(cells)])


@router.get("/prescribing/{department_id}", operation_id="get_prescribing_rights",
            response_model=PrescribingMatrix)
async def get_prescribing(department_id: uuid.UUID, principal: ReadRights,
                          ctx: Ctx) -> PrescribingMatrix:
    return _prescribing(department_id,
                        await service.prescribing(ctx, principal, department_id))


@router.put("/prescribing/{department_id}", operation_id="put_prescribing_rights",
            response_model=PrescribingMatrix)
async def put_prescribing(department_id: uuid.UUID, body: PrescribingUpdate,
                          principal: ManageRights, ctx: Ctx) -> PrescribingMatrix:
    """Replace the department's matrix; `previous` is the matrix as read (409 if it changed)."""
    cells = await service.set_prescribing(
        ctx, principal, department_id,
        cells={(c.title.value, c.drug_class.value) for c in body.cells},
        previous={(c.title.value, c.drug_class.value) for c in body.previous})
    return _prescribing(department_id, cells)


@router.get("/reviewing", operation_id="get_reviewing_rights", response_model=ReviewingMatrix)
async def get_reviewing(principal: ReadRights, ctx: Ctx) -> ReviewingMatrix:
    return _reviewing(await service.reviewing(ctx))


@router.put("/reviewing", operation_id="put_reviewing_rights", response_model=ReviewingMatrix)
async def put_reviewing(body: ReviewingUpdate, principal: ManageRights,
                        ctx: Ctx) -> ReviewingMatrix:
    """Replace the group's reviewing matrix; `previous` is the matrix as read."""
    cells = await service.set_reviewing(
        ctx, principal, cells={(c.level.value, c.drug_class.value) for c in body.cells},
        previous={(c.level.value, c.drug_class.value) for c in body.previous})
    return _reviewing(cells)
