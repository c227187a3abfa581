"""Prescription templates: lines a doctor saves for reuse, personal or for the department."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from server.core.context import Principal, RequestContext
from server.core.errors import NotPermitted
from server.prescriptions import repository
from server.prescriptions.models import PrescriptionTemplate
from server.prescriptions.schemas import TemplateIn


async def visible(ctx: RequestContext, actor: Principal) -> Sequence[PrescriptionTemplate]:
    return await repository.templates_for(ctx.session, owner_id=actor.id,
                                          department_id=actor.department_id)


async def create(ctx: RequestContext, actor: Principal, data: TemplateIn) -> PrescriptionTemplate:
    if actor.org_id is None or actor.department_id is None:
        raise NotPermitted("只有有科室的医生可以保存处方模板")
    template = PrescriptionTemplate(
        org_id=actor.org_id, scope=data.scope, name=data.name,
        owner_id=actor.id if data.scope == "personal" else None,
        department_id=actor.department_id,
        diagnoses=[d.model_dump() for d in data.diagnoses],
        lines=[line.model_dump(mode="json") for line in data.lines])
    ctx.session.add(template)
    await ctx.session.flush()
    ctx.note("prescription_template.create", "prescription_template", template.id,
             scope=data.scope, name=data.name)
    return template


async def delete(ctx: RequestContext, actor: Principal, template_id: uuid.UUID) -> bool:
    template = await ctx.session.get(PrescriptionTemplate, template_id)
    if template is None or not (template.owner_id == actor.id or (
            template.scope == "department" and template.department_id == actor.department_id)):
        return False
    await ctx.session.delete(template)
    ctx.note("prescription_template.delete", "prescription_template", template.id)
    return True
