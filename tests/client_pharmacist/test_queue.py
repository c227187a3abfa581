"""The queue presenter without Qt: severity order, deadlines on the workstation's clock, the
next task, and what each live event means."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from client_pharmacist.queue import (
    EventEffect,
    QueueModel,
    effect_of,
    event_task_id,
    severity,
)
from common.api.models import LiveEvent, QueueItem
from common.events import resync_event

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def item(level: int | None, seconds_left: int, number: str = "RX1") -> QueueItem:
    return QueueItem.model_validate({
        "task": {"id": str(uuid.uuid4()), "version": 1, "prescription_id": str(uuid.uuid4()),
                 "status": "open", "revision": 1, "drug_classes": ["ordinary"],
                 "worst_level": level, "due_at": "2026-05-01T00:00:00Z"},
        "prescription_number": number, "visit_type": "outpatient",
        "overdue": seconds_left <= 0, "seconds_left": seconds_left})


def event(kind: str, task_id: uuid.UUID | None) -> LiveEvent:
    return LiveEvent.model_validate({
        "id": 1, "type": kind, "created_at": NOW.isoformat(), "org_id": str(uuid.uuid4()),
        "entity_type": "review_task", "payload": {"task_id": str(task_id) if task_id else None}})


class TestSeverity:
    def test_pass_levels_rank_by_severity_not_by_number(self):
        ordered = sorted([0, 1, 2, 3, 4, -1], key=severity, reverse=True)
        assert ordered == [3, 2, 4, 1, -1, 0]
        # Not checked ranks above a clean blue; no hit at all is blue.
        assert severity(-2) > severity(0) and severity(None) == severity(0)


class TestQueueModel:
    def test_worst_level_first_then_least_time_left(self):
        model = QueueModel(lambda: NOW)
        model.replace([item(0, 60, "blue"), item(4, 600, "orange-late"),
                       item(2, 900, "red"), item(4, 120, "orange-soon"), item(-1, 30, "nc")])
        assert [r.prescription_number for r in model.rows] == [
            "red", "orange-soon", "orange-late", "nc", "blue"]

    def test_deadlines_are_anchored_to_the_workstations_clock(self):
        # The server's due_at (midnight) is ignored: its seconds_left is what counts, so a
        # workstation whose clock is off still counts down the server's time limit.
        model = QueueModel(lambda: NOW)
        model.replace([item(0, 300), item(0, -60)])
        assert [r.deadline for r in model.rows] == [NOW - timedelta(seconds=60),
                                                     NOW + timedelta(seconds=300)]
        assert [r.prescription_number for r in model.overdue()] == ["RX1"]
        assert len(model.overdue()) == 1

    def test_next_task_follows_the_queue_order(self):
        model = QueueModel(lambda: NOW)
        model.replace([item(2, 60, "a"), item(1, 60, "b"), item(0, 60, "c")])
        a, b, c = model.rows
        assert model.next_after(None) == a
        assert model.next_after(a.task_id) == b
        assert model.next_after(c.task_id) == a  # from the last, back to the top
        assert model.next_after(uuid.uuid4()) == a  # one that left the queue
        model.replace([item(0, 60, "only")])
        assert model.next_after(model.rows[0].task_id) is None

    def test_remove(self):
        model = QueueModel(lambda: NOW)
        model.replace([item(0, 60), item(1, 60)])
        gone = model.rows[0].task_id
        assert model.remove(gone) and model.total == 1
        assert not model.remove(gone) and model.find(gone) is None


class TestEvents:
    def test_what_each_event_means_for_the_queue(self):
        task = uuid.uuid4()
        assert effect_of(event("review.task_assigned", task)) is EventEffect.REFRESH
        for kind in ("review.task_released", "review.task_decided", "review.task_cancelled"):
            assert effect_of(event(kind, task)) is EventEffect.REMOVE
        assert effect_of(event("prescription.status", task)) is EventEffect.IGNORE
        assert effect_of(resync_event(1)) is EventEffect.REFRESH  # events were missed
        assert event_task_id(event("review.task_released", task)) == task
        assert event_task_id(event("review.task_released", None)) is None
