"""A client that lost the answer sends the same write again with the same Idempotency-Key, and
the first may still be in flight (a server process killed after COMMIT, a timeout): the twins
race on the circulation's unique rows (one active order per prescription, one dispensing per
traceability code). Both must get the first's answer, the change happen once, and the loser
must not be recorded as what it is not (a traceability code "reused" is a security event)."""

from __future__ import annotations

import asyncio
import uuid

from installers.database import DatabaseUrls
from server.circulation.seed import domestic_code
from tests.helpers import audit_chain_held, audit_rows, sql
from tests.server.circulation.conftest import Flow, flow
from tests.server.clinic import Clinic


async def _twins(db: DatabaseUrls, call):  # type: ignore[no-untyped-def]
    """Two identical requests, both held before they commit (see audit_chain_held)."""
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with audit_chain_held(db.superuser) as until_waiting:
        requests = [asyncio.create_task(call(key)) for _ in range(2)]
        await until_waiting(2)
    return await asyncio.gather(*requests)


async def test_twin_orders_place_one_order(clinic: Clinic, db: DatabaseUrls) -> None:
    f = await flow(clinic)
    body = {"pharmacy_id": clinic.demo.organisations["P1"], "mode": "store_pickup"}
    a, b = await _twins(db, lambda key: f.patient.client.post(
        f"/patient/prescriptions/{f.rx['id']}/order", json=body, headers=f.patient.headers | key))
    assert a.status_code == b.status_code == 201, (a.text, b.text)
    assert a.json()["id"] == b.json()["id"]
    assert sql(db.owner, "SELECT count(*) FROM circulation_order WHERE prescription_id = %s",
               (f.rx["id"],))[0][0] == 1
    assert len(audit_rows(db.owner, "action = 'order.create' AND entity_id = %s",
                          (a.json()["id"],))) == 1


async def test_twin_scans_dispense_the_code_once_and_raise_no_alarm(
        clinic: Clinic, db: DatabaseUrls, prefixes: dict[str, str]) -> None:
    f: Flow = await flow(clinic)
    assert (await f.choose()).status_code == 201
    assert (await f.accept()).status_code == 200
    line = (await f.detail())["lines"][0]
    code = domestic_code(prefixes[line["product_id"]], 424242)
    body = {"code": code, "line_id": line["id"], "batch": "B2026001", "expiry": "2028-06-30"}
    a, b = await _twins(db, lambda key: f.staff.client.post(
        f"{f.order_url}/packages", json=body, headers=f.staff.headers | key))
    assert a.status_code == b.status_code == 201, (a.text, b.text)
    assert a.content == b.content
    assert sql(db.owner, "SELECT count(*) FROM dispensed_package WHERE trace_code = %s",
               (code,))[0][0] == 1
    assert len(audit_rows(db.owner, "action = 'dispense.scan' AND summary->>'code' = %s",
                          (code,))) == 1
    assert audit_rows(db.owner, "action = 'dispense.trace_code_reused' AND entity_id = %s",
                      (code,)) == []
