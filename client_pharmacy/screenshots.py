"""Every screen of the pharmacy counter app with demo data, for `rxp screenshots`.

The demo store (康宁大药房, P1) gets orders the way production makes them
(`client_pharmacy.demo_orders`): one waiting to be accepted, one being dispensed, one dispensed
and waiting at the pickup counter with its queue number, one handed to the courier. Then
store_kangning (吴芳) logs in and the real screens are filled through their own workers; each
is returned once it shows the server's answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from client_pharmacy.app import CATALOGUE, I18N_DIR
from client_pharmacy.demo_orders import Demo, DemoOrders
from client_pharmacy.ui.widgets import store_day
from client_pharmacy.ui.window import PharmacyWindow
from common.auth import Session
from common.qt.login import LoginDialog
from common.qt.screens import wait_until

# The translations the screens need (`installers/screenshots.py` loads them).
CATALOGUES = [(CATALOGUE, I18N_DIR)]
USER = "store_kangning"
CHECKER = "store_qian"
SIZE = (1280, 800)
BATCH, EXPIRY = "B20260815", date(2028, 8, 14)
# What the screens need alive until the run ends (a screenshot run is a process of its own).
_alive: list[object] = []


def _trace_code(session: Session, product_id: str, serial: int) -> str:
    product = session.api.call("GET", f"/catalogue/products/{product_id}")
    # The clock in the serial keeps the codes of runs on one demo database apart.
    return f"{product['trace_prefix']}{int(time.time() * 1000) % 10**9:09d}{serial:04d}"


def _scan_all(store: Session, order_id: str, first_serial: int) -> None:
    api = store.api
    full = api.call("GET", f"/pharmacy/orders/{order_id}")
    for line in full["lines"]:
        for n in range(line["quantity"]):
            api.call("POST", f"/pharmacy/orders/{order_id}/packages", {
                "code": _trace_code(store, line["product_id"], first_serial + n),
                "line_id": line["id"], "batch": BATCH, "expiry": EXPIRY.isoformat()})


def _make_orders(demo: Demo, store: Session) -> dict[str, dict[str, Any]]:
    """The orders of the screens, as the store sees them: one waiting to be accepted, one
    being dispensed, one at the pickup counter with a queue number, one with the courier."""
    orders = DemoOrders(demo)
    waiting, _ = orders.order(orders.approved("李娜", "布洛芬"), "李娜", mode="courier")
    in_progress, _ = orders.order(orders.approved("张伟", "布洛芬"), "张伟")
    ready, patient = orders.order(orders.approved("刘洋", "布洛芬"), "刘洋")
    shipped, _ = orders.order(orders.approved("吴敏", "布洛芬"), "吴敏", mode="courier")
    api = store.api
    for order in (in_progress, ready, shipped):
        api.call("POST", f"/pharmacy/orders/{order['id']}/accept")
    started = api.call("GET", f"/pharmacy/orders/{in_progress['id']}")
    line = started["lines"][0]
    api.call("POST", f"/pharmacy/orders/{in_progress['id']}/packages", {
        "code": _trace_code(store, line["product_id"], 1), "line_id": line["id"],
        "batch": BATCH, "expiry": EXPIRY.isoformat()})
    _scan_all(store, ready["id"], 100)
    api.call("POST", f"/pharmacy/orders/{ready['id']}/complete", {"checker": CHECKER})
    orders.queue_number(ready["id"], patient)
    _scan_all(store, shipped["id"], 200)
    api.call("POST", f"/pharmacy/orders/{shipped['id']}/complete", {"checker": CHECKER})
    api.call("POST", f"/pharmacy/orders/{shipped['id']}/offline-payment",
             {"receipt_no": "POS-DEMO-0001"})
    dispatched = api.call("POST", f"/pharmacy/orders/{shipped['id']}/dispatch")
    orders.carrier_moves(dispatched["tracking_number"], 2)
    return {"waiting": waiting, "in_progress": in_progress,
            "ready": api.call("GET", f"/pharmacy/orders/{ready['id']}"),
            "ready_pickup_code": {"code": ready["pickup_code"]},
            "shipped": api.call("GET", f"/pharmacy/orders/{shipped['id']}")}


def _window(session: Session, tab: int) -> PharmacyWindow:
    assert session.user is not None
    window = PharmacyWindow(session.api, me=session.user, live=False)
    _alive.append(window)
    window.resize(*SIZE)
    window.tabs.setCurrentIndex(tab)
    _settled(window)
    return window


def _settled(window: PharmacyWindow, extra: Callable[[], bool] = lambda: True) -> None:
    wait_until(lambda: window.services.pending == 0 and extra(), what="the counter's screens")


def screenshots(demo: Demo) -> dict[str, QWidget]:
    session = demo.login(USER)
    _alive.append(session)
    made = _make_orders(demo, session)
    login = LoginDialog(lambda *_: None, title=QCoreApplication.translate(
        "Startup", "Log in · Pharmacy counter"))
    login.username.setText(USER)

    inbox = _window(session, 0)
    inbox.inbox_view.select_number(made["waiting"]["number"])
    inbox.show_order_alert("order.new", made["waiting"]["number"])

    dispensing = _window(session, 1)
    order = session.api.call("GET", f"/pharmacy/orders/{made['in_progress']['id']}")
    dispensing.on_inbox_view_opened(order)
    view = dispensing.dispensing_view
    view.lines.selectRow(0)
    view.batch.setText(BATCH)
    view.expiry.setText(EXPIRY.isoformat())
    view.checker.setText(CHECKER)
    # The package scanned already, scanned again: the refusal as the staff see it.
    view.scan(order["packages"][0]["trace_code"])
    _settled(dispensing, lambda: bool(view.dispensing and view.dispensing.feedback))

    counter = _window(session, 2)
    counter.counter_view.pickup_code.setText(made["ready_pickup_code"]["code"])
    counter.counter_view.show_order(made["ready"])
    counter.counter_view.on_call_button_clicked()
    _settled(counter, lambda: bool(counter.counter_view.called.text()))

    courier = _window(session, 2)
    courier.counter_view.show_order(made["shipped"])

    summary = _window(session, 3)
    # The day the demo orders were accepted on (a run across midnight in China shows them).
    summary.summary_view.show_day(store_day(made["shipped"]["accepted_at"]))
    _settled(summary)
    profile = _window(session, 4)
    return {"login": login, "inbox": inbox, "dispensing": dispensing, "counter": counter,
            "courier": courier, "summary": summary, "profile": profile}

