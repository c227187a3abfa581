"""Fixtures of the clinical-record tests: logged-in headers, demo patients by name, and the
database reached as the schema owner and as the server's own role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from installers.database import DatabaseUrls
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.helpers import login

HeadersFor = Callable[[str], Awaitable[dict[str, str]]]

DOCTOR = "doctor_wang"  # H1, internal medicine
OTHER_HOSPITAL_DOCTOR = "doctor_sun"  # H2
PHARMACIST = "pharm_chen"  # H1: reads patients, does not write
STORE = "store_kangning"  # a pharmacy: no patient rights


@pytest.fixture
def headers_for(client: httpx.AsyncClient, demo: DemoGroup, clock: FakeClock) -> HeadersFor:
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


def patient_id(demo: DemoGroup, name: str) -> str:
    return next(p["id"] for p in demo.patients if p["name"] == name)


def product_id(engine: Engine, generic_name: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text(
            "SELECT id FROM catalogue_product WHERE generic_name = :n ORDER BY id LIMIT 1"),
            {"n": generic_name}).scalar_one())


async def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
