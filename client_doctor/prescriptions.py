"""The doctor's own prescriptions ("我的处方"), kept current by live events, without Qt.

The list comes from `GET /prescriptions`; a `prescription.status` event changes the status of
its row at once (the payload carries the new status and, for a review decision, the reason),
and names the prescription whose details the view then reads again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from common.api.models import LiveEvent, Prescription, PrescriptionSummary

STATUS_EVENT = "prescription.status"
# The server's words for its statuses (server/prescriptions/lifecycle.py STATUS_LABELS), for a
# status an event announces before the prescription is read again.
STATUS_LABELS = {
    "draft": "草稿", "submitted": "已提交", "auto_checked": "已自动审核",
    "under_review": "药师审核中", "approved": "审核通过",
    "awaiting_patient_choice": "待患者选择药店", "ordered": "已下单（锁定药店）",
    "accepted": "药店已接单", "dispensing": "调配中", "partly_dispensed": "部分发药",
    "ready_for_pickup": "待取药", "dispatched": "已发货", "collected": "已取药",
    "delivered": "已送达", "settled": "已结算", "rejected": "审核驳回", "voided": "已作废",
    "expired": "已过期", "not_dispensed": "未发药",
}
# What the doctor may still do, by status (the server has the last word and says why not).
REVISABLE = frozenset({"draft", "rejected"})
FINISHED = frozenset({"voided", "expired", "collected", "delivered", "settled",
                      "not_dispensed", "dispensing", "partly_dispensed", "ready_for_pickup",
                      "dispatched"})


@dataclass(frozen=True)
class Row:
    id: uuid.UUID
    number: str
    status: str
    status_label: str
    patient_id: uuid.UUID
    total_amount: Decimal
    created_at: datetime
    reason: str | None = None  # a rejection's reason, as the pharmacist gave it

    @classmethod
    def of(cls, item: PrescriptionSummary | Prescription) -> Row:
        reason = rejection_reason(item) if isinstance(item, Prescription) else None
        return cls(item.id, item.number, item.status, item.status_label, item.patient_id,
                   item.total_amount, item.created_at, reason)


def rejection_reason(rx: Prescription) -> str | None:
    """Why the pharmacist sent it back (only while it is rejected)."""
    if rx.status != "rejected":
        return None
    for transition in reversed(rx.transitions):
        if transition.to_status == "rejected" and transition.reason:
            return transition.reason
    review = rx.review or {}
    return review.get("reason_text")


def can_revise(status: str) -> bool:
    return status in REVISABLE


def can_void(status: str) -> bool:
    return status not in FINISHED


def can_reissue(status: str) -> bool:
    return status not in FINISHED or status == "voided"


class PrescriptionList:
    def __init__(self) -> None:
        self._rows: dict[uuid.UUID, Row] = {}
        self.details: dict[uuid.UUID, Prescription] = {}

    def load(self, items: Iterable[PrescriptionSummary]) -> None:
        fresh = {item.id: Row.of(item) for item in items}
        for row_id, row in fresh.items():
            known = self._rows.get(row_id)
            if known is not None and known.reason and row.status == known.status:
                fresh[row_id] = replace(row, reason=known.reason)
        self._rows = fresh

    def rows(self) -> list[Row]:
        """Newest first."""
        return sorted(self._rows.values(), key=lambda r: r.created_at, reverse=True)

    def row(self, prescription_id: uuid.UUID) -> Row | None:
        return self._rows.get(prescription_id)

    def is_current(self, rx: Prescription) -> bool:
        """False for details older than those known: answers can arrive out of order (a read
        started before a void answers after the void did)."""
        known = self.details.get(rx.id)
        return known is None or rx.version >= known.version

    def upsert(self, rx: Prescription) -> Row:
        self.details[rx.id] = rx
        row = Row.of(rx)
        self._rows[rx.id] = row
        return row

    def apply_event(self, event: LiveEvent) -> uuid.UUID | None:
        """A live event: the prescription it changed (to read again), or None if not ours."""
        if event.type != STATUS_EVENT:
            return None
        try:
            prescription_id = uuid.UUID(str(event.payload.get("id") or event.entity_id))
        except ValueError:
            return None
        status = str(event.payload.get("status") or "")
        row = self._rows.get(prescription_id)
        if row is not None and status:
            reason = None
            if status == "rejected":
                reason = str(event.payload.get("reason_text") or "") or None
            self._rows[prescription_id] = replace(
                row, status=status, status_label=STATUS_LABELS.get(status, status),
                reason=reason)
        return prescription_id
