"""Editing the rights matrices: a department's prescribing rights (title x drug class) and the
group's reviewing rights (pharmacist level x drug class).

An edit sends the whole matrix it wants and the matrix it read; when the stored one differs
from what was read, someone else changed it meanwhile and the edit is refused (409) rather
than silently undoing their change. Every edit is audited with the cells granted and revoked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from server.access import repository
from server.core.context import Principal, RequestContext
from server.core.errors import NotFound, NotPermitted, Unprocessable, VersionConflict
from server.organisations.models import Organisation, OrganisationKind

Cells = set[tuple[str, str]]


class RightsChanged(VersionConflict):
    default_detail = "权限矩阵已被他人修改，请刷新后重新编辑"


def _sorted(cells: Iterable[tuple[str, str]]) -> list[list[str]]:
    return [list(cell) for cell in sorted(cells)]


async def department(ctx: RequestContext, actor: Principal, department_id: uuid.UUID
                     ) -> Organisation:
    org = await ctx.session.get(Organisation, department_id)
    if org is None or org.kind != OrganisationKind.DEPARTMENT:
        raise NotFound("科室不存在")
    if not (actor.sees(org.id) or actor.sees(org.parent_id)):
        raise NotPermitted("不能查看或修改其他机构科室的处方权限")
    return org


async def prescribing(ctx: RequestContext, actor: Principal, department_id: uuid.UUID) -> Cells:
    await department(ctx, actor, department_id)
    return await repository.prescribing(ctx.session, department_id)


async def set_prescribing(ctx: RequestContext, actor: Principal, department_id: uuid.UUID, *,
                          cells: Cells, previous: Cells) -> Cells:
    org = await department(ctx, actor, department_id)
    await repository.lock(ctx.session, department_id)
    current = await repository.prescribing(ctx.session, department_id)
    if current != previous:
        raise RightsChanged()
    granted, revoked = cells - current, current - cells
    await repository.revoke_prescribing(ctx.session, department_id, revoked)
    await repository.grant_prescribing(ctx.session, department_id, granted)
    ctx.note("rights.prescribing.update", "organisation", department_id, department=org.name,
             granted=_sorted(granted), revoked=_sorted(revoked))
    return cells


async def reviewing(ctx: RequestContext) -> Cells:
    return await repository.reviewing(ctx.session)


async def set_reviewing(ctx: RequestContext, actor: Principal, *, cells: Cells,
                        previous: Cells) -> Cells:
    if actor.visible_org_ids is not None:
        # One matrix for the whole group: only a group-level administrator may change it.
        raise NotPermitted("审方权限矩阵适用于全集团，仅集团管理员可以修改")
    await repository.lock(ctx.session, None)
    current = await repository.reviewing(ctx.session)
    if current != previous:
        raise RightsChanged()
    if not cells:
        raise Unprocessable("至少保留一个审方权限：否则任何处方都无人可审", field="cells")
    granted, revoked = cells - current, current - cells
    await repository.revoke_reviewing(ctx.session, revoked)
    await repository.grant_reviewing(ctx.session, granted)
    ctx.note("rights.reviewing.update", "reviewing_right", None,
             granted=_sorted(granted), revoked=_sorted(revoked))
    return cells
