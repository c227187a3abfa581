"""Helpers for patient access tests: the demo kiosk, SMS codes read off the simulated gateway,
and prescriptions to print slips for (through the doctors' API)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.helpers import wait_until
from tests.server.clinic import Clinic, draft, line, sign_and_submit
from tests.server.notifications.conftest import demo_patient, gateway_of

_CODE = re.compile(r"验证码为(\d{6})")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def client_headers(client: httpx.AsyncClient, demo: DemoGroup,
                         client_id: str) -> dict[str, str]:
    found = next(c for c in demo.clients if c["client_id"] == client_id)
    r = await client.post("/auth/token", json={"client_id": client_id,
                                               "client_secret": found["client_secret"]})
    assert r.status_code == 200, r.text
    return bearer(r.json()["access_token"])


async def latest_code(app: FastAPI, phone: str, *, count: int) -> str:
    """The code of the `count`-th SMS to `phone`, once the delivery loop has sent it."""
    gateway = gateway_of(app)

    async def arrived() -> bool:
        return len(gateway.messages_to(phone)) >= count

    await wait_until(arrived, within=10, what=f"SMS number {count} to {phone}")
    match = _CODE.search(gateway.messages_to(phone)[count - 1].text)
    assert match, gateway.messages_to(phone)[count - 1].text
    return match.group(1)


@pytest.fixture
def li_na(demo: DemoGroup) -> dict[str, str]:
    return demo_patient(demo, "李娜")


@pytest.fixture
def clinic(client: httpx.AsyncClient, demo: DemoGroup, clock: FakeClock) -> Clinic:
    return Clinic(client, demo, clock)


async def submitted_prescription(clinic: Clinic, patient: str = "李娜",
                                 query: str = "布洛芬") -> dict[str, Any]:
    """A prescription doctor_wang signed and submitted (valid to the end of today)."""
    doctor = await clinic.actor("doctor_wang")
    product = await clinic.product(doctor, query)
    body = draft(clinic.patient(patient), line(product))
    created = await doctor.call("POST", "/prescriptions", json=body)
    assert created.status_code == 201, created.text
    check = await doctor.call("POST", "/prescriptions/check", json=body)
    overrides = [{"key": i["key"], "reason": "已评估"} for i in check.json()["issues"]
                 if i["needs_override"]]
    response = await sign_and_submit(doctor, created.json(), overrides=overrides)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
