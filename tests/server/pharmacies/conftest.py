"""Helpers for pharmacy tests: a valid application body, and logged-in actors."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from server.pharmacies.codes import make_credit_code

_serial = itertools.count(501)


def application(**overrides: Any) -> dict[str, Any]:
    """A complete, valid application with identifiers no other pharmacy holds."""
    n = next(_serial)
    body: dict[str, Any] = {
        "name": "同仁大药房（文二路店）", "licence_number": f"浙DA5710{n:04d}",
        "credit_code": make_credit_code(f"91330106MA2T{n:05d}"),
        "address": "浙江省杭州市西湖区文二路 200 号", "phone": "0571-86220001",
        "contact_person": "陈立", "latitude": 30.2853, "longitude": 120.1390,
        "region_code": "330106",
        "opening_hours": {d: [["08:00", "21:00"]] for d in "1234567"},
        "closures": [{"on_date": "2027-02-06", "closed": True, "note": "春节"}],
        "delivery": {"store_pickup": True, "hospital_delivery": False,
                     "courier_regions": ["3301"]},
    }
    body.update(overrides)
    return body


@pytest.fixture
def as_user(headers_for):
    """`await as_user("admin_group")` -> headers."""
    return headers_for


@pytest.fixture
async def app_session(db):
    """A session as the server's role (row-level security applies); the test sets its scope."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from server.core.db import make_engine

    engine = make_engine(db.app, pool_size=1)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session
    await engine.dispose()
