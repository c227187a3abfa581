"""Prescription templates: lines a doctor saves for reuse, personal or for the department."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from server.access import service as access
from server.core.context import Principal, RequestContext
from server.core.errors import NotFound, NotPermitted
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


# -- a department's templates, for the administrators -------------------------------------------

async def of_department(ctx: RequestContext, actor: Principal, department_id: uuid.UUID
                        ) -> list[tuple[PrescriptionTemplate, list[str]]]:
    """The department's shared templates, each with the products of its lines as labels."""
    await access.department(ctx, actor, department_id)
    rows = await repository.department_templates(ctx.session, department_id)
    ids = {uuid.UUID(str(line["product_id"])) for t in rows for line in t.lines}
    labels = await repository.product_labels(ctx.session, ids)
    return [(t, [labels.get(uuid.UUID(str(line["product_id"])), str(line["product_id"]))
                 for line in t.lines]) for t in rows]


async def retire(ctx: RequestContext, actor: Principal, department_id: uuid.UUID,
                 template_id: uuid.UUID) -> None:
    """Remove a department's shared template (an administrator's decision, audited)."""
    await access.department(ctx, actor, department_id)
    template = await ctx.session.get(PrescriptionTemplate, template_id)
    if template is None or template.scope != "department" \
            or template.department_id != department_id:
        raise NotFound("该科室没有这个模板")
    await ctx.session.delete(template)
    ctx.note("prescription_template.retire", "prescription_template", template.id,
             department_id=str(department_id), name=template.name)
