"""The prescription lifecycle (../shared/DOMAIN.md section 2) as data: statuses, the transitions
allowed between them, and the statuses patients see (after NHS Prescription Status Update).

Every change of status goes through `server/prescriptions/repository.transition`, which applies it
only if the row is still in the status the caller read (compare-and-set), so of two concurrent
conflicting transitions exactly one wins and the other gets 409.
"""

from __future__ import annotations

from enum import StrEnum

from server.core.errors import Conflict


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # signed and sent; automatic checks run
    AUTO_CHECKED = "auto_checked"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    AWAITING_PATIENT_CHOICE = "awaiting_patient_choice"
    ORDERED = "ordered"  # pharmacy chosen, locked to it
    ACCEPTED = "accepted"
    DISPENSING = "dispensing"
    PARTLY_DISPENSED = "partly_dispensed"
    READY_FOR_PICKUP = "ready_for_pickup"
    DISPATCHED = "dispatched"
    COLLECTED = "collected"
    DELIVERED = "delivered"
    SETTLED = "settled"
    REJECTED = "rejected"  # by the pharmacist, back to the doctor
    VOIDED = "voided"  # by the doctor, before dispensing
    EXPIRED = "expired"
    NOT_DISPENSED = "not_dispensed"


STATUS_LABELS = {
    Status.DRAFT: "草稿", Status.SUBMITTED: "已提交", Status.AUTO_CHECKED: "已自动审核",
    Status.UNDER_REVIEW: "药师审核中", Status.APPROVED: "审核通过",
    Status.AWAITING_PATIENT_CHOICE: "待患者选择药店", Status.ORDERED: "已下单（锁定药店）",
    Status.ACCEPTED: "药店已接单", Status.DISPENSING: "调配中", Status.PARTLY_DISPENSED: "部分发药",
    Status.READY_FOR_PICKUP: "待取药", Status.DISPATCHED: "已发货", Status.COLLECTED: "已取药",
    Status.DELIVERED: "已送达", Status.SETTLED: "已结算", Status.REJECTED: "审核驳回",
    Status.VOIDED: "已作废", Status.EXPIRED: "已过期", Status.NOT_DISPENSED: "未发药",
}

S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.VOIDED}),
    S.SUBMITTED: frozenset({S.AUTO_CHECKED, S.VOIDED}),
    S.AUTO_CHECKED: frozenset({S.UNDER_REVIEW, S.VOIDED}),
    S.UNDER_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.VOIDED}),
    S.REJECTED: frozenset({S.SUBMITTED, S.VOIDED}),  # revised and re-signed
    S.APPROVED: frozenset({S.AWAITING_PATIENT_CHOICE, S.VOIDED, S.EXPIRED}),
    S.AWAITING_PATIENT_CHOICE: frozenset({S.ORDERED, S.VOIDED, S.EXPIRED}),
    # An order's lock is released when the pharmacy returns it or does not accept in time.
    S.ORDERED: frozenset({S.ACCEPTED, S.AWAITING_PATIENT_CHOICE, S.VOIDED, S.EXPIRED}),
    S.ACCEPTED: frozenset({S.DISPENSING, S.AWAITING_PATIENT_CHOICE, S.VOIDED}),
    S.DISPENSING: frozenset({S.PARTLY_DISPENSED, S.READY_FOR_PICKUP, S.DISPATCHED,
                             S.NOT_DISPENSED}),
    S.PARTLY_DISPENSED: frozenset({S.DISPENSING, S.READY_FOR_PICKUP, S.DISPATCHED,
                                   S.NOT_DISPENSED}),
    S.READY_FOR_PICKUP: frozenset({S.COLLECTED}),
    S.DISPATCHED: frozenset({S.DELIVERED}),
    S.COLLECTED: frozenset({S.SETTLED}),
    S.DELIVERED: frozenset({S.SETTLED}),
    S.SETTLED: frozenset(),
    S.VOIDED: frozenset(),
    S.EXPIRED: frozenset(),
    S.NOT_DISPENSED: frozenset({S.SETTLED}),
}

# Statuses in which the doctor may still void (only before dispensing).
VOIDABLE = frozenset(s for s, targets in TRANSITIONS.items() if S.VOIDED in targets)
# Statuses whose content the doctor may still change.
EDITABLE = frozenset({S.DRAFT, S.REJECTED})

# Patient-facing vocabulary (NHS Prescription Status Update), in Chinese first.
PATIENT_STATUS = {
    S.APPROVED: ("待选择药店", "Awaiting choice"),
    S.AWAITING_PATIENT_CHOICE: ("待选择药店", "Awaiting choice"),
    S.ORDERED: ("药店处理中", "With Pharmacy"),
    S.ACCEPTED: ("药店处理中", "With Pharmacy"),
    S.DISPENSING: ("药店处理中", "With Pharmacy"),
    S.PARTLY_DISPENSED: ("药店处理中", "With Pharmacy"),
    S.READY_FOR_PICKUP: ("可取药", "Ready to Collect"),
    S.DISPATCHED: ("已发货", "Dispatched"),
    S.COLLECTED: ("已取药", "Collected"),
    S.DELIVERED: ("已送达", "Collected"),
    S.NOT_DISPENSED: ("未发药", "Not Dispensed"),
}
READY_TO_DISPATCH = ("待发货", "Ready to Dispatch")


def patient_facing(status: Status, *, awaits_dispatch: bool = False) -> tuple[str, str] | None:
    """(Chinese, NHS) as patients are told it; `awaits_dispatch` when the order is dispensed
    and checked but not out yet (the prescription's status is still "dispensing" then)."""
    if awaits_dispatch and status in (S.DISPENSING, S.PARTLY_DISPENSED):
        return READY_TO_DISPATCH
    return PATIENT_STATUS.get(status)


class InvalidTransition(Conflict):
    default_detail = "处方当前状态不允许此操作"


def check_transition(current: str, target: Status) -> None:
    if target not in TRANSITIONS[Status(current)]:
        raise InvalidTransition(
            f"处方当前状态为「{STATUS_LABELS[Status(current)]}」，不能变为「{STATUS_LABELS[target]}」",
            current_status=current, target_status=target.value)
