"""The rules of circulation: one pharmacy per prescription, a code dispensed once, locks that
expire, refunds, and nothing handed out that the doctor did not sign."""

from __future__ import annotations

import asyncio

from installers.database import DatabaseUrls
from server.circulation.background import release_once
from server.circulation.seed import domestic_code
from server.core.clock import FakeClock
from tests.helpers import audit_rows, sql
from tests.server.circulation.conftest import at_kiosk, flow
from tests.server.circulation.test_journey import pay_in_sandbox
from tests.server.clinic import Clinic


async def test_two_choices_at_once_exactly_one_wins(clinic: Clinic) -> None:
    f = await flow(clinic)
    results = await asyncio.gather(f.choose("P1"), f.choose("P2"))
    assert sorted(r.status_code for r in results) == [201, 409]


async def test_only_the_chosen_pharmacy_accepts_and_only_once(clinic: Clinic) -> None:
    f = await flow(clinic)
    assert (await f.choose("P1")).status_code == 201
    other_store = await clinic.actor("store_yimin")
    assert f.order is not None
    assert (await other_store.call("POST", f"{f.order_url}/accept")).status_code == 404
    results = await asyncio.gather(f.accept(), f.checker.call("POST", f"{f.order_url}/accept"))
    assert sorted(r.status_code for r in results) == [200, 409]


async def test_a_reused_traceability_code_is_refused_and_audited(
        clinic: Clinic, prefixes: dict[str, str], db: DatabaseUrls) -> None:
    first, second = await flow(clinic), await flow(clinic, patient="李娜")
    for f in (first, second):
        assert (await f.choose("P1")).status_code == 201
        assert (await f.accept()).status_code == 200
    codes = await first.scan_all(prefixes)
    line = (await second.detail())["lines"][0]
    again = await second.scan(codes[0], line_id=line["id"], batch="B1", expiry="2029-01-31")
    assert again.status_code == 409 and again.json()["error"] == "TraceCodeReused"
    events = audit_rows(db.owner, "action = %s", ("dispense.trace_code_reused",))
    assert events and events[-1]["outcome"] == "failure"
    assert events[-1]["summary"]["security_event"] is True


async def test_scans_are_checked_for_product_expiry_count_and_format(
        clinic: Clinic, prefixes: dict[str, str]) -> None:
    f = await flow(clinic)
    await f.choose("P1")
    await f.accept()
    line = (await f.detail())["lines"][0]
    other_product = next(p for pid, p in prefixes.items() if pid != line["product_id"])
    wrong = await f.scan(domestic_code(other_product, 1), line_id=line["id"], batch="B1",
                         expiry="2029-01-31")
    assert wrong.status_code == 422 and "不符" in wrong.json()["detail"]
    mine = prefixes[line["product_id"]]
    expired = await f.scan(domestic_code(mine, 1), line_id=line["id"], batch="B1",
                           expiry="2020-01-31")
    assert expired.status_code == 422 and expired.json()["fields"][0]["field"] == "expiry"
    garbage = await f.scan("12345", line_id=line["id"], batch="B1", expiry="2029-01-31")
    assert garbage.status_code == 422 and garbage.json()["fields"][0]["field"] == "code"
    await f.scan_all(prefixes)
    extra = await f.scan(domestic_code(mine, 999), line_id=line["id"], batch="B1",
                         expiry="2029-01-31")
    assert extra.status_code == 409 and "扫满" in extra.json()["detail"]


async def test_a_tampered_prescription_cannot_be_dispensed(
        clinic: Clinic, prefixes: dict[str, str], db: DatabaseUrls) -> None:
    f = await flow(clinic)
    await f.choose("P1")
    await f.accept()
    sql(db.owner, "UPDATE prescription_line SET dose = dose * 10 WHERE prescription_id = %s",
        (f.rx["id"],))
    line = (await f.detail())["lines"][0]
    refused = await f.scan(domestic_code(prefixes[line["product_id"]], 1), line_id=line["id"],
                           batch="B1", expiry="2029-01-31")
    assert refused.status_code == 422 and refused.json()["error"] == "SignatureInvalid"


async def test_an_unaccepted_lock_is_released_and_the_patient_told(
        clinic: Clinic, clock: FakeClock, app, db: DatabaseUrls) -> None:
    f = await flow(clinic)
    assert (await f.choose("P1")).status_code == 201
    clock.advance(minutes=31)
    assert await release_once(app.state.services) == 1
    # Half an hour on, the patient proves who they are again and the staff logs in again.
    f.patient = await at_kiosk(clinic, "张伟")
    f.staff = await clinic.actor("store_kangning")
    rx = (await f.patient.call("GET", f"/patient/prescriptions/{f.rx['id']}")).json()
    assert rx["status"]["code"] == "awaiting_patient_choice" and rx["can_choose"]
    assert rx["order"]["state"] == "lock_expired"
    late = await f.accept()
    assert late.status_code == 409
    sent = sql(db.owner, "SELECT template FROM notification WHERE prescription_id = %s",
               (f.rx["id"],))
    assert ("lock_timed_out",) in sent
    assert (await f.choose("P2")).status_code == 201  # the patient chooses again


async def test_returned_order_goes_back_to_the_patient(clinic: Clinic) -> None:
    f = await flow(clinic)
    await f.choose("P1")
    returned = await f.staff.call("POST", f"{f.order_url}/return", json={"reason": "缺货"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert (await f.choose("P2")).status_code == 201


async def test_not_dispensed_is_refunded(clinic: Clinic, db: DatabaseUrls) -> None:
    f = await flow(clinic)
    await f.choose("P1", mode="courier")
    await pay_in_sandbox(f)
    await f.accept()
    line = (await f.detail())["lines"][0]
    marked = await f.staff.call("POST", f"{f.order_url}/lines/{line['id']}/not-dispensed",
                                json={"reason": "药品召回，暂停销售"})
    assert marked.status_code == 200, marked.text
    completed = await f.complete()
    assert completed.status_code == 200 and completed.json()["status"]["code"] == \
        "not_dispensed"
    assert f.order is not None
    refunds = sql(db.owner, "SELECT r.amount_fen, r.status FROM refund r JOIN payment p"
                            " ON p.id = r.payment_id WHERE p.order_id = %s", (f.order["id"],))
    assert refunds and refunds[0][0] == f.order["total_fen"]
    told = sql(db.owner, "SELECT template FROM notification WHERE prescription_id = %s",
               (f.rx["id"],))
    assert ("refunded",) in told and ("not_dispensed",) in told


async def test_voiding_cancels_the_order(clinic: Clinic) -> None:
    f = await flow(clinic)
    await f.choose("P1")
    doctor = await clinic.actor("doctor_wang")
    current = (await doctor.call("GET", f"/prescriptions/{f.rx['id']}")).json()
    voided = await doctor.call("POST", f"/prescriptions/{f.rx['id']}/void", json={
        "version": current["version"], "reason": "患者要求更换药物"})
    assert voided.status_code == 200, voided.text
    assert (await f.detail())["state"] == "cancelled"


async def test_patients_see_only_their_own(clinic: Clinic) -> None:
    f = await flow(clinic)
    await f.choose("P1")
    other = await flow(clinic, patient="李娜")
    assert f.order is not None
    assert (await other.patient.call("GET", f"/patient/orders/{f.order['id']}")).status_code == 404
    assert (await other.patient.call(
        "GET", f"/patient/prescriptions/{f.rx['id']}")).status_code == 404
    staff = await clinic.actor("doctor_wang")
    assert (await staff.call("GET", "/patient/prescriptions")).status_code == 403


async def test_an_appointment_must_be_a_future_time_with_its_zone(clinic: Clinic) -> None:
    f = await flow(clinic)
    naive = await f.choose("P1", appointment_at="2030-01-01T10:00:00")
    assert naive.status_code == 422 and naive.json()["fields"][0]["field"].endswith(
        "appointment_at")
    past = await f.choose("P1", appointment_at="2020-01-01T10:00:00+08:00")
    assert past.status_code == 422 and past.json()["fields"][0]["field"] == "appointment_at"
    assert (await f.choose("P1")).status_code == 201


async def test_the_store_reads_a_courier_address_in_full_and_that_read_is_audited(
        clinic: Clinic, db: DatabaseUrls) -> None:
    courier, pickup = await flow(clinic), await flow(clinic)
    await courier.choose("P1", mode="courier")
    await pickup.choose("P1", mode="store_pickup")
    shipped = (await courier.staff.call("GET", courier.order_url)).json()
    assert shipped["address"].endswith("文三路 88 号 2 幢 301 室")
    assert shipped["recipient_phone"] == "13857101234"
    await pickup.staff.call("GET", pickup.order_url)
    reads = audit_rows(db.owner, "action = 'pharmacy.order.read_shipping_address'")
    assert [r["entity_id"] for r in reads] == [courier.order["id"]]  # type: ignore[index]
