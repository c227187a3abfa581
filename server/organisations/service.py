"""Business rules of organisations: where each kind may sit in the tree, who may add one."""

from __future__ import annotations

import uuid

from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, NotPermitted, Unprocessable
from server.organisations import repository
from server.organisations.models import Organisation, OrganisationKind, OrganisationStatus
from server.organisations.schemas import OrganisationCreate

# Which kind of parent each kind of organisation hangs under.
ALLOWED_PARENTS = {
    OrganisationKind.HOSPITAL: {OrganisationKind.GROUP},
    OrganisationKind.CLINIC: {OrganisationKind.GROUP},
    OrganisationKind.PHARMACY: {OrganisationKind.GROUP},
    OrganisationKind.DEPARTMENT: {OrganisationKind.HOSPITAL, OrganisationKind.CLINIC},
}


def child_path(parent: Organisation | None, org_id: uuid.UUID) -> str:
    return f"{parent.path if parent else '/'}{org_id}/"


async def get(ctx: RequestContext, org_id: uuid.UUID) -> Organisation:
    org = await ctx.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("机构不存在")
    return org


async def create(ctx: RequestContext, actor: Principal, data: OrganisationCreate) -> Organisation:
    parent = await ctx.session.get(Organisation, data.parent_id)
    if parent is None:
        raise Unprocessable("上级机构不存在", field="parent_id")
    if not actor.sees(parent.id):
        raise NotPermitted("不能在其他机构下添加机构", field="parent_id")
    if parent.kind not in ALLOWED_PARENTS.get(data.kind, set()):
        raise Unprocessable("该类型机构不能隶属于所选上级机构", field="parent_id")
    if await repository.by_code(ctx.session, data.code):
        raise Conflict("机构编码已存在", field="code")
    org_id = uuid.uuid4()
    org = Organisation(
        id=org_id, kind=data.kind, code=data.code, name=data.name, parent_id=parent.id,
        path=child_path(parent, org_id), address=data.address, phone=data.phone,
        # A pharmacy enters pending: the hospital selects (遴选) it before it receives anything.
        status=(OrganisationStatus.PENDING if data.kind == OrganisationKind.PHARMACY
                else OrganisationStatus.ACTIVE),
    )
    ctx.session.add(org)
    await ctx.session.flush()
    ctx.note("organisation.create", "organisation", org.id, code=org.code, kind=org.kind)
    return org
