"""The counter screen against the live server: the queue number called, a counter payment
registered, the day summary; every call off the GUI thread, failures in Chinese; and nothing
of the patient shown unmasked."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from client_pharmacy.counter import Counter, Dispensing, yuan
from client_pharmacy.ui.window import PharmacyWindow
from tests.client_pharmacy.conftest import (
    CHECKER,
    STORE_STAFF,
    Journey,
    business_day,
    code_for,
    settle,
)
from tests.clients import Staff

WAIT = 15_000


def dispensed(store: Staff, journey: Journey, prefixes: dict[str, str], *,
              patient: str = "张伟", mode: str = "store_pickup", serial: int = 300
              ) -> tuple[Any, dict[str, Any]]:
    """An order of `patient` accepted, scanned in full and checked (through the presenters)."""
    person, order = journey.order(journey.approved(patient=patient), patient=patient, mode=mode)
    accepted = store.api.call("POST", f"/pharmacy/orders/{order['id']}/accept")
    dispensing = Dispensing(store.api, accepted, "吴芳")
    for line in dispensing.lines():
        for n in range(line["quantity"]):
            result = dispensing.scan(code_for(prefixes, line, serial + n), batch="B2026009",
                                     expiry=date(2028, 6, 30), line_id=line["id"])
            assert result.ok, result
    dispensing.complete(CHECKER)
    return person, order


def test_queue_number_called_counter_payment_registered_and_the_day_summary(
        qtbot: QtBot, counter_window: PharmacyWindow, staff: Callable[..., Staff],
        journey: Journey, prefixes: dict[str, str]) -> None:
    window = counter_window
    patient, order = dispensed(staff(STORE_STAFF), journey, prefixes)
    queue = patient.call("POST", f"/patient/orders/{order['id']}/queue-number")
    counter = window.counter_view
    window.tabs.setCurrentWidget(counter)

    counter.call_button.click()
    qtbot.waitUntil(lambda: bool(counter.called.text()), timeout=WAIT)
    assert counter.called.text() == f"请 {queue['queue_number']} 号取药"
    counter.called.clear()
    counter.call_button.click()
    qtbot.waitUntil(lambda: bool(counter.called.text()), timeout=WAIT)
    assert counter.called.text() == "没有排队的患者"

    counter.pickup_code.setText(order["pickup_code"])
    with qtbot.waitSignal(counter.done, timeout=WAIT):
        counter.find_button.click()
    assert counter.order is not None and not counter.order["paid"]
    assert f"排队号 {queue['queue_number']}" in counter.summary.text()
    settle(qtbot, window)
    counter.payment_button.click()  # no receipt number: refused before any request
    assert counter.message.text() == "收款凭证号：请填写线下收款凭证号"
    assert window.services.pending == 0
    counter.receipt_no.setText("POS-20261127-01")
    with qtbot.waitSignal(counter.done, timeout=WAIT):
        counter.payment_button.click()
    assert counter.order["paid"] and counter.message.text() == "已登记线下收款"
    assert "已支付" in counter.summary.text()
    assert not counter.payment_button.isEnabled()  # paid: nothing more to register
    assert counter.handover_button.isEnabled() and not counter.dispatch_button.isEnabled()

    summary = window.summary_view
    summary.show_day(business_day(counter.order["accepted_at"]))
    settle(qtbot, window)
    assert summary.orders.text() == "1"
    assert summary.amount.text() == yuan(order["total_fen"])
    scanned = sum(line["quantity"] for line in counter.order["lines"])
    assert summary.codes.text() == str(scanned)
    assert summary.title.text().endswith(" 日报")


class SlowThenDown(httpx.BaseTransport):
    """The real server, except that the day summary hangs until released, or (once `down`)
    the server cannot be reached at all."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.release = threading.Event()
        self.down = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/pharmacy/summary":
            if self.down:
                raise httpx.ConnectError("connection refused (test)", request=request)
            self.release.wait(10)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.release.set()
        self.inner.close()


@pytest.fixture
def slow() -> Iterator[SlowThenDown]:
    transport = SlowThenDown()
    yield transport
    transport.close()


def test_a_slow_server_leaves_the_window_responsive_and_failures_are_chinese(
        qtbot: QtBot, staff: Callable[..., Staff], slow: SlowThenDown) -> None:
    store = staff(STORE_STAFF, transport=slow)
    assert store.session.user is not None
    window = PharmacyWindow(store.api, me=store.session.user, live=False)
    qtbot.addWidget(window)
    try:
        # The summary's call hangs on the server side; the GUI thread goes on regardless.
        qtbot.waitUntil(lambda: window.services.pending == 1, timeout=WAIT)
        ticked: list[bool] = []
        QTimer.singleShot(50, lambda: ticked.append(True))
        qtbot.waitUntil(lambda: bool(ticked), timeout=2000)
        window.tabs.setCurrentWidget(window.counter_view)  # the user works on meanwhile
        assert window.services.pending == 1 and window.summary_view.orders.text() == "—"
        slow.release.set()
        settle(qtbot, window)
        assert window.summary_view.orders.text().isdigit()

        slow.down = True
        window.summary_view.refresh_button.click()
        qtbot.waitUntil(lambda: bool(window.summary_view.message.text()), timeout=WAIT)
        assert window.summary_view.message.text() == "无法连接服务器，请检查网络或稍后重试"
    finally:
        window.shutdown()


def shown_texts(window: PharmacyWindow) -> str:
    parts = [label.text() for label in window.findChildren(QLabel)]
    parts += [window.counter_view.events.item(i).text()
              for i in range(window.counter_view.events.count())]
    return "\n".join(parts)


def test_everything_the_pharmacy_sees_of_the_patient_is_masked(
        qtbot: QtBot, counter_window: PharmacyWindow, staff: Callable[..., Staff],
        journey: Journey, prefixes: dict[str, str]) -> None:
    """DOMAIN.md section 9: name 张*, phone 138****5678, no pickup code, no address for a pickup
    order; the inbox carries nothing of the patient at all."""
    store = staff(STORE_STAFF)
    _, pickup = dispensed(store, journey, prefixes, patient="刘洋", serial=400)
    found = Counter(store.api).find_by_pickup_code(pickup["pickup_code"])
    assert re.fullmatch(r"刘\*+", found["patient_name"])
    assert re.fullmatch(r"\d{3}\*{4}\d{4}", found["patient_phone"])
    assert found["pickup_code"] is None and found["pickup_qr"] is None
    assert found["address"] is None and found["recipient"] is None
    inbox = counter_window.inbox.fetch()
    assert inbox and not {k for o in inbox for k in o if "patient" in k or "address" in k}

    _, courier = journey.order(journey.approved(patient="李娜"), patient="李娜", mode="courier")
    shipped = store.api.call("GET", f"/pharmacy/orders/{courier['id']}")
    # The courier order carries the shipping address for the parcel (the server's choice);
    # the counter's screens never show it, nor the recipient's name or phone.
    counter = counter_window.counter_view
    for order in (found, shipped):
        counter.show_order(order)
        text = shown_texts(counter_window)
        assert order["patient_name"] in text and order["patient_phone"] in text
        for person in journey.demo.patients:
            assert person["name"] not in text and person["phone"] not in text
        if order["address"]:
            assert order["address"] not in text


class _Deferred:
    """Services whose calls are answered when the test says, in the order it says."""

    def __init__(self) -> None:
        self.calls: list[tuple[Callable[[], Any], Callable[[Any], None]]] = []

    def run(self, call: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None:
        self.calls.append((call, done))

    def answer(self, index: int) -> None:
        call, done = self.calls[index]
        done(call())


class _Figures:
    def day_summary(self, day: date) -> dict[str, Any]:
        return {"day": day.isoformat(), "orders_accepted": day.day, "amount_fen": 0,
                "codes_scanned": day.day}


def test_summary_of_an_earlier_chosen_day_arriving_late_is_not_shown(qtbot: QtBot) -> None:
    from client_pharmacy.ui.counter_view import SummaryView

    services = _Deferred()
    view = SummaryView(services, _Figures())  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.show_day(date(2026, 3, 4))
    view.show_day(date(2026, 3, 5))
    services.answer(-1)  # the day chosen now answers first...
    services.answer(-2)  # ...the one chosen before answers after it
    assert view.orders.text() == "5" and "2026-03-05" in view.title.text()


def test_only_the_newest_read_of_the_inbox_is_shown(
        qtbot: QtBot, counter_window: PharmacyWindow, journey: Journey,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Events and actions each read the inbox again; a read that answers after a newer one
    (here: one that saw the inbox empty) must not replace what the newer one showed."""
    journey.order(journey.approved(patient="李娜"), patient="李娜", mode="courier")
    view, inbox = counter_window.inbox_view, counter_window.inbox
    real_fetch, release, calls = inbox.fetch, threading.Event(), []

    def fetch() -> list[Any]:
        calls.append(len(calls))
        if len(calls) == 1:
            release.wait(10)
            return []  # what the inbox held before the order came
        return real_fetch()

    monkeypatch.setattr(inbox, "fetch", fetch)
    view.refresh()
    qtbot.waitUntil(lambda: bool(calls), timeout=WAIT)  # the first read is under way
    view.refresh()
    qtbot.waitUntil(lambda: view.table.rowCount() > 0, timeout=WAIT)
    shown = view.table.rowCount()
    release.set()
    settle(qtbot, counter_window)
    assert view.table.rowCount() == shown and inbox.orders


def test_of_two_codes_scanned_in_quick_succession_the_second_order_stays(
        qtbot: QtBot, counter_window: PharmacyWindow, staff: Callable[..., Staff],
        journey: Journey, prefixes: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    store = staff(STORE_STAFF)
    codes = []
    for patient, serial in (("张伟", 500), ("李娜", 520)):
        person, order = dispensed(store, journey, prefixes, patient=patient, serial=serial)
        codes.append(person.call("GET", f"/patient/orders/{order['id']}")["pickup_code"])
    counter = counter_window.counter_view
    counter_window.tabs.setCurrentWidget(counter)
    real_find, release = counter.counter.find_by_pickup_code, threading.Event()

    def find(code: str) -> Any:
        if code == codes[0]:
            release.wait(10)  # the first answer is slow
        return real_find(code)

    monkeypatch.setattr(counter.counter, "find_by_pickup_code", find)
    for code in codes:
        counter.pickup_code.setText(code)
        counter.on_find_button_clicked()
    QTimer.singleShot(300, release.set)
    settle(qtbot, counter_window)
    assert counter.order is not None and counter.order["patient_name"].startswith("李")
