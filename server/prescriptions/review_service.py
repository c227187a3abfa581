"""The pharmacist's side: review tasks, their assignment across on-duty pharmacists, decisions
(signed), escalation of overdue tasks, spot checks and the quality figures.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from server.access.models import ReviewingRight
from server.access.roles import PharmacistLevel, Role
from server.clinical.models import ClinicalSource, PatientMedication
from server.clinical.service import CHINA
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, NotPermitted, Unprocessable, VersionConflict
from server.core.services import Services
from server.events.service import publish
from server.identity.models import StaffUser
from server.platform_settings.registry import ReviewTimeLimits
from server.platform_settings.service import load as load_settings
from server.prescriptions import repository
from server.prescriptions.integrity import verify_integrity
from server.prescriptions.lifecycle import Status
from server.prescriptions.models import (
    PharmacistDuty,
    Prescription,
    PrescriptionLine,
    ReviewAnnotation,
    ReviewTask,
)
from server.signatures.service import verify_document

# Levels that count as senior: they take escalated tasks, spot-check and reassign.
SENIOR_LEVELS = (PharmacistLevel.SUPERVISING.value, PharmacistLevel.ASSOCIATE_CHIEF.value,
                 PharmacistLevel.CHIEF.value)

REJECTION_REASONS = {
    "indication": "适应证不适宜",
    "drug_selection": "遴选的药品不适宜",
    "dosage_form_route": "药品剂型或给药途径不适宜",
    "dose_frequency": "用法、用量不适宜",
    "interaction": "联合用药不适宜或有不良相互作用",
    "duplicate": "重复给药",
    "contraindication": "有用药禁忌（含过敏、特殊人群）",
    "incompatibility": "有配伍禁忌",
    "nonconformity": "处方书写不规范或内容不全",
    "legality": "超出处方权限或签名不符",
    "insurance": "不符合医保限定",
    "other": "其他",
}


def _is_senior(actor: Principal) -> bool:
    return actor.attributes.get("pharmacist_level") in SENIOR_LEVELS


def _require_pharmacist(actor: Principal) -> None:
    if Role.PHARMACIST not in actor.roles:
        raise NotPermitted("只有药师可以审核处方")


def require_senior(actor: Principal, doing: str) -> None:
    """`doing` completes the refusal: 只有主管药师及以上可以<doing>."""
    if not _is_senior(actor):
        raise NotPermitted(f"只有主管药师及以上可以{doing}")


async def _released(ctx: RequestContext, task: ReviewTask, previous: uuid.UUID | None) -> None:
    """Tell the pharmacist a task was taken from (the app drops it from the queue)."""
    if previous is not None and task.assigned_to_id != previous:
        await publish(ctx, type="review.task_released", org_id=task.org_id,
                      entity_type="review_task", entity_id=task.id, user_ids=[previous],
                      payload={"task_id": str(task.id), "assigned_to_id": (
                          str(task.assigned_to_id) if task.assigned_to_id else None)})


async def _assign(ctx: RequestContext, task: ReviewTask, *, now: datetime,
                  exclude: uuid.UUID | None = None,
                  levels: Sequence[str] | None = None) -> uuid.UUID | None:
    chosen = await repository.assign_least_loaded(
        ctx.session, org_id=task.org_id, drug_classes=task.drug_classes, exclude=exclude,
        levels=levels)
    task.assigned_to_id = chosen
    task.assigned_at = now if chosen else None
    if chosen:
        await publish(ctx, type="review.task_assigned", org_id=task.org_id,
                      entity_type="review_task", entity_id=task.id, user_ids=[chosen],
                      payload={"task_id": str(task.id),
                               "prescription_id": str(task.prescription_id),
                               "worst_level": task.worst_level,
                               "due_at": task.due_at.isoformat()})
    return chosen


async def open_task(ctx: RequestContext, svc: Services, rx: Prescription,
                    lines: Sequence[PrescriptionLine], *, now: datetime) -> ReviewTask:
    limits = await load_settings(ctx.session, ReviewTimeLimits)
    task = ReviewTask(
        id=uuid.uuid4(), prescription_id=rx.id, org_id=rx.org_id, revision=rx.revision,
        drug_classes=sorted({line.drug_class for line in lines}), worst_level=rx.worst_level,
        due_at=now + timedelta(minutes=limits.minutes_for(rx.visit_type)))
    await _assign(ctx, task, now=now)  # before the INSERT: it carries the assignment
    ctx.session.add(task)
    return task


async def cancel_open_task(ctx: RequestContext, rx: Prescription) -> None:
    task = await repository.open_task(ctx.session, rx.id)
    if task is not None:
        task.status = "cancelled"
        if task.assigned_to_id:
            await publish(ctx, type="review.task_cancelled", org_id=task.org_id,
                          entity_type="review_task", entity_id=task.id,
                          user_ids=[task.assigned_to_id], payload={"task_id": str(task.id)})


async def task_for(ctx: RequestContext, task_id: uuid.UUID) -> ReviewTask:
    task = await ctx.session.get(ReviewTask, task_id)
    if task is None:
        raise NotFound("审核任务不存在")
    return task


# -- duty ---------------------------------------------------------------------------------------

async def set_duty(ctx: RequestContext, svc: Services, actor: Principal, *,
                   on_duty: bool) -> tuple[bool, int]:
    """On duty: unassigned tasks of the hospital are shared out again. Off duty: this
    pharmacist's open tasks go to the others (or wait unassigned). Returns (on_duty, moved)."""
    _require_pharmacist(actor)
    assert actor.org_id is not None
    now = svc.clock.now()
    duty = await repository.duty(ctx.session, actor.id, for_update=True)
    if duty is None:
        duty = PharmacistDuty(user_id=actor.id, org_id=actor.org_id)
        ctx.session.add(duty)
    duty.on_duty, duty.changed_at = on_duty, now
    await ctx.session.flush()
    moved = 0
    tasks = (await repository.unassigned_tasks(ctx.session, actor.org_id) if on_duty
             else await repository.open_tasks_of(ctx.session, actor.id))
    for task in tasks:
        previous = task.assigned_to_id
        await _assign(ctx, task, now=now, exclude=None if on_duty else actor.id)
        moved += task.assigned_to_id != previous
        await _released(ctx, task, previous)
    ctx.note("review.duty", "staff_user", actor.id, on_duty=on_duty, tasks_moved=moved)
    return on_duty, moved


# -- deciding -------------------------------------------------------------------------------------

def decision_document(task: ReviewTask, rx: Prescription, *, decision: str,
                      reason_code: str | None, reason_text: str | None) -> dict[str, Any]:
    """What the pharmacist signs: the decision, bound to the exact prescription content."""
    return {
        "type": "rxp.review/1", "task_id": str(task.id), "prescription_id": str(rx.id),
        "prescription_number": rx.number, "prescription_revision": rx.revision,
        "prescription_digest": (rx.signed_digest or b"").hex(), "decision": decision,
        "reason_code": reason_code or "", "reason_text": reason_text or "",
    }


async def _may_review(ctx: RequestContext, actor: Principal, task: ReviewTask) -> None:
    _require_pharmacist(actor)
    if not actor.sees(task.org_id):
        raise NotFound("审核任务不存在")
    level = actor.attributes.get("pharmacist_level")
    granted = set((await ctx.session.scalars(select(ReviewingRight.drug_class).where(
        ReviewingRight.level == level))).all())
    missing = sorted(set(task.drug_classes) - granted)
    if missing:
        raise NotPermitted(f"您的药师等级无权审核含以下类别药品的处方：{'、'.join(missing)}",
                           drug_classes=missing)


async def decide(ctx: RequestContext, svc: Services, actor: Principal, task_id: uuid.UUID, *,
                 version: int, decision: str, reason_code: str | None, reason_text: str | None,
                 signature: str, algorithm: str) -> tuple[ReviewTask, Prescription]:
    task = await task_for(ctx, task_id)
    await _may_review(ctx, actor, task)
    if task.status != "open":
        raise Conflict("该审核任务已处理", status=task.status)
    if task.version != version:
        raise VersionConflict(current_version=task.version)
    if decision == "rejected" and (reason_code not in REJECTION_REASONS or not reason_text):
        raise Unprocessable("驳回须选择驳回原因并填写说明", field="reason_code")
    rx = await repository.get(ctx.session, task.prescription_id)
    assert rx is not None
    # What the pharmacist is about to approve must still be what the doctor signed.
    await verify_integrity(ctx, rx)
    now = svc.clock.now()
    verified = await verify_document(
        ctx.session, user_id=actor.id, algorithm=algorithm, signature=signature, at=now,
        document=decision_document(task, rx, decision=decision, reason_code=reason_code,
                                   reason_text=reason_text))
    # Compare-and-set: of two pharmacists deciding at once, one finds the task gone (409).
    done = await ctx.session.execute(
        update(ReviewTask)
        .where(ReviewTask.id == task.id, ReviewTask.status == "open",
               ReviewTask.version == version)
        .values(status="decided", decision=decision, reason_code=reason_code,
                reason_text=reason_text, decided_by_id=actor.id, decided_at=now,
                signature=base64.b64decode(signature),
                signature_algorithm=verified.algorithm, certificate_id=verified.certificate_id,
                version=ReviewTask.version + 1)
        .returning(ReviewTask.id).execution_options(synchronize_session=False))
    if done.first() is None:
        raise Conflict("该审核任务已被其他药师处理")
    await ctx.session.refresh(task)
    if task.assigned_to_id is not None:
        # Off the assignee's queue, also when another pharmacist decided it.
        await publish(ctx, type="review.task_decided", org_id=task.org_id,
                      entity_type="review_task", entity_id=task.id,
                      user_ids=[task.assigned_to_id],
                      payload={"task_id": str(task.id), "decision": decision,
                               "decided_by_id": str(actor.id)})
    by = repository.By.of(ctx, Role.PHARMACIST.value)
    if decision == "approved":
        await repository.transition(ctx.session, rx, Status.APPROVED, reason=None, by=by, now=now)
        await _record_medication(ctx, rx, now=now)
        await repository.transition(ctx.session, rx, Status.AWAITING_PATIENT_CHOICE,
                                    reason=None, by=by, now=now)
    else:
        text = f"{REJECTION_REASONS[reason_code or 'other']}：{reason_text}"
        await repository.transition(ctx.session, rx, Status.REJECTED, reason=text, by=by, now=now)
    await publish(ctx, type="prescription.status", org_id=rx.org_id, entity_type="prescription",
                  entity_id=rx.id, user_ids=[rx.doctor_id],
                  payload={"id": str(rx.id), "number": rx.number, "status": rx.status,
                           "decision": decision, "reason_code": reason_code,
                           "reason_text": reason_text})
    ctx.note(f"review.{decision}", "prescription", rx.id, number=rx.number,
             task_id=str(task.id), reason_code=reason_code,
             certificate_id=str(verified.certificate_id))
    return task, rx


async def _record_medication(ctx: RequestContext, rx: Prescription, *, now: datetime) -> None:
    """An approved prescription's drugs become the patient's current medication (until the
    course ends), so the next prescription's checks see them."""
    lines = [line for line in await repository.lines(ctx.session, rx.id)
             if line.item_type == "drug"]
    products = await repository.products(ctx.session, [line.product_id for line in lines])
    today = now.astimezone(CHINA).date()
    for line in lines:
        ctx.session.add(PatientMedication(
            patient_id=rx.patient_id, org_id=rx.org_id, source=ClinicalSource.PRESCRIPTION,
            recorded_at=now, recorded_by_id=rx.doctor_id, recorded_by="本平台处方",
            generic_name=line.generic_name, atc_code=products[line.product_id].atc_code,
            product_id=line.product_id,
            dose=f"{format(line.dose.normalize(), 'f')}{line.dose_unit} {line.frequency}",
            started_on=today, ended_on=today + timedelta(days=line.days),
            source_ref=rx.number))


async def annotate(ctx: RequestContext, actor: Principal, task_id: uuid.UUID, *, text: str,
                   line_no: int | None) -> ReviewAnnotation:
    task = await task_for(ctx, task_id)
    await _may_review(ctx, actor, task)
    note = ReviewAnnotation(task_id=task.id, org_id=task.org_id, author_id=actor.id,
                            author_name=actor.name, line_no=line_no, text=text)
    ctx.session.add(note)
    await ctx.session.flush()
    ctx.note("review.annotate", "review_task", task.id, line_no=line_no)
    return note


# -- seniors: reassignment, escalation, spot checks ----------------------------------------------

async def reassign(ctx: RequestContext, svc: Services, actor: Principal, task_id: uuid.UUID, *,
                   to_user_id: uuid.UUID) -> ReviewTask:
    require_senior(actor, "改派审核任务")
    task = await task_for(ctx, task_id)
    if task.status != "open":
        raise Conflict("该审核任务已处理")
    target = await ctx.session.get(StaffUser, to_user_id)
    if target is None or Role.PHARMACIST not in target.roles or target.org_id != task.org_id:
        raise Unprocessable("改派对象须为本院药师", field="to_user_id")
    previous = task.assigned_to_id
    task.assigned_to_id, task.assigned_at = target.id, svc.clock.now()
    await _released(ctx, task, previous)
    await publish(ctx, type="review.task_assigned", org_id=task.org_id,
                  entity_type="review_task", entity_id=task.id, user_ids=[target.id],
                  payload={"task_id": str(task.id), "prescription_id": str(task.prescription_id),
                           "worst_level": task.worst_level, "due_at": task.due_at.isoformat()})
    await ctx.session.flush()
    ctx.note("review.reassign", "review_task", task.id, to=str(target.id))
    return task


async def escalate_overdue(ctx: RequestContext, svc: Services) -> int:
    """Overdue tasks go to a senior pharmacist on duty (not the one who let it run over)."""
    now = svc.clock.now()
    count = 0
    for task in await repository.overdue_tasks(ctx.session, now):
        previous = task.assigned_to_id
        chosen = await _assign(ctx, task, now=now, exclude=previous, levels=SENIOR_LEVELS)
        if chosen is None and previous is not None:
            task.assigned_to_id = previous  # nobody senior on duty: it stays, marked overdue
        await _released(ctx, task, previous)
        task.escalated_at = now
        count += 1
    if count:
        ctx.note("review.escalate", "review_task", None, escalated=count)
    return count


async def spot_check(ctx: RequestContext, actor: Principal, task_id: uuid.UUID, *, result: str,
                     note: str | None) -> ReviewTask:
    require_senior(actor, "抽查审核质量")
    task = await task_for(ctx, task_id)
    if task.decision != "approved":
        raise Unprocessable("只能抽查已审核通过的处方")
    if task.decided_by_id == actor.id:
        raise NotPermitted("不能抽查自己审核的处方")
    task.spot_check, task.spot_checked_by_id, task.spot_check_note = result, actor.id, note
    await ctx.session.flush()
    ctx.note("review.spot_check", "review_task", task.id, result=result)
    return task


async def quality(session: Any, *, org_ids: frozenset[uuid.UUID] | None,
                  pharmacist_id: uuid.UUID | None, since: datetime | None,
                  until: datetime | None) -> dict[str, Any]:
    """Approval, rejection and error rates and time to decision over decided tasks."""
    query = select(
        func.count(), func.count().filter(ReviewTask.decision == "approved"),
        func.count().filter(ReviewTask.decision == "rejected"),
        func.count().filter(ReviewTask.spot_check.is_not(None)),
        func.count().filter(ReviewTask.spot_check == "error"),
        func.avg(func.extract("epoch", ReviewTask.decided_at - ReviewTask.created_at)),
        func.percentile_cont(0.9).within_group(
            func.extract("epoch", ReviewTask.decided_at - ReviewTask.created_at)),
    ).where(ReviewTask.status == "decided")
    if org_ids is not None:
        query = query.where(ReviewTask.org_id.in_(org_ids))
    if pharmacist_id:
        query = query.where(ReviewTask.decided_by_id == pharmacist_id)
    if since:
        query = query.where(ReviewTask.decided_at >= since)
    if until:
        query = query.where(ReviewTask.decided_at < until)
    total, approved, rejected, checked, errors, avg_s, p90_s = (await session.execute(query)).one()

    def rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    return {"decided": total, "approved": approved, "rejected": rejected,
            "approval_rate": rate(approved, total), "rejection_rate": rate(rejected, total),
            "spot_checked": checked, "errors": errors, "error_rate": rate(errors, checked),
            "avg_seconds_to_decision": None if avg_s is None else round(float(avg_s), 1),
            "p90_seconds_to_decision": None if p90_s is None else round(float(p90_s), 1)}
