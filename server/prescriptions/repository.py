"""All SQL of prescriptions, review tasks, duty and templates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Row,
    Select,
    Table,
    Update,
    and_,
    any_,
    bindparam,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from server.access.models import PrescribingRight
from server.catalogue.models import CatalogueProduct
from server.core.context import RequestContext
from server.identity.models import StaffUser
from server.patients.models import Patient
from server.prescriptions.lifecycle import InvalidTransition, Status, check_transition
from server.prescriptions.models import (
    PharmacistDuty,
    Prescription,
    PrescriptionIssue,
    PrescriptionLine,
    PrescriptionTemplate,
    PrescriptionTransition,
    ReviewAnnotation,
    ReviewTask,
)


async def next_number(session: AsyncSession, day: str) -> str:
    seq = (await session.execute(text("SELECT nextval('prescription_number_seq')"))).scalar_one()
    return f"RX{day}{seq:08d}"


@cache
def _get(for_update: bool) -> Select[Any]:
    query = select(Prescription).where(Prescription.id == bindparam("rx"))
    return query.with_for_update() if for_update else query


async def get(session: AsyncSession, prescription_id: uuid.UUID,
              *, for_update: bool = False) -> Prescription | None:
    return (await session.scalars(_get(for_update), {"rx": prescription_id})).first()


@cache
def _lines() -> Select[Any]:
    return (select(PrescriptionLine).where(PrescriptionLine.prescription_id == bindparam("rx"))
            .order_by(PrescriptionLine.line_no))


async def lines(session: AsyncSession, prescription_id: uuid.UUID) -> Sequence[PrescriptionLine]:
    return (await session.scalars(_lines(), {"rx": prescription_id})).all()


async def replace_lines(session: AsyncSession, prescription_id: uuid.UUID,
                        new_lines: list[PrescriptionLine]) -> None:
    await session.execute(delete(PrescriptionLine)
                          .where(PrescriptionLine.prescription_id == prescription_id))
    session.add_all(new_lines)


async def issues(session: AsyncSession, prescription_id: uuid.UUID,
                 revision: int | None = None) -> Sequence[PrescriptionIssue]:
    query = select(PrescriptionIssue).where(PrescriptionIssue.prescription_id == prescription_id)
    if revision is not None:
        query = query.where(PrescriptionIssue.revision == revision)
    return (await session.scalars(query.order_by(PrescriptionIssue.level.desc()))).all()


@cache
def _transitions() -> Select[Any]:
    return (select(PrescriptionTransition)
            .where(PrescriptionTransition.prescription_id == bindparam("rx"))
            .order_by(PrescriptionTransition.id))


async def transitions(session: AsyncSession,
                      prescription_id: uuid.UUID) -> Sequence[PrescriptionTransition]:
    return (await session.scalars(_transitions(), {"rx": prescription_id})).all()


@dataclass(frozen=True)
class By:
    """Who makes a transition, from which workstation (for the status history)."""

    id: uuid.UUID | None
    name: str | None
    role: str | None
    workstation: str | None

    @classmethod
    def of(cls, ctx: RequestContext, role: str) -> By:
        principal = ctx.principal
        return cls(principal.id if principal else None, principal.name if principal else None,
                   role, ctx.workstation)


_TABLE = cast(Table, Prescription.__table__)


@cache
def _compare_and_set() -> Update:
    """Built once: every status change of every prescription runs it. On the table, not the
    entity: the loaded object is brought in step by hand (no synchronisation wanted)."""
    t = _TABLE.c
    return (update(_TABLE)
            .where(t.id == bindparam("rx"), t.status == bindparam("from_status"),
                   t.version == bindparam("from_version"))
            .values(status=bindparam("to_status"), status_changed_at=bindparam("at"),
                    version=t.version + 1)
            .returning(t.version))


async def transition(session: AsyncSession, prescription: Prescription, target: Status, *,
                     by: By, reason: str | None, now: datetime) -> None:
    """Move to `target` only if the row is still where this transaction read it.

    The UPDATE's WHERE on status and version is the compare-and-set: of two concurrent
    conflicting moves the second finds no row and gets 409, whichever process it runs in.
    """
    check_transition(prescription.status, target)
    # Pending changes first: their flush bumps the version the compare-and-set compares with.
    await session.flush()
    result = await session.execute(_compare_and_set(), {
        "rx": prescription.id, "from_status": prescription.status,
        "from_version": prescription.version, "to_status": target.value, "at": now})
    row = result.first()
    if row is None:
        raise InvalidTransition("处方已被他人处理，请刷新后重试")
    session.add(PrescriptionTransition(
        prescription_id=prescription.id, org_id=prescription.org_id,
        from_status=prescription.status, to_status=target.value, actor_id=by.id,
        actor_name=by.name, actor_role=by.role, workstation=by.workstation, reason=reason))
    # Keep the loaded object in step without another SELECT.
    set_committed_value(prescription, "status", target.value)
    set_committed_value(prescription, "version", row[0])
    set_committed_value(prescription, "status_changed_at", now)


def advance(session: AsyncSession, prescription: Prescription,
            steps: Sequence[tuple[Status, str | None]], *, by: By, now: datetime) -> None:
    """Several moves the server makes at once (submit: submitted, automatically checked,
    under review), written with the transaction's other changes in one UPDATE.

    The row's version column makes that UPDATE the compare-and-set: every status change bumps
    the version, so a row still at the version this transaction read is still in the status it
    read; a concurrent move makes the flush fail (StaleDataError, answered 409)."""
    current = prescription.status
    for target, reason in steps:
        check_transition(current, target)
        session.add(PrescriptionTransition(
            prescription_id=prescription.id, org_id=prescription.org_id, from_status=current,
            to_status=target.value, actor_id=by.id, actor_name=by.name, actor_role=by.role,
            workstation=by.workstation, reason=reason))
        current = target.value
    prescription.status = current
    prescription.status_changed_at = now


@cache
def _products() -> Select[Any]:
    return select(CatalogueProduct).where(
        CatalogueProduct.id.in_(bindparam("ids", expanding=True)))


async def products(session: AsyncSession,
                   ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CatalogueProduct]:
    rows = (await session.scalars(_products(), {"ids": list(ids)})).all()
    return {row.id: row for row in rows}


@cache
def _allowed_classes() -> Select[Any]:
    return select(PrescribingRight.drug_class).where(
        PrescribingRight.department_id == bindparam("department"),
        PrescribingRight.title == bindparam("title"))


async def allowed_classes(session: AsyncSession, department_id: uuid.UUID | None,
                          title: str | None) -> frozenset[str]:
    if department_id is None or title is None:
        return frozenset()
    rows = (await session.scalars(_allowed_classes(),
                                  {"department": department_id, "title": title})).all()
    return frozenset(rows)


COUNT_CAP = 1_000


async def doctor_list(session: AsyncSession, doctor_id: uuid.UUID, *, status: str | None,
                      limit: int, offset: int) -> tuple[Sequence[Row[*tuple[Any, ...]]], int]:
    query = select(Prescription).where(Prescription.doctor_id == doctor_id)
    if status:
        query = query.where(Prescription.status == status)
    # A busy doctor has hundreds of thousands over the years: count up to a cap (a page
    # number beyond it is of no use to anyone), not all.
    total = (await session.execute(select(func.count()).select_from(
        query.with_only_columns(Prescription.id).limit(COUNT_CAP + 1).subquery()))).scalar_one()
    # With the patient's sealed name: the doctor's list says whose each prescription is.
    rows = (await session.execute(query.with_only_columns(*_SUMMARY_COLUMNS, Patient.name_enc)
                                  .outerjoin(Patient, Patient.id == Prescription.patient_id)
                                  .order_by(Prescription.created_at.desc())
                                  .limit(limit).offset(offset))).all()
    return rows, total


# What a list row shows (router.summary), as plain rows: not the rest of a prescription
# (signature, diagnoses, notes), nor an ORM object (and a loader for each column it leaves
# out) for each of fifty rows a page.
_SUMMARY_COLUMNS = (
    Prescription.id, Prescription.number, Prescription.version, Prescription.status,
    Prescription.patient_id, Prescription.visit_type, Prescription.total_amount,
    Prescription.worst_level, Prescription.created_at, Prescription.issued_at)


# -- review tasks ---------------------------------------------------------------------------

async def open_task(session: AsyncSession, prescription_id: uuid.UUID) -> ReviewTask | None:
    return (await session.scalars(select(ReviewTask).where(
        ReviewTask.prescription_id == prescription_id, ReviewTask.status == "open"))).first()


async def latest_task(session: AsyncSession, prescription_id: uuid.UUID) -> ReviewTask | None:
    return (await session.scalars(select(ReviewTask)
                                  .where(ReviewTask.prescription_id == prescription_id)
                                  .order_by(ReviewTask.created_at.desc()).limit(1))).first()


@cache
def _least_loaded(exclude: bool, levels: bool) -> Select[Any]:
    load = (select(func.count(ReviewTask.id)).where(ReviewTask.assigned_to_id == StaffUser.id,
                                                    ReviewTask.status == "open")
            .correlate(StaffUser).scalar_subquery())
    # Every class on the prescription is one this pharmacist's level may review.
    covered = text("""NOT EXISTS (SELECT 1 FROM unnest(CAST(:classes AS varchar[])) AS c(cls)
                      WHERE NOT EXISTS (SELECT 1 FROM reviewing_right r
                                        WHERE r.level = staff_user.pharmacist_level
                                          AND r.drug_class = c.cls))""")
    query = (select(PharmacistDuty.user_id)
             .join(StaffUser, StaffUser.id == PharmacistDuty.user_id)
             .where(PharmacistDuty.on_duty.is_(True), StaffUser.org_id == bindparam("org"),
                    StaffUser.status == "active",
                    literal("pharmacist") == any_(StaffUser.roles), covered)
             .order_by(load, func.random()).limit(1)
             .with_for_update(of=PharmacistDuty, read=True, key_share=True))
    if exclude:
        query = query.where(StaffUser.id != bindparam("exclude"))
    if levels:
        query = query.where(StaffUser.pharmacist_level.in_(bindparam("levels", expanding=True)))
    return query


async def assign_least_loaded(session: AsyncSession, *, org_id: uuid.UUID,
                              drug_classes: list[str],
                              exclude: uuid.UUID | None = None,
                              levels: Sequence[str] | None = None) -> uuid.UUID | None:
    """Choose the on-duty pharmacist of `org_id` whose level may review every class, with the
    fewest open tasks, at random among equals (the statement is built once: it runs on every
    submit).

    A read, not a write: stamping the chosen pharmacist's duty row (as an earlier version did,
    to break ties by who was assigned longest ago) held that row locked to the commit, so
    concurrent submits queued behind one another on it. The key-share lock taken here waits
    for nobody but a pharmacist going on or off duty (`duty(..., for_update=True)`), and then
    sees their new state."""
    params: dict[str, object] = {"org": org_id, "classes": drug_classes}
    if exclude is not None:
        params["exclude"] = exclude
    if levels is not None:
        params["levels"] = list(levels)
    return (await session.execute(_least_loaded(exclude is not None, levels is not None),
                                  params)).scalar_one_or_none()


async def duty(session: AsyncSession, user_id: uuid.UUID, *,
               for_update: bool = False) -> PharmacistDuty | None:
    """`for_update`: locked against assignments until the commit (going on or off duty)."""
    return await session.get(PharmacistDuty, user_id, with_for_update=for_update or None)


async def open_tasks_of(session: AsyncSession, user_id: uuid.UUID) -> Sequence[ReviewTask]:
    return (await session.scalars(select(ReviewTask).where(
        ReviewTask.assigned_to_id == user_id, ReviewTask.status == "open")
        .with_for_update(skip_locked=True))).all()


async def unassigned_tasks(session: AsyncSession, org_id: uuid.UUID) -> Sequence[ReviewTask]:
    return (await session.scalars(select(ReviewTask).where(
        ReviewTask.org_id == org_id, ReviewTask.assigned_to_id.is_(None),
        ReviewTask.status == "open").order_by(ReviewTask.due_at)
        .with_for_update(skip_locked=True))).all()


async def overdue_tasks(session: AsyncSession, now: datetime) -> Sequence[ReviewTask]:
    return (await session.scalars(select(ReviewTask).where(
        ReviewTask.status == "open", ReviewTask.due_at < now,
        ReviewTask.escalated_at.is_(None)).with_for_update(skip_locked=True))).all()


@cache
def _queue() -> tuple[Select[int], Select[ReviewTask, str, str]]:
    """(count, page), built once: every pharmacist's workstation polls its queue. The page's
    tasks are chosen and sorted on review_task alone, and only they are joined to their
    prescriptions: a pharmacist with hundreds of open tasks (after the whole bench) no longer
    costs a prescription lookup for each. Of the prescription, only what a queue row shows:
    not its signature, diagnoses and notes, row after row."""
    # The severity order of server/checks/levels.py (not-checked above blue).
    rank = text("CASE review_task.worst_level WHEN 3 THEN 5 WHEN 2 THEN 4 WHEN 4 THEN 3 "
                "WHEN 1 THEN 2 WHEN 0 THEN 0 ELSE 1 END DESC")
    mine = and_(ReviewTask.assigned_to_id == bindparam("user"), ReviewTask.status == "open")
    count = select(func.count()).select_from(select(ReviewTask.id).where(mine).subquery())
    chosen = (select(ReviewTask.id).where(mine).order_by(rank, ReviewTask.due_at)
              .limit(bindparam("limit")).offset(bindparam("offset")))
    page = (select(ReviewTask, Prescription.number, Prescription.visit_type)
            .join(Prescription, Prescription.id == ReviewTask.prescription_id)
            .where(ReviewTask.id.in_(chosen.scalar_subquery()))
            .order_by(rank, ReviewTask.due_at))
    return count, page


@dataclass(frozen=True)
class QueueRow:
    task: ReviewTask
    number: str
    visit_type: str


async def queue(session: AsyncSession, user_id: uuid.UUID, *, limit: int,
                offset: int) -> tuple[list[QueueRow], int]:
    """Open tasks assigned to the pharmacist: worst check level first, then nearest deadline.

    PASS levels are not ordered by number (4 orange sits between yellow 1 and red 2), so the
    query ranks them explicitly.
    """
    count, page = _queue()
    total = (await session.execute(count, {"user": user_id})).scalar_one()
    rows = (await session.execute(page, {"user": user_id, "limit": limit,
                                         "offset": offset})).all()
    return [QueueRow(task, number, visit_type) for task, number, visit_type in rows], total


async def templates_for(session: AsyncSession, *, owner_id: uuid.UUID,
                        department_id: uuid.UUID | None) -> Sequence[PrescriptionTemplate]:
    query = select(PrescriptionTemplate).where(
        (PrescriptionTemplate.owner_id == owner_id)
        | ((PrescriptionTemplate.scope == "department")
           & (PrescriptionTemplate.department_id == department_id)))
    return (await session.scalars(query.order_by(PrescriptionTemplate.name))).all()


async def department_templates(session: AsyncSession, department_id: uuid.UUID
                               ) -> Sequence[PrescriptionTemplate]:
    return (await session.scalars(select(PrescriptionTemplate).where(
        PrescriptionTemplate.scope == "department",
        PrescriptionTemplate.department_id == department_id)
        .order_by(PrescriptionTemplate.name))).all()


async def product_labels(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Generic name and specification of each product (for showing a template's lines)."""
    if not ids:
        return {}
    rows = await session.execute(select(CatalogueProduct.id, CatalogueProduct.generic_name,
                                        CatalogueProduct.specification)
                                 .where(CatalogueProduct.id.in_(ids)))
    return {r.id: f"{r.generic_name} {r.specification}" for r in rows}



async def decided_by(session: AsyncSession, user_id: uuid.UUID, *, limit: int, offset: int
                     ) -> tuple[Sequence[tuple[ReviewTask, Prescription]], int]:
    """The pharmacist's decisions, newest first (the "my reviews" history)."""
    where = (ReviewTask.decided_by_id == user_id, ReviewTask.status == "decided")
    total = (await session.execute(select(func.count()).select_from(
        select(ReviewTask.id).where(*where).limit(COUNT_CAP + 1).subquery()))).scalar_one()
    rows = (await session.execute(
        select(ReviewTask, Prescription)
        .join(Prescription, Prescription.id == ReviewTask.prescription_id)
        .where(*where).order_by(ReviewTask.decided_at.desc()).limit(limit).offset(offset))).all()
    return [(r[0], r[1]) for r in rows], total


async def open_tasks_in(session: AsyncSession, org_id: uuid.UUID, *, limit: int, offset: int
                        ) -> tuple[Sequence[tuple[ReviewTask, Prescription, str | None]], int]:
    """Every open task of a hospital with its assignee's name, nearest deadline first."""
    where = (ReviewTask.org_id == org_id, ReviewTask.status == "open")
    total = (await session.execute(select(func.count()).select_from(
        select(ReviewTask.id).where(*where).subquery()))).scalar_one()
    rows = (await session.execute(
        select(ReviewTask, Prescription, StaffUser.display_name)
        .join(Prescription, Prescription.id == ReviewTask.prescription_id)
        .outerjoin(StaffUser, StaffUser.id == ReviewTask.assigned_to_id)
        .where(*where).order_by(ReviewTask.due_at).limit(limit).offset(offset))).all()
    return [(r[0], r[1], r[2]) for r in rows], total


async def approvals_to_check(session: AsyncSession, org_id: uuid.UUID, *,
                             exclude_decider: uuid.UUID, pending: bool, limit: int, offset: int
                             ) -> tuple[Sequence[tuple[ReviewTask, Prescription, str]], int]:
    """Approvals of a hospital by others, newest first: not spot-checked yet (`pending`), or
    already checked."""
    where = [ReviewTask.org_id == org_id, ReviewTask.decision == "approved",
             ReviewTask.decided_by_id != exclude_decider,
             ReviewTask.spot_check.is_(None) if pending else ReviewTask.spot_check.is_not(None)]
    total = (await session.execute(select(func.count()).select_from(
        select(ReviewTask.id).where(*where).limit(COUNT_CAP + 1).subquery()))).scalar_one()
    rows = (await session.execute(
        select(ReviewTask, Prescription, StaffUser.display_name)
        .join(Prescription, Prescription.id == ReviewTask.prescription_id)
        .join(StaffUser, StaffUser.id == ReviewTask.decided_by_id)
        .where(*where).order_by(ReviewTask.decided_at.desc()).limit(limit).offset(offset))).all()
    return [(r[0], r[1], r[2]) for r in rows], total


async def pharmacists_in(session: AsyncSession, org_id: uuid.UUID
                         ) -> Sequence[tuple[StaffUser, bool, int]]:
    """Active pharmacists of a hospital with their duty and their number of open tasks."""
    load = (select(func.count(ReviewTask.id)).where(ReviewTask.assigned_to_id == StaffUser.id,
                                                    ReviewTask.status == "open")
            .correlate(StaffUser).scalar_subquery())
    rows = (await session.execute(
        select(StaffUser, func.coalesce(PharmacistDuty.on_duty, False), load)
        .outerjoin(PharmacistDuty, PharmacistDuty.user_id == StaffUser.id)
        .where(StaffUser.org_id == org_id, StaffUser.status == "active",
               literal("pharmacist") == any_(StaffUser.roles))
        .order_by(StaffUser.display_name))).all()
    return [(r[0], bool(r[1]), int(r[2])) for r in rows]


async def annotations_of(session: AsyncSession, task_id: uuid.UUID) -> Sequence[ReviewAnnotation]:
    return (await session.scalars(select(ReviewAnnotation)
                                  .where(ReviewAnnotation.task_id == task_id)
                                  .order_by(ReviewAnnotation.at))).all()
