"""A courier order through the counter's screens: accepted in the inbox, dispensed, paid at
the counter, handed to the courier from the counter screen; the carrier delivers, the patient
confirms, the order is closed and the trace shows every code the store scanned."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
from pytestqt.qtbot import QtBot

from client_pharmacy.counter import Dispensing, ScanOutcome
from client_pharmacy.ui.window import PharmacyWindow
from tests.client_pharmacy.conftest import CHECKER, Journey, code_for
from tests.clients import ServerThread, Staff

WAIT = 15_000


def test_courier_handover_closes_the_order_and_the_trace_shows_the_codes(
        qtbot: QtBot, counter_window: PharmacyWindow, journey: Journey,
        live_server: ServerThread, staff: Callable[..., Staff],
        prefixes: dict[str, str]) -> None:
    window = counter_window
    patient, order = journey.order(journey.approved(), mode="courier")
    inbox = window.inbox_view
    with qtbot.waitSignal(inbox.loaded, timeout=WAIT):
        inbox.refresh()
    inbox.select_number(order["number"])
    view = window.dispensing_view
    with qtbot.waitSignal(inbox.opened, timeout=WAIT):
        inbox.accept_button.click()
    assert view.dispensing is not None and view.dispensing.order["accepted_at"]
    dispensing: Dispensing = view.dispensing
    codes = []
    for line in dispensing.lines():
        for serial in range(1, line["quantity"] + 1):
            code = code_for(prefixes, line, 500 + serial)
            result = dispensing.scan(code, batch="B2026002", line_id=line["id"],
                                     expiry=date(2028, 6, 30))
            assert result.outcome is ScanOutcome.ACCEPTED, result
            codes.append(code)
    dispensing.complete(CHECKER)

    counter = window.counter_view
    window.tabs.setCurrentWidget(counter)
    counter.pickup_code.setText(order["pickup_code"])
    with qtbot.waitSignal(counter.done, timeout=WAIT):
        counter.find_button.click()
    assert counter.order is not None and counter.order["id"] == order["id"]
    counter.receipt_no.setText("POS-20260002")
    with qtbot.waitSignal(counter.done, timeout=WAIT):
        counter.payment_button.click()
    assert counter.order["paid"], counter.message.text()
    with qtbot.waitSignal(counter.done, timeout=WAIT):
        counter.dispatch_button.click()
    assert counter.message.text() == "已交快递并登记出库", counter.message.text()
    tracking = counter.order["tracking_number"]
    assert tracking and counter.order["status"]["code"] == "dispatched"

    with httpx.Client(base_url=live_server.url, timeout=10) as carrier:
        for _ in range(4):  # 揽收, 运输中, 派送中, 签收
            assert carrier.post(f"/carriers/sim/{tracking}/advance").status_code == 200
    confirmed = patient.call("POST", f"/patient/orders/{order['id']}/confirm-receipt")
    assert confirmed["status"]["code"] == "settled" and confirmed["state"] == "completed"

    doctor = staff("doctor_wang")
    trace = doctor.api.call("GET", f"/prescriptions/{order['prescription_id']}/trace")
    traced = {n["data"].get("trace_code") for n in trace["nodes"] if n["kind"] == "package"}
    assert traced == set(codes)
    assert {"outbound", "delivered", "handover"} <= {
        n["data"].get("code") for n in trace["nodes"] if n["kind"] == "delivery"}
