"""Fixtures of the patients tests: logged-in headers per demo account, a new patient's data,
and the audit log read through the schema owner (the server's role cannot change it, and
tests should not depend on its row-level scope)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from installers.database import DatabaseUrls
from server.core.clock import FakeClock
from server.personal_data.id_number import make_id_number
from server.seed.demo import DemoGroup
from tests.helpers import login

HeadersFor = Callable[[str], Awaitable[dict[str, str]]]

# A fictional patient who is not in the demo seed (Beijing, Chaoyang district).
NEW_ID_NUMBER = make_id_number("110105", date(1990, 3, 7), 123)  # odd sequence: a man
NEW_PATIENT: dict[str, Any] = {
    "name": "欧阳明远",
    "id_number": NEW_ID_NUMBER,
    "phone": "13912345678",
    "address": "北京市朝阳区建国路88号3单元502室",
    "insurance_card": "110105900307123",
    "hospital_card": "H199887766",
    "weight_kg": "72.5",
}


@pytest.fixture
def headers_for(client: httpx.AsyncClient, demo: DemoGroup, clock: FakeClock) -> HeadersFor:
    """Log a demo account in (once per test) and return its Authorization header."""
    cache: dict[str, dict[str, str]] = {}

    async def headers(username: str) -> dict[str, str]:
        if username not in cache:
            cache[username] = await login(client, demo.account(username), clock)
        return cache[username]

    return headers


@pytest.fixture
def owner_engine(db: DatabaseUrls) -> Iterator[Engine]:
    engine = create_engine(db.owner)
    yield engine
    engine.dispose()


def audit_events(engine: Engine, action: str, entity_id: str | None = None) -> list[Any]:
    sql = "SELECT * FROM audit_event WHERE action = :action"
    params: dict[str, Any] = {"action": action}
    if entity_id is not None:
        sql += " AND entity_id = :entity_id"
        params["entity_id"] = entity_id
    with engine.connect() as conn:
        return list(conn.execute(text(sql + " ORDER BY seq"), params).mappings())


def demo_patient(demo: DemoGroup, name: str) -> dict[str, str]:
    return next(p for p in demo.patients if p["name"] == name)
