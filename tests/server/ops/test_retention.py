"""Retention of working rows: stored answers, login codes, delivered messages and live events go
after their time; records, dead letters and young rows stay; a round that removed something is
audited. Pruned live events leave their horizon, which only ever rises."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI

from installers.database import DatabaseUrls
from server.core import jobs
from server.core.clock import FakeClock
from server.ops import retention
from server.ops.retention import JOB, prune
from tests.helpers import audit_rows, sql


def insert_rows(db: DatabaseUrls, clock: FakeClock) -> None:
    now = clock.now()
    for key, age in (("old", timedelta(days=31)), ("young", timedelta(days=29))):
        sql(db.owner, "INSERT INTO idempotency_record (principal, key, request_hash,"
            " status_code, response_body, content_type, created_at)"
            " VALUES ('user-1', %s, 'h', 200, '\\x00', 'application/json', %s)",
            (key, now - age))
    for expired in (timedelta(days=2), timedelta(hours=3)):
        sql(db.owner, "INSERT INTO patient_sms_code (id, id_number_bidx, created_at,"
            " expires_at, attempts) VALUES (%s, '\\x01', %s, %s, 0)",
            (uuid.uuid4(), now - expired - timedelta(minutes=5), now - expired))
    for status, age in (("delivered", 8), ("delivered", 1), ("dead", 30)):
        sql(db.owner, "INSERT INTO outbox_message (id, destination, topic, ordering_key,"
            " payload, status, attempts, next_attempt_at, created_at, delivered_at)"
            " VALUES (%s, 'his', 'RDS', 'k', '{}', %s, 1, %s, %s, %s)",
            (uuid.uuid4(), status, now - timedelta(days=age), now - timedelta(days=age),
             now - timedelta(days=age) if status == "delivered" else None))


async def test_a_round_removes_what_is_past_its_time_and_nothing_else(
        app: FastAPI, db: DatabaseUrls, clock: FakeClock) -> None:
    insert_rows(db, clock)
    removed = await jobs.run_once(app.state.services, JOB, prune)
    assert removed == {"idempotency_record": 1, "patient_sms_code": 1, "outbox_message": 1,
                       "live_event": 0}
    assert sql(db.owner, "SELECT key FROM idempotency_record") == [("young",)]
    assert len(sql(db.owner, "SELECT 1 FROM patient_sms_code")) == 1
    assert sorted(sql(db.owner, "SELECT status FROM outbox_message")) == [
        ("dead",), ("delivered",)]
    [event] = audit_rows(db.owner, f"action = '{JOB}'")
    assert event["summary"]["removed"] == removed

    again = await jobs.run_once(app.state.services, JOB, prune)
    assert not any(again.values())
    assert len(audit_rows(db.owner, f"action = '{JOB}'")) == 1  # an empty round is not noise


def insert_events(db: DatabaseUrls, clock: FakeClock, *ages: timedelta) -> list[int]:
    """Live events created `ages` ago, in this order (so in id order); their ids."""
    return [sql(db.owner, "INSERT INTO live_event (type, org_id, created_at)"
                " VALUES ('test.event', %s, %s) RETURNING id",
                (uuid.uuid4(), clock.now() - age))[0][0] for age in ages]


def horizon(db: DatabaseUrls) -> list[tuple[int]]:
    return sql(db.owner, "SELECT pruned_through FROM live_event_horizon")


OLD, YOUNG = timedelta(days=7, hours=1), timedelta(days=6, hours=23)


class TestLiveEvents:
    async def test_old_events_go_in_batches_and_the_horizon_follows(
            self, app: FastAPI, db: DatabaseUrls, clock: FakeClock,
            monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(retention, "BATCH", 2)
        ids = insert_events(db, clock, OLD, OLD, OLD, YOUNG, timedelta(0))
        assert horizon(db) == []  # nothing pruned yet

        first = await jobs.run_once(app.state.services, JOB, prune)
        assert first["live_event"] == 2
        assert horizon(db) == [(ids[1],)]
        second = await jobs.run_once(app.state.services, JOB, prune)
        assert second["live_event"] == 1
        assert horizon(db) == [(ids[2],)]
        assert sql(db.owner, "SELECT id FROM live_event ORDER BY id") == [(ids[3],), (ids[4],)]

        again = await jobs.run_once(app.state.services, JOB, prune)
        assert again["live_event"] == 0
        assert horizon(db) == [(ids[2],)]
        [event] = audit_rows(db.owner, f"action = '{JOB}' AND summary->'removed'->>'live_event'"
                                       " = '1'")
        assert event["summary"]["removed"]["live_event"] == 1

    async def test_the_retention_is_a_setting(self, app: FastAPI, db: DatabaseUrls,
                                              clock: FakeClock) -> None:
        app.state.services.settings.live_event_retention_days = 30
        insert_events(db, clock, OLD)
        assert (await jobs.run_once(app.state.services, JOB, prune))["live_event"] == 0

    async def test_the_horizon_never_falls(self, app: FastAPI, db: DatabaseUrls,
                                           clock: FakeClock) -> None:
        # Another server process pruned further and committed first.
        ids = insert_events(db, clock, OLD)
        sql(db.owner, "INSERT INTO live_event_horizon (id, pruned_through) VALUES (1, %s)",
            (ids[0] + 1000,))
        assert (await jobs.run_once(app.state.services, JOB, prune))["live_event"] == 1
        assert horizon(db) == [(ids[0] + 1000,)]

    async def test_concurrent_rounds_prune_each_event_once(
            self, app: FastAPI, db: DatabaseUrls, clock: FakeClock,
            monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(retention, "BATCH", 3)
        ids = insert_events(db, clock, *[OLD] * 5, YOUNG)
        services = app.state.services
        rounds = await asyncio.gather(*(jobs.run_once(services, JOB, prune) for _ in range(4)))
        # Rounds that read the same oldest ids wait for the first and find them gone.
        removed = sum(r["live_event"] for r in rounds)
        while (more := (await jobs.run_once(services, JOB, prune))["live_event"]):
            removed += more
        assert removed == 5
        assert horizon(db) == [(ids[4],)]
        assert sql(db.owner, "SELECT id FROM live_event") == [(ids[5],)]
