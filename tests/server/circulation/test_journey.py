"""From an approved prescription to the patient's hands, through the HTTP API: choice, payment
in the sandbox gateway, acceptance, dispensing with traceability codes, courier delivery by the
simulated carrier, confirmation, and the trace of it all."""

from __future__ import annotations

import asyncio
from typing import Any

from installers.database import DatabaseUrls
from tests.helpers import sql
from tests.server.circulation.conftest import Flow, flow
from tests.server.clinic import Clinic


async def pay_in_sandbox(f: Flow) -> dict[str, Any]:
    assert f.order is not None
    payment = await f.patient.call("POST", f"/patient/orders/{f.order['id']}/payment",
                                   json={"method": "online"})
    assert payment.status_code == 200, payment.text
    assert payment.json()["qr_payload"] and payment.json()["amount_fen"] == f.order["total_fen"]
    paid = await f.clinic.client.post(
        f"/payments/sandbox/{payment.json()['gateway_trade_no']}/pay")
    assert paid.status_code in (200, 202), paid.text
    for _ in range(100):  # the gateway's signed callback arrives on its own
        order = (await f.patient.call("GET", f"/patient/orders/{f.order['id']}")).json()
        if order["paid"]:
            return order
        await asyncio.sleep(0.05)
    raise AssertionError("the payment callback never arrived")


async def test_courier_journey_end_to_end(clinic: Clinic, prefixes: dict[str, str]) -> None:
    f = await flow(clinic)
    options = await f.patient.call(
        "GET", f"/patient/prescriptions/{f.rx['id']}/pharmacies",
        params={"mode": "courier", "region_code": "330106"})
    assert options.status_code == 200, options.text
    p1 = next(o for o in options.json() if o["pharmacy_id"] == clinic.demo.organisations["P1"])
    assert p1["delivery_fee_fen"] and p1["fee_rule"]
    chosen = await f.choose(mode="courier")
    assert chosen.status_code == 201, chosen.text
    assert f.order is not None
    assert f.order["status"]["code"] == "ordered"
    assert f.order["delivery_fee_fen"] == p1["delivery_fee_fen"]
    assert f.order["total_fen"] == f.order["items_fen"] + f.order["delivery_fee_fen"]
    assert f.order["pickup_code"]  # the patient sees their own code
    await pay_in_sandbox(f)
    accepted = await f.accept()
    assert accepted.status_code == 200, accepted.text
    view = accepted.json()
    assert view["pickup_code"] is None  # the pharmacy never sees it
    assert view["patient_name"].endswith("*") and "*" in view["patient_phone"]
    assert view["address"].startswith("文三路")  # in full: the pharmacy ships it
    codes = await f.scan_all(prefixes)
    being_dispensed = (await f.patient.call("GET", f"/patient/orders/{f.order['id']}")).json()
    assert being_dispensed["status"]["nhs"] == "With Pharmacy"
    assert (await f.complete()).status_code == 200
    # Dispensed and checked, not out yet: the patient (and the store's list) says so.
    waiting = (await f.patient.call("GET", f"/patient/orders/{f.order['id']}")).json()
    assert (waiting["status"]["code"], waiting["status"]["label"], waiting["status"]["nhs"]) \
        == ("dispensing", "待发货", "Ready to Dispatch")
    listed = (await f.staff.call("GET", "/pharmacy/orders")).json()
    assert next(o for o in listed if o["id"] == f.order["id"])["status"]["label"] == "待发货"
    dispatched = await f.staff.call("POST", f"{f.order_url}/dispatch")
    assert dispatched.status_code == 200, dispatched.text
    tracking = dispatched.json()["tracking_number"]
    assert dispatched.json()["status"]["code"] == "dispatched"
    for _ in range(4):
        step = await clinic.client.post(f"/carriers/sim/{tracking}/advance")
        assert step.status_code == 200, step.text
    order = (await f.patient.call("GET", f"/patient/orders/{f.order['id']}")).json()
    assert order["status"]["code"] == "delivered"
    assert [e["code"] for e in order["events"]] == [
        "outbound", "picked_up", "in_transit", "out_for_delivery", "delivered"]
    confirmed = await f.patient.call("POST", f"/patient/orders/{f.order['id']}/confirm-receipt")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"]["code"] == "settled"

    doctor = await clinic.actor("doctor_wang")
    trace = await doctor.call("GET", f"/prescriptions/{f.rx['id']}/trace")
    assert trace.status_code == 200, trace.text
    nodes = trace.json()["nodes"]
    kinds = {n["kind"] for n in nodes}
    assert {"status", "signature", "checks", "review", "choice", "payment", "acceptance",
            "package", "dispensed", "delivery"} <= kinds
    by_kind = {n["kind"]: n for n in nodes}
    assert by_kind["signature"]["operator"] == "王建国" and by_kind["signature"]["data"][
        "verified_now"] is True
    assert by_kind["acceptance"]["operator"] == "吴芳"
    assert by_kind["dispensed"]["data"]["checker"] == "钱勇"
    assert all(n["at"] for n in nodes)
    assert all(n["operator"] for n in nodes), [n for n in nodes if not n["operator"]]
    assert by_kind["choice"]["operator"] == "张*"
    assert {n["data"]["trace_code"] for n in nodes if n["kind"] == "package"} == set(codes)

    store = f.staff
    by_code = await store.call("GET", f"/trace-codes/{codes[0]}/trace")
    assert by_code.status_code == 200, by_code.text
    assert by_code.json()["focus_code"] == codes[0]
    pdf = await doctor.call("GET", f"/prescriptions/{f.rx['id']}/trace",
                            params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_pickup_at_the_store_with_queue_number_and_counter_payment(
        clinic: Clinic, prefixes: dict[str, str]) -> None:
    f = await flow(clinic)
    assert (await f.choose(mode="store_pickup")).status_code == 201
    assert f.order is not None
    number = await f.patient.call("POST", f"/patient/orders/{f.order['id']}/queue-number")
    again = await f.patient.call("POST", f"/patient/orders/{f.order['id']}/queue-number")
    assert number.status_code == 200 and number.json() == again.json()
    assert (await f.accept()).status_code == 200
    await f.scan_all(prefixes)
    completed = await f.complete()
    assert completed.status_code == 200 and completed.json()["status"]["code"] == \
        "ready_for_pickup"
    code = f.order["pickup_code"]
    unpaid = await f.staff.call("POST", f"{f.order_url}/handover", json={"pickup_code": code})
    assert unpaid.status_code == 409  # not paid yet
    paid = await f.staff.call("POST", f"{f.order_url}/offline-payment",
                              json={"receipt_no": "POS-0001"})
    assert paid.status_code == 200 and paid.json()["paid"]
    wrong = await f.staff.call("POST", f"{f.order_url}/handover", json={"pickup_code": "00000000"})
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "pickup_code"
    found = await f.staff.call("GET", f"/pharmacy/pickup/{f.order['pickup_qr']}")
    assert found.status_code == 200 and found.json()["id"] == f.order["id"]
    called = await f.staff.call("POST", "/pharmacy/queue/call-next")
    assert called.json()["called"] == number.json()["queue_number"]
    handed = await f.staff.call("POST", f"{f.order_url}/handover",
                                json={"pickup_code": f.order["pickup_qr"]})
    assert handed.status_code == 200, handed.text
    assert handed.json()["status"]["code"] == "settled"
    summary = (await f.staff.call("GET", "/pharmacy/summary")).json()
    assert summary["orders_accepted"] >= 1 and summary["codes_scanned"] >= 1


async def test_the_courier_fee_is_the_carriers_tariff(clinic: Clinic, db: DatabaseUrls) -> None:
    f = await flow(clinic)
    assert (await f.choose(mode="courier")).status_code == 201
    assert f.order is not None
    # The parcel's weight by hand: each package's weight times the quantity, plus packing.
    weight = sum(int(w) * line["quantity"] for line in f.order["lines"] for (w,) in sql(
        db.owner, "SELECT package_weight_g FROM catalogue_product WHERE id = %s",
        (line["product_id"],)))
    allowance = 200  # server/platform_settings: courier_shipping.packing_allowance_g
    quote = await f.staff.call("GET", "/tariffs/quote",
                               params={"region_code": "330106", "weight_g": weight + allowance})
    assert quote.status_code == 200, quote.text
    assert f.order["delivery_fee_fen"] == quote.json()["fee_fen"] > 0
    assert f.order["fee_rule"] == quote.json()["rule"]


async def test_statistics_count_what_happened(clinic: Clinic, prefixes: dict[str, str]) -> None:
    f = await flow(clinic)
    await f.choose(mode="store_pickup")
    await f.accept()
    await f.scan_all(prefixes)
    assert (await f.complete()).status_code == 200
    admin = await clinic.actor("admin_group")
    by_doctor = await admin.call("GET", "/statistics/prescriptions",
                                 params={"group_by": "doctor"})
    assert by_doctor.status_code == 200, by_doctor.text
    wang = next(r for r in by_doctor.json()["rows"] if r["label"] == "王建国")
    assert wang["prescriptions"] >= 1 and wang["amount_fen"] > 0
    by_pharmacy = (await admin.call("GET", "/statistics/prescriptions",
                                    params={"group_by": "pharmacy"})).json()["rows"]
    assert [r["label"] for r in by_pharmacy] == ["康宁大药房（人民路店）"]
    reviews = (await admin.call("GET", "/statistics/reviews",
                                params={"group_by": "pharmacist"})).json()["rows"]
    assert sum(r["approved"] for r in reviews) == 1 and reviews[0]["approval_rate"] == 1.0
    fulfilment = (await admin.call("GET", "/statistics/fulfilment")).json()
    assert fulfilment["rows"][0]["key"] == "store_pickup"
    assert fulfilment["served_by"] == "primary"
    refused = await admin.call("GET", "/statistics/prescriptions",
                               params={"group_by": "doctor", "since": "2030-01-01T00:00:00Z",
                                       "until": "2029-01-01T00:00:00Z"})
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "since"
    store = f.staff
    assert (await store.call("GET", "/statistics/fulfilment")).status_code == 403


async def test_absurd_moments_and_days_in_queries_are_refused_not_500(clinic: Clinic) -> None:
    """Found by the fuzz drill: year 1 overflowed the period arithmetic, a moment without a
    time zone could not be compared with now, and "0.0" was read as a Unix time."""
    admin = await clinic.actor("admin_group")
    for params, field in (({"until": "0001-01-01T11:28:12Z"}, "until"),
                          ({"since": "1999-12-31T00:00:00+08:00"}, "since"),
                          ({"since": "2026-01-01T00:00:00"}, "since")):
        refused = await admin.call("GET", "/statistics/prescriptions",
                                   params={"group_by": "day", **params})
        assert refused.status_code == 422, (params, refused.text)
        assert field in refused.json()["fields"][0]["field"]
    store = await clinic.actor("store_kangning")
    day = await store.call("GET", "/pharmacy/summary", params={"day": "0.0"})
    assert day.status_code == 422 and "day" in day.json()["fields"][0]["field"]
    ok = await store.call("GET", "/pharmacy/summary", params={"day": "2026-11-27"})
    assert ok.status_code == 200 and ok.json()["day"] == "2026-11-27"
