"""Fixtures of the patients tests: logged-in headers per demo account, a new patient's data,
and the audit log read through the schema owner (the server's role cannot change it, and
tests should not depend on its row-level scope)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, text

from server.personal_data.id_number import make_id_number
from server.seed.demo import DemoGroup
from tests.helpers import HeadersFor  # noqa: F401  (re-exported for the tests)

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
