"""HTTP routes of organisations."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Offset, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require
from server.organisations import repository, service
from server.organisations.models import OrganisationKind, OrganisationStatus
from server.organisations.schemas import OrganisationCreate, OrganisationOut, OrganisationPage

router = APIRouter(prefix="/organisations", tags=["机构 organisations"], responses=ERROR_RESPONSES)

ReadOrgs = Annotated[Principal, require(Permission.ORG_READ)]
ManageOrgs = Annotated[Principal, require(Permission.ORG_MANAGE)]


@router.get("", operation_id="list_organisations", response_model=OrganisationPage)
async def list_organisations(
    principal: ReadOrgs, svc: Svc,
    kind: OrganisationKind | None = None, status: OrganisationStatus | None = None,
    parent_id: uuid.UUID | None = None,
    limit: int = Query(100, ge=1, le=1000), offset: Offset = 0,
) -> OrganisationPage:
    """The directory of organisations; a read-only query, served by a replica when one is up."""
    async with svc.db.read_session() as (session, source):
        rows, total = await repository.search(session, kind=kind, status=status,
                                              parent_id=parent_id, limit=limit, offset=offset)
        items = [OrganisationOut.model_validate(r) for r in rows]
    return OrganisationPage(items=items, total=total, served_by=source)


@router.get("/{org_id}", operation_id="get_organisation", response_model=OrganisationOut)
async def get_organisation(org_id: uuid.UUID, principal: ReadOrgs, ctx: Ctx) -> OrganisationOut:
    return OrganisationOut.model_validate(await service.get(ctx, org_id))


@router.post("", operation_id="create_organisation", response_model=OrganisationOut,
             status_code=201)
async def create_organisation(body: OrganisationCreate, principal: ManageOrgs,
                              ctx: Ctx) -> OrganisationOut:
    return OrganisationOut.model_validate(await service.create(ctx, principal, body))
