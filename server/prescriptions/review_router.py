"""HTTP routes of pharmacist review."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from common.signing import canonical_bytes
from server.access import scope
from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Offset, QueryMoment, Svc
from server.core.errors import ERROR_RESPONSES, SignatureInvalid
from server.identity.dependencies import require
from server.prescriptions import repository, review_service
from server.prescriptions.integrity import verify_integrity
from server.prescriptions.router import full
from server.prescriptions.schemas import PrescriptionOut

router = APIRouter(prefix="/review", tags=["审方 review"], responses=ERROR_RESPONSES)
Reviewer = Annotated[Principal, require(Permission.REVIEW)]
Stats = Annotated[Principal, require(Permission.REVIEW_STATS)]


class DutyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on_duty: StrictBool  # true or false: 0.0 or "no" is a client's mistake, not an answer


class DutyOut(BaseModel):
    on_duty: bool
    tasks_moved: int


class DutyStateOut(BaseModel):
    on_duty: bool
    changed_at: datetime | None


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    prescription_id: uuid.UUID
    status: str
    revision: int
    drug_classes: list[str]
    worst_level: int | None
    assigned_to_id: uuid.UUID | None
    assigned_at: datetime | None
    due_at: datetime
    escalated_at: datetime | None
    decision: str | None
    reason_code: str | None
    reason_text: str | None
    decided_at: datetime | None
    spot_check: str | None


class QueueItem(BaseModel):
    task: TaskOut
    prescription_number: str
    visit_type: str
    overdue: bool
    seconds_left: int


class QueuePage(BaseModel):
    items: list[QueueItem]
    total: int


class AnnotationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    text: str
    line_no: int | None
    author_name: str
    at: datetime | None


class TaskDetail(BaseModel):
    task: TaskOut
    prescription: PrescriptionOut
    # As in the queue: workstations count down from their own clock, which may be off.
    seconds_left: int = Field(description="距审核时限的秒数（已超时为负）")
    signature_valid: bool
    decision_documents: dict[str, Any]
    annotations: list[AnnotationOut]


class HistoryItem(BaseModel):
    task: TaskOut
    prescription_number: str
    visit_type: str
    seconds_to_decision: int


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    total: int


class OpenTaskItem(QueueItem):
    assigned_to_name: str | None


class OpenTaskPage(BaseModel):
    items: list[OpenTaskItem]
    total: int


class SpotCheckItem(BaseModel):
    task: TaskOut
    prescription_number: str
    visit_type: str
    decided_by_name: str


class SpotCheckPage(BaseModel):
    items: list[SpotCheckItem]
    total: int


class PharmacistOut(BaseModel):
    id: uuid.UUID
    name: str
    pharmacist_level: str | None
    on_duty: bool
    open_tasks: int


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    signature: str = Field(min_length=16, max_length=2000)
    algorithm: str = Field(max_length=40)


class RejectIn(DecisionIn):
    reason_code: str = Field(description="、".join(review_service.REJECTION_REASONS))
    reason_text: str = Field(min_length=2, max_length=500)


class DecisionDocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approved", "rejected"]
    reason_code: str | None = Field(None, max_length=40)
    reason_text: str | None = Field(None, max_length=500)


class AnnotationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500)
    line_no: int | None = Field(None, ge=1, le=20)


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_user_id: uuid.UUID


class SpotCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: Literal["correct", "error"]
    note: str | None = Field(None, max_length=500)


@router.get("/reasons", operation_id="review_rejection_reasons")
async def reasons(principal: Reviewer) -> dict[str, str]:
    return review_service.REJECTION_REASONS


@router.post("/duty", operation_id="set_review_duty", response_model=DutyOut)
async def duty(body: DutyIn, principal: Reviewer, ctx: Ctx, svc: Svc) -> DutyOut:
    """On / off duty. Going off hands open tasks back for reassignment."""
    on, moved = await review_service.set_duty(ctx, svc, principal, on_duty=body.on_duty)
    return DutyOut(on_duty=on, tasks_moved=moved)


@router.get("/duty", operation_id="get_review_duty", response_model=DutyStateOut)
async def duty_state(principal: Reviewer, ctx: Ctx) -> DutyStateOut:
    duty = await repository.duty(ctx.session, principal.id)
    return DutyStateOut(on_duty=bool(duty and duty.on_duty),
                        changed_at=duty.changed_at if duty else None)


@router.get("/pharmacists", operation_id="list_review_pharmacists",
            response_model=list[PharmacistOut])
async def pharmacists(principal: Reviewer, ctx: Ctx) -> list[PharmacistOut]:
    """The hospital's pharmacists, on duty or not, with their open tasks (to reassign to)."""
    assert principal.org_id is not None
    return [PharmacistOut(id=user.id, name=user.display_name,
                          pharmacist_level=user.pharmacist_level, on_duty=on, open_tasks=load)
            for user, on, load in await repository.pharmacists_in(ctx.session, principal.org_id)]


@router.get("/history", operation_id="review_history", response_model=HistoryPage)
async def history(principal: Reviewer, ctx: Ctx, limit: int = Query(50, ge=1, le=200),
                  offset: Offset = 0) -> HistoryPage:
    """My decisions, newest first."""
    rows, total = await repository.decided_by(ctx.session, principal.id, limit=limit,
                                              offset=offset)
    return HistoryPage(total=total, items=[HistoryItem(
        task=TaskOut.model_validate(task), prescription_number=rx.number,
        visit_type=rx.visit_type,
        seconds_to_decision=int(((task.decided_at or task.created_at) - task.created_at)
                                .total_seconds())) for task, rx in rows])


@router.get("/open-tasks", operation_id="review_open_tasks", response_model=OpenTaskPage)
async def open_tasks(principal: Reviewer, ctx: Ctx, svc: Svc,
                     limit: int = Query(50, ge=1, le=200), offset: Offset = 0) -> OpenTaskPage:
    """Senior pharmacists: every open task of the hospital, nearest deadline first."""
    review_service.require_senior(principal, "查看全院待审任务")
    assert principal.org_id is not None
    rows, total = await repository.open_tasks_in(ctx.session, principal.org_id, limit=limit,
                                                 offset=offset)
    now = svc.clock.now()
    return OpenTaskPage(total=total, items=[OpenTaskItem(
        task=TaskOut.model_validate(task), prescription_number=rx.number,
        visit_type=rx.visit_type, overdue=task.due_at <= now,
        seconds_left=int((task.due_at - now).total_seconds()), assigned_to_name=name)
        for task, rx, name in rows])


@router.get("/spot-checks", operation_id="review_spot_checks", response_model=SpotCheckPage)
async def spot_checks(principal: Reviewer, ctx: Ctx, pending: bool = True,
                      limit: int = Query(50, ge=1, le=200),
                      offset: Offset = 0) -> SpotCheckPage:
    """Senior pharmacists: other pharmacists' approvals to spot-check (or already checked)."""
    review_service.require_senior(principal, "抽查审核质量")
    assert principal.org_id is not None
    rows, total = await repository.approvals_to_check(
        ctx.session, principal.org_id, exclude_decider=principal.id, pending=pending,
        limit=limit, offset=offset)
    return SpotCheckPage(total=total, items=[SpotCheckItem(
        task=TaskOut.model_validate(task), prescription_number=rx.number,
        visit_type=rx.visit_type, decided_by_name=name) for task, rx, name in rows])


@router.get("/queue", operation_id="review_queue", response_model=QueuePage)
async def queue(principal: Reviewer, ctx: Ctx, svc: Svc, limit: int = Query(50, ge=1, le=200),
                offset: Offset = 0) -> QueuePage:
    """My open tasks: worst check level first, then the nearest deadline."""
    rows, total = await repository.queue(ctx.session, principal.id, limit=limit, offset=offset)
    now = svc.clock.now()
    return QueuePage(total=total, items=[QueueItem(
        task=TaskOut.model_validate(row.task), prescription_number=row.number,
        visit_type=row.visit_type, overdue=row.task.due_at <= now,
        seconds_left=int((row.task.due_at - now).total_seconds())) for row in rows])


@router.get("/tasks/{task_id}", operation_id="get_review_task", response_model=TaskDetail)
async def task(task_id: uuid.UUID, principal: Reviewer, ctx: Ctx, svc: Svc) -> TaskDetail:
    """The task with its prescription; the signature is checked on every read."""
    found = await review_service.task_for(ctx, task_id)
    rx = await repository.get(ctx.session, found.prescription_id)
    assert rx is not None
    try:
        await verify_integrity(ctx, rx)
        valid = True
    except SignatureInvalid:
        valid = False
        ctx.note("security.prescription_tampered", "prescription", rx.id, number=rx.number)
    # The approval document is fixed; a rejection's depends on the reason (decision-document).
    documents = {"approved": review_service.decision_document(
        found, rx, decision="approved", reason_code=None, reason_text=None)}
    notes = [AnnotationOut.model_validate(n)
             for n in await repository.annotations_of(ctx.session, found.id)]
    return TaskDetail(task=TaskOut.model_validate(found), prescription=await full(ctx, rx),
                      seconds_left=int((found.due_at - svc.clock.now()).total_seconds()),
                      signature_valid=valid, decision_documents=documents, annotations=notes)


@router.post("/tasks/{task_id}/decision-document", operation_id="review_decision_document")
async def decision_document(task_id: uuid.UUID, body: DecisionDocumentIn, principal: Reviewer,
                            ctx: Ctx) -> dict[str, Any]:
    """The exact content the pharmacist signs for a decision (canonical bytes, base64)."""
    found = await review_service.task_for(ctx, task_id)
    rx = await repository.get(ctx.session, found.prescription_id)
    assert rx is not None
    document = review_service.decision_document(found, rx, decision=body.decision,
                                                reason_code=body.reason_code,
                                                reason_text=body.reason_text)
    data = canonical_bytes(document)
    return {"document": document, "canonical_base64": base64.b64encode(data).decode(),
            "sha256": hashlib.sha256(data).hexdigest()}


@router.post("/tasks/{task_id}/approve", operation_id="approve_review_task",
             response_model=TaskOut)
async def approve(task_id: uuid.UUID, body: DecisionIn, principal: Reviewer, ctx: Ctx,
                  svc: Svc) -> TaskOut:
    found, _ = await review_service.decide(
        ctx, svc, principal, task_id, version=body.version, decision="approved",
        reason_code=None, reason_text=None, signature=body.signature, algorithm=body.algorithm)
    return TaskOut.model_validate(found)


@router.post("/tasks/{task_id}/reject", operation_id="reject_review_task", response_model=TaskOut)
async def reject(task_id: uuid.UUID, body: RejectIn, principal: Reviewer, ctx: Ctx,
                 svc: Svc) -> TaskOut:
    """Back to the doctor with a coded reason and text."""
    found, _ = await review_service.decide(
        ctx, svc, principal, task_id, version=body.version, decision="rejected",
        reason_code=body.reason_code, reason_text=body.reason_text, signature=body.signature,
        algorithm=body.algorithm)
    return TaskOut.model_validate(found)


@router.post("/tasks/{task_id}/annotations", operation_id="annotate_review_task",
             status_code=201)
async def annotate(task_id: uuid.UUID, body: AnnotationIn, principal: Reviewer,
                   ctx: Ctx) -> dict[str, Any]:
    note = await review_service.annotate(ctx, principal, task_id, text=body.text,
                                         line_no=body.line_no)
    return {"id": str(note.id), "text": note.text, "line_no": note.line_no}


@router.post("/tasks/{task_id}/reassign", operation_id="reassign_review_task",
             response_model=TaskOut)
async def reassign(task_id: uuid.UUID, body: ReassignIn, principal: Reviewer, ctx: Ctx,
                   svc: Svc) -> TaskOut:
    return TaskOut.model_validate(await review_service.reassign(
        ctx, svc, principal, task_id, to_user_id=body.to_user_id))


@router.post("/tasks/{task_id}/spot-check", operation_id="spot_check_review_task",
             response_model=TaskOut)
async def spot_check(task_id: uuid.UUID, body: SpotCheckIn, principal: Reviewer,
                     ctx: Ctx) -> TaskOut:
    """A senior pharmacist marks an approval correct, or wrongly approved (an error)."""
    return TaskOut.model_validate(await review_service.spot_check(
        ctx, principal, task_id, result=body.result, note=body.note))


@router.post("/escalations/run", operation_id="run_review_escalation")
async def escalate(principal: Reviewer, ctx: Ctx, svc: Svc) -> dict[str, int]:
    """Escalate overdue tasks now (the server also does it every minute)."""
    return {"escalated": await review_service.escalate_overdue(ctx, svc)}


@router.get("/stats", operation_id="review_quality_stats")
async def stats(principal: Stats, svc: Svc, pharmacist_id: uuid.UUID | None = None,
                since: QueryMoment | None = None, until: QueryMoment | None = None
                ) -> dict[str, Any]:
    """Approval, rejection and error rates and time to decision (served by a replica if up)."""
    async with svc.db.read_session() as (session, source):
        await scope.apply(session, principal)
        figures = await review_service.quality(session, org_ids=principal.visible_org_ids,
                                               pharmacist_id=pharmacist_id, since=since,
                                               until=until)
    return {**figures, "served_by": source}
