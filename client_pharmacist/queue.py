"""The review queue without Qt: rows, their order, their deadlines, and what a live event means
for the queue.

Deadlines are anchored to the workstation's clock: the server says how many seconds are left
when it answers, and the deadline shown is the time of that answer plus those seconds. A
workstation whose clock is a few minutes off (common on hospital desktops) then still counts
down the server's time limit, not its own idea of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from common.api.models import LiveEvent, QueueItem
from common.events import RESYNC

# PASS levels by severity, worst highest (DOMAIN.md section 4: 4 orange sits between 1 and 2).
# "Not checked" (negative) ranks above blue: an unknown needs a look.
_SEVERITY = {3: 5, 2: 4, 4: 3, 1: 2, 0: 0}
NOT_CHECKED_SEVERITY = 1


def shown_level(level: int | None) -> int:
    """A task's worst level as shown. None means no check found anything: every check ran
    (one that could not run leaves a negative "not checked" hit), so it is blue."""
    return 0 if level is None else level


def severity(level: int | None) -> int:
    """Higher is worse; use this, never `<` on the level numbers."""
    return _SEVERITY.get(shown_level(level), NOT_CHECKED_SEVERITY)


@dataclass(frozen=True)
class QueueRow:
    task_id: uuid.UUID
    version: int
    prescription_id: uuid.UUID
    prescription_number: str
    visit_type: str
    worst_level: int | None
    drug_classes: tuple[str, ...]
    deadline: datetime  # on the workstation's clock
    escalated: bool
    assigned_to_name: str | None = None  # the hospital-wide list of seniors

    def overdue(self, now: datetime) -> bool:
        return self.deadline <= now


def row_from(item: QueueItem, received_at: datetime, *,
             assigned_to_name: str | None = None) -> QueueRow:
    task = item.task
    return QueueRow(
        task_id=task.id, version=task.version, prescription_id=task.prescription_id,
        prescription_number=item.prescription_number, visit_type=item.visit_type,
        worst_level=task.worst_level, drug_classes=tuple(task.drug_classes),
        deadline=received_at + timedelta(seconds=item.seconds_left),
        escalated=task.escalated_at is not None, assigned_to_name=assigned_to_name)


def sort_rows(rows: Iterable[QueueRow]) -> list[QueueRow]:
    """Worst check level first, then the least time left (as the server orders the queue)."""
    return sorted(rows, key=lambda r: (-severity(r.worst_level), r.deadline))


class EventEffect(StrEnum):
    IGNORE = "ignore"
    REFRESH = "refresh"  # something arrived: read the queue again
    REMOVE = "remove"  # a task left this queue: drop it now, then read again


# review.task_assigned: a new task for me. The others: a task left my queue (another
# pharmacist decided it, a senior reassigned it, it escalated, the doctor withdrew it).
# A resync: events the workstation missed were pruned on the server, whatever they were.
_EFFECTS = {
    "review.task_assigned": EventEffect.REFRESH,
    RESYNC: EventEffect.REFRESH,
    "review.task_released": EventEffect.REMOVE,
    "review.task_decided": EventEffect.REMOVE,
    "review.task_cancelled": EventEffect.REMOVE,
}


def effect_of(event: LiveEvent) -> EventEffect:
    return _EFFECTS.get(event.type, EventEffect.IGNORE)


def event_task_id(event: LiveEvent) -> uuid.UUID | None:
    raw = event.payload.get("task_id") or event.entity_id
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


class QueueModel:
    """The rows the queue shows, in order; which one is open; what comes next."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self.rows: list[QueueRow] = []
        self.total = 0

    def replace(self, items: Iterable[QueueItem], total: int | None = None) -> None:
        now = self._clock()
        self.rows = sort_rows(row_from(item, now) for item in items)
        self.total = len(self.rows) if total is None else total

    def remove(self, task_id: uuid.UUID) -> bool:
        before = len(self.rows)
        self.rows = [r for r in self.rows if r.task_id != task_id]
        self.total -= before - len(self.rows)
        return len(self.rows) != before

    def find(self, task_id: uuid.UUID) -> QueueRow | None:
        return next((r for r in self.rows if r.task_id == task_id), None)

    def next_after(self, task_id: uuid.UUID | None) -> QueueRow | None:
        """The task to open next (Ctrl+N): the one after `task_id` in queue order, else the
        first other one; None when nothing else is waiting."""
        others = [r for r in self.rows if r.task_id != task_id]
        if not others:
            return None
        ids = [r.task_id for r in self.rows]
        if task_id in ids:
            following = self.rows[ids.index(task_id) + 1:]
            if following:
                return following[0]
        return others[0]

    def overdue(self) -> list[QueueRow]:
        now = self._clock()
        return [r for r in self.rows if r.overdue(now)]
