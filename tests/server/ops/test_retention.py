"""Retention of working rows: stored answers, login codes and delivered messages go after their
time; records, dead letters and young rows stay; a round that removed something is audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI

from installers.database import DatabaseUrls
from server.core import jobs
from server.core.clock import FakeClock
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
    assert removed == {"idempotency_record": 1, "patient_sms_code": 1, "outbox_message": 1}
    assert sql(db.owner, "SELECT key FROM idempotency_record") == [("young",)]
    assert len(sql(db.owner, "SELECT 1 FROM patient_sms_code")) == 1
    assert sorted(sql(db.owner, "SELECT status FROM outbox_message")) == [
        ("dead",), ("delivered",)]
    [event] = audit_rows(db.owner, f"action = '{JOB}'")
    assert event["summary"]["removed"] == removed

    again = await jobs.run_once(app.state.services, JOB, prune)
    assert not any(again.values())
    assert len(audit_rows(db.owner, f"action = '{JOB}'")) == 1  # an empty round is not noise
