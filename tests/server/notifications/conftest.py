"""Helpers for notification tests: the app's simulated gateway and the outbox rows."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI

from installers.database import DatabaseUrls
from server.notifications.gateway import SimulatedSmsGateway
from server.seed.demo import DemoGroup
from tests.helpers import audit_rows, sql


def gateway_of(app: FastAPI) -> SimulatedSmsGateway:
    gateway = app.state.services.notification_gateway
    assert isinstance(gateway, SimulatedSmsGateway)
    return gateway


def demo_patient(demo: DemoGroup, name: str) -> dict[str, str]:
    return next(p for p in demo.patients if p["name"] == name)


def outbox(db: DatabaseUrls, where: str = "true",
           params: tuple[object, ...] = ()) -> list[dict[str, Any]]:
    columns = ("id", "patient_id", "prescription_id", "template", "status", "attempts", "text",
               "destination_masked", "body_enc", "last_error", "gateway_message_id",
               "next_attempt_at", "sent_at")
    rows = sql(db.owner, f"SELECT {', '.join(columns)} FROM notification WHERE {where}"  # noqa: S608
                         " ORDER BY created_at, id", params)
    return [dict(zip(columns, row, strict=True)) for row in rows]


@pytest.fixture
def gateway(app: FastAPI) -> SimulatedSmsGateway:
    return gateway_of(app)


@pytest.fixture
def li_na(demo: DemoGroup) -> dict[str, str]:
    return demo_patient(demo, "李娜")


def patient_uuid(patient: dict[str, str]) -> uuid.UUID:
    return uuid.UUID(patient["id"])


def audit(db: DatabaseUrls, where: str) -> list[dict[str, Any]]:
    """Audit events matching `where`, typed for indexing into their summaries."""
    return [dict(row) for row in audit_rows(db.owner, where)]


def blob(value: object) -> bytes:
    assert isinstance(value, bytes | memoryview), type(value)
    return bytes(value)
