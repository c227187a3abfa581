"""Fixtures of the clinical-record tests: logged-in headers, demo patients by name, and the
database reached as the schema owner and as the server's own role."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Engine, text

from server.seed.demo import DemoGroup
from tests.helpers import HeadersFor  # noqa: F401  (re-exported for the tests)

DOCTOR = "doctor_wang"  # H1, internal medicine
OTHER_HOSPITAL_DOCTOR = "doctor_sun"  # H2
PHARMACIST = "pharm_chen"  # H1: reads patients, does not write
STORE = "store_kangning"  # a pharmacy: no patient rights


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
