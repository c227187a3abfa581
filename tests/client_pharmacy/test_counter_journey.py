"""The counter's day through the app's real screens: a live order arrives, staff accept it,
codes come from a serial scanner (socat pty) and a camera (a video file), a reused code is
refused on screen, a receipt goes to a serial ESC/POS printer (the simulator on the pty's other
end), and the patient collects with their pickup code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from client_pharmacy.counter import ScanOutcome
from client_pharmacy.ui.widgets import cell
from client_pharmacy.ui.window import PharmacyWindow
from common.hardware.printer.simulator import SerialPrinterSimulator
from common.hardware.ptypair import PtyPair
from common.hardware.scanner.simulator import SerialScannerSimulator
from common.hardware.scanner.video import write_code_video
from tests.client_pharmacy.conftest import (
    CHECKER,
    STORE_STAFF,
    Journey,
    business_day,
    code_for,
    open_window,
    settle,
)
from tests.clients import Staff

WAIT = 15_000


@pytest.fixture
def printer_pty() -> Iterator[PtyPair]:
    pair = PtyPair()
    yield pair
    pair.close()


@pytest.fixture
def window(qtbot: QtBot, staff: Callable[..., Staff], pty_pair: PtyPair,
           printer_pty: PtyPair) -> Iterator[PharmacyWindow]:
    win = open_window(qtbot, staff(STORE_STAFF), live=True,
                      printer_url=f"serial://{printer_pty.a}?timeout=2",
                      scanner_urls=(f"serial://{pty_pair.a}",))
    assert win.events is not None
    assert win.events.subscriber.wait_connected(10)
    yield win
    win.shutdown()


def test_live_order_scanned_printed_and_collected(
        qtbot: QtBot, window: PharmacyWindow, journey: Journey, pty_pair: PtyPair,
        printer_pty: PtyPair, prefixes: dict[str, str], tmp_path: Path) -> None:
    rx = journey.approved()
    patient, order = journey.order(rx)

    # Live: the inbox shows the new order with an alert and its countdown.
    inbox = window.inbox_view
    qtbot.waitUntil(lambda: not inbox.alert.isHidden() and any(
        o["number"] == order["number"] for o in window.inbox.orders), timeout=WAIT)
    assert order["number"] in inbox.alert.text()
    inbox.select_number(order["number"])
    row = inbox.table.currentRow()
    assert cell(inbox.table, row, 6).count(":") == 1  # mm:ss left to accept
    assert cell(inbox.table, row, 2) == "待接单"  # the store's word, not the patient's
    inbox.accept_button.click()
    qtbot.waitUntil(lambda: any(
        cell(inbox.table, r, 0) == order["number"] and cell(inbox.table, r, 2) == "药店处理中"
        for r in range(inbox.table.rowCount())), timeout=WAIT)

    view = window.dispensing_view
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is view, timeout=WAIT)
    assert view.dispensing is not None and view.dispensing.order["accepted_at"]
    assert "*" in view.header.text()  # the patient, masked by the server
    line = view.dispensing.lines()[0]
    assert line["quantity"] >= 2, line
    view.batch.setText("B2026001")
    view.expiry.setText("2028-06-30")

    # A serial scanner on one end of a socat pty pair.
    first = code_for(prefixes, line, 1)
    scanner = SerialScannerSimulator(pty_pair.b)
    try:
        scanner.scan(first)
        # What the screen shows (the presenter's order changes on the worker a moment before).
        qtbot.waitUntil(lambda: cell(view.lines, 0, 4) == "1", timeout=WAIT)
        assert first in cell(view.lines, 0, 5)
        assert "✔" in view.feedback.text()
        # The same package again: refused, on screen.
        scanner.scan(first)
        qtbot.waitUntil(lambda: "✘" in view.feedback.text(), timeout=WAIT)
    finally:
        scanner.close()
    assert view.dispensing.feedback[-1].outcome is ScanOutcome.REUSED
    assert "✘" in view.feedback.text() and first in view.feedback.text()
    assert view.dispensing.lines()[0]["dispensed"] == 1

    # The rest from a camera: a video file of Code128 images.
    rest = [code_for(prefixes, line, n) for n in range(2, line["quantity"] + 1)]
    video = write_code_video(tmp_path / "codes.avi",
                             [None, *[c for code in rest for c in (("code128", code), None)]])
    window.add_scanner(f"file://{video}")
    qtbot.waitUntil(lambda: cell(view.lines, 0, 4) == str(line["quantity"]), timeout=WAIT)
    assert all(code in cell(view.lines, 0, 5) for code in rest)

    view.checker.setText(CHECKER)
    with qtbot.waitSignal(view.completed, timeout=WAIT):
        view.complete_button.click()
    assert view.dispensing.order["dispensed_at"], view.feedback.text()
    assert view.feedback.text() == f"发药完成：{order['number']}"

    # The receipt on an ESC/POS printer over serial, read back from the other pty end.
    printer = SerialPrinterSimulator(printer_pty.b)
    try:
        view.print_button.click()
        qtbot.waitUntil(lambda: view.feedback.text() == "小票和标签已打印", timeout=WAIT)
        printed = bytes(printer.printer.printed)
    finally:
        printer.stop()
    assert order["number"].encode() in printed
    assert "发药小票".encode("gb18030") in printed
    assert "发药小票" in "\n".join(printer.printer.lines())
    assert "药品标签".encode("gb18030") in printed  # a label per dispensed line follows

    # Pickup: the patient shows the code; the counter finds, takes payment, hands over.
    counter = window.counter_view
    window.tabs.setCurrentWidget(counter)
    counter.pickup_code.setText(order["pickup_code"])
    with qtbot.waitSignal(counter.done, timeout=WAIT):
        counter.find_button.click()
    assert counter.order is not None and counter.order["id"] == order["id"], counter.message.text()
    assert "*" in counter.summary.text()
    if not counter.order["paid"]:
        counter.receipt_no.setText("POS-20260001")
        with qtbot.waitSignal(counter.done, timeout=WAIT):
            counter.payment_button.click()
        assert counter.order["paid"], counter.message.text()
    with qtbot.waitSignal(counter.done, timeout=WAIT):
        counter.handover_button.click()
    assert counter.order["handed_over_at"], counter.message.text()
    assert counter.message.text() == "已交付患者"
    mine = patient.call("GET", f"/patient/orders/{order['id']}")
    assert mine["handed_over_at"]

    window.summary_view.show_day(business_day(counter.order["accepted_at"]))
    settle(qtbot, window)
    assert window.summary_view.codes.text() == str(line["quantity"])
