"""HTTP routes of prescriptions (doctors) and prescription templates."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Row

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Offset, Svc
from server.core.errors import ERROR_RESPONSES, NotFound
from server.identity.dependencies import require
from server.patients.identity import open_name
from server.patients.masking_policy import name_for
from server.prescriptions import checking, repository, service, templates
from server.prescriptions.integrity import verify_integrity
from server.prescriptions.lifecycle import STATUS_LABELS, Status
from server.prescriptions.models import Prescription
from server.prescriptions.schemas import (
    CheckOut,
    DepartmentTemplateOut,
    DraftIn,
    DraftUpdate,
    IssueOut,
    LineOut,
    PrescriptionOut,
    PrescriptionPage,
    PrescriptionSummary,
    ReasonIn,
    SignatureOut,
    SigningDocumentOut,
    SubmitIn,
    TemplateIn,
    TemplateOut,
    TransitionOut,
)

router = APIRouter(prefix="/prescriptions", tags=["处方 prescriptions"],
                   responses=ERROR_RESPONSES)
templates_router = APIRouter(prefix="/prescription-templates", tags=["处方模板 templates"],
                             responses=ERROR_RESPONSES)

Write = Annotated[Principal, require(Permission.PRESCRIPTION_WRITE)]
Read = Annotated[Principal, require(Permission.PRESCRIPTION_READ)]
ReadRights = Annotated[Principal, require(Permission.RIGHTS_READ)]
ManageRights = Annotated[Principal, require(Permission.RIGHTS_MANAGE)]


def issue_out(hit: checking.Hit) -> IssueOut:
    return IssueOut(key=hit.key, source=hit.source, kind=hit.kind, level=hit.level,
                    severity=hit.severity, lines=list(hit.lines), message=hit.message,
                    advice=hit.advice, rule_id=hit.rule_id, needs_override=hit.needs_override,
                    override_reason=hit.override_reason, overridden_by=hit.overridden_by,
                    overridden_at=hit.overridden_at)


def check_out(outcome: checking.CheckOutcome) -> CheckOut:
    return CheckOut(issues=[issue_out(h) for h in outcome.hits], blocking=outcome.blocking,
                    worst_level=outcome.worst)


async def full(ctx: Ctx, rx: Prescription,
               written: service.Written | None = None) -> PrescriptionOut:
    """The whole prescription; what the call has just `written` is not read back."""
    if written is None:
        lines = await repository.lines(ctx.session, rx.id)
        issues = checking.from_rows(await repository.issues(ctx.session, rx.id, rx.revision))
        task = await repository.latest_task(ctx.session, rx.id)
    else:
        lines, issues, task = written.lines, list(written.issues), written.task
    return PrescriptionOut(
        id=rx.id, number=rx.number, version=rx.version, status=rx.status,
        status_label=STATUS_LABELS[Status(rx.status)], patient_id=rx.patient_id,
        doctor_id=rx.doctor_id, org_id=rx.org_id, department_id=rx.department_id,
        visit_type=rx.visit_type, diagnoses=rx.diagnoses, validity_days=rx.validity_days,
        notes=rx.notes, extended_supply_reason=rx.extended_supply_reason, herbal=rx.herbal,
        total_amount=rx.total_amount, worst_level=rx.worst_level, revision=rx.revision,
        issued_at=rx.issued_at, expires_at=rx.expires_at, supersedes_id=rx.supersedes_id,
        void_reason=rx.void_reason, created_at=rx.created_at,
        lines=[LineOut.model_validate(line) for line in lines],
        issues=[issue_out(h) for h in issues],
        transitions=[TransitionOut.model_validate(t)
                     for t in await repository.transitions(ctx.session, rx.id)],
        signature=(SignatureOut(algorithm=rx.signature_algorithm, certificate_id=rx.certificate_id,
                                signed_at=rx.signed_at, revision=rx.revision)
                   if rx.signature_algorithm else None),
        review=None if task is None else {
            "task_id": str(task.id), "status": task.status, "decision": task.decision,
            "reason_code": task.reason_code, "reason_text": task.reason_text,
            "decided_at": task.decided_at.isoformat() if task.decided_at else None,
            "due_at": task.due_at.isoformat()})


def summary(rx: Prescription | Row[*tuple[Any, ...]], patient_name: str | None = None
            ) -> PrescriptionSummary:
    """A list row, from a prescription or a row of its summary columns."""
    return PrescriptionSummary(
        id=rx.id, number=rx.number, version=rx.version, status=rx.status,
        status_label=STATUS_LABELS[Status(rx.status)], patient_id=rx.patient_id,
        patient_name=patient_name, visit_type=rx.visit_type, total_amount=rx.total_amount,
        worst_level=rx.worst_level, created_at=rx.created_at, issued_at=rx.issued_at)


@router.post("/check", operation_id="check_prescription", response_model=CheckOut)
async def check(body: DraftIn, principal: Write, ctx: Ctx, svc: Svc) -> CheckOut:
    """Warnings while prescribing: every check on content not saved yet."""
    return check_out(await service.check_body(ctx, svc, principal, body))


@router.post("", operation_id="create_prescription", response_model=PrescriptionOut,
             status_code=201)
async def create(body: DraftIn, principal: Write, ctx: Ctx, svc: Svc) -> PrescriptionOut:
    return await full(ctx, await service.create_draft(ctx, svc, principal, body))


@router.get("", operation_id="list_my_prescriptions", response_model=PrescriptionPage)
async def list_mine(principal: Write, ctx: Ctx, svc: Svc, status: Status | None = None,
                    limit: int = Query(50, ge=1, le=200), offset: Offset = 0) -> PrescriptionPage:
    """The doctor's own prescriptions, newest first, each with its patient's name."""
    rows, total = await repository.doctor_list(ctx.session, principal.id, status=status,
                                               limit=limit, offset=offset)
    cap = repository.COUNT_CAP

    def name(sealed: bytes | None) -> str | None:
        return None if sealed is None else name_for(open_name(svc.cipher, sealed), principal)

    return PrescriptionPage(items=[summary(r, name(r.name_enc)) for r in rows],
                            total=min(total, cap), total_exact=total <= cap)


@router.get("/{prescription_id}", operation_id="get_prescription", response_model=PrescriptionOut)
async def get(prescription_id: uuid.UUID, principal: Read, ctx: Ctx) -> PrescriptionOut:
    return await full(ctx, await service.readable(ctx, principal, prescription_id))


@router.put("/{prescription_id}", operation_id="update_prescription",
            response_model=PrescriptionOut)
async def update(prescription_id: uuid.UUID, body: DraftUpdate, principal: Write, ctx: Ctx,
                 svc: Svc) -> PrescriptionOut:
    return await full(ctx, await service.update_draft(ctx, svc, principal, prescription_id, body))


@router.get("/{prescription_id}/signing-document", operation_id="prescription_signing_document",
            response_model=SigningDocumentOut)
async def signing_document(prescription_id: uuid.UUID, principal: Write,
                           ctx: Ctx) -> SigningDocumentOut:
    """The exact content to sign on submit (its canonical bytes, base64)."""
    document, data = await service.document_to_sign(ctx, principal, prescription_id)
    return SigningDocumentOut(document=document, canonical_base64=base64.b64encode(data).decode(),
                              sha256=hashlib.sha256(data).hexdigest())


@router.post("/{prescription_id}/submit", operation_id="submit_prescription",
             response_model=PrescriptionOut)
async def submit(prescription_id: uuid.UUID, body: SubmitIn, principal: Write, ctx: Ctx,
                 svc: Svc) -> PrescriptionOut:
    """Sign and submit: checks, signature verification, the rational-drug-use system, and a
    review task for a pharmacist."""
    return await full(ctx, *await service.submit(ctx, svc, principal, prescription_id, body))


@router.post("/{prescription_id}/void", operation_id="void_prescription",
             response_model=PrescriptionOut)
async def void(prescription_id: uuid.UUID, body: ReasonIn, principal: Write, ctx: Ctx,
               svc: Svc) -> PrescriptionOut:
    return await full(ctx, await service.void(ctx, svc, principal, prescription_id,
                                              version=body.version, reason=body.reason))


@router.post("/{prescription_id}/reissue", operation_id="reissue_prescription",
             response_model=PrescriptionOut, status_code=201)
async def reissue(prescription_id: uuid.UUID, body: ReasonIn, principal: Write, ctx: Ctx,
                  svc: Svc) -> PrescriptionOut:
    """重开: voids this prescription and returns the new draft linked to it."""
    return await full(ctx, await service.reissue(ctx, svc, principal, prescription_id,
                                                 version=body.version, reason=body.reason))


@router.get("/{prescription_id}/verification", operation_id="verify_prescription_signature")
async def verification(prescription_id: uuid.UUID, principal: Read,
                       ctx: Ctx) -> dict[str, object]:
    """Whether the stored content is still what the doctor signed."""
    rx = await service.readable(ctx, principal, prescription_id)
    verified = await verify_integrity(ctx, rx)
    return {"valid": True, "certificate_id": str(verified.certificate_id),
            "algorithm": verified.algorithm, "revision": rx.revision}


@templates_router.get("", operation_id="list_prescription_templates",
                      response_model=list[TemplateOut])
async def list_templates(principal: Write, ctx: Ctx) -> list[TemplateOut]:
    return [TemplateOut.model_validate(t) for t in await templates.visible(ctx, principal)]


@templates_router.post("", operation_id="create_prescription_template",
                       response_model=TemplateOut, status_code=201)
async def create_template(body: TemplateIn, principal: Write, ctx: Ctx) -> TemplateOut:
    return TemplateOut.model_validate(await templates.create(ctx, principal, body))


@templates_router.delete("/{template_id}", operation_id="delete_prescription_template",
                         status_code=204)
async def delete_template(template_id: uuid.UUID, principal: Write, ctx: Ctx) -> None:
    if not await templates.delete(ctx, principal, template_id):
        raise NotFound("模板不存在")


@templates_router.get("/departments/{department_id}", operation_id="list_department_templates",
                      response_model=list[DepartmentTemplateOut])
async def department_templates(department_id: uuid.UUID, principal: ReadRights,
                               ctx: Ctx) -> list[DepartmentTemplateOut]:
    """A department's shared templates (administrators), with the products of each line."""
    return [DepartmentTemplateOut.model_validate({
        **TemplateOut.model_validate(t).model_dump(), "products": products})
        for t, products in await templates.of_department(ctx, principal, department_id)]


@templates_router.delete("/departments/{department_id}/{template_id}",
                         operation_id="retire_department_template", status_code=204)
async def retire_department_template(department_id: uuid.UUID, template_id: uuid.UUID,
                                     principal: ManageRights, ctx: Ctx) -> None:
    """Remove a department's shared template."""
    await templates.retire(ctx, principal, department_id, template_id)
