"""The inbox's own actions (and its reload on a resync) and the keyboard wedge on real screens,
and every screen rendered
to `.rxp/screenshots/client_pharmacy/` with demo orders made the production way (look at them:
Chinese must be text)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

import client_pharmacy
from client_pharmacy.screenshots import screenshots
from client_pharmacy.ui.widgets import cell
from client_pharmacy.ui.window import PharmacyWindow
from common.auth import Session
from common.events import resync_event
from server.seed.demo import DemoGroup
from tests.client_pharmacy.conftest import STORE_STAFF, Journey, open_window
from tests.clients import ServerThread, Staff

SHOTS = Path(client_pharmacy.__file__).resolve().parent.parent / ".rxp/screenshots/client_pharmacy"
WAIT = 15_000


def test_return_with_a_reason_releases_the_order(qtbot: QtBot, counter_window: PharmacyWindow,
                                                journey: Journey) -> None:
    _, order = journey.order(journey.approved())
    view = counter_window.inbox_view
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.refresh()
    view.select_number(order["number"])
    assert cell(view.table, view.table.currentRow(), 0) == order["number"]
    view.ask_reason = lambda: "该药品暂时缺货"
    view.return_button.click()
    qtbot.waitUntil(lambda: view.message.text() == f"已退单：{order['number']}（该药品暂时缺货）",
                    timeout=WAIT)
    # The inbox reads itself again after the return.
    qtbot.waitUntil(lambda: order["number"] not in [
        cell(view.table, row, 0) for row in range(view.table.rowCount())], timeout=WAIT)
    assert order["number"] not in [o["number"] for o in counter_window.inbox.orders]


def test_a_resync_reads_the_inbox_again_without_an_alert(
        qtbot: QtBot, staff: Callable[..., Staff], journey: Journey) -> None:
    window = open_window(qtbot, staff(STORE_STAFF), live=True)
    try:
        assert window.events is not None and window.events.subscriber.wait_connected(10)
        subscriber = window.events.subscriber
        subscriber.stop()  # what follows is missed, as by a counter that was away
        _, order = journey.order(journey.approved())
        subscriber.on_event(resync_event(1))  # as the subscriber delivers it
        qtbot.waitUntil(lambda: order["number"] in [o["number"] for o in window.inbox.orders],
                        timeout=WAIT)
        assert window.inbox_view.alert.isHidden()  # a reload, not news
    finally:
        window.shutdown()


def test_wedge_burst_is_a_scan_and_slow_keys_are_typing(
        qtbot: QtBot, counter_window: PharmacyWindow) -> None:
    window = counter_window
    window.show()
    qtbot.waitExposed(window)
    field = window.counter_view.receipt_no
    window.tabs.setCurrentWidget(window.counter_view)
    field.setFocus()
    QApplication.processEvents()
    with qtbot.waitSignal(window.wedge.scanned, timeout=3000) as scanned:
        qtbot.keyClicks(field, "81004530000000000001")
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert scanned.args == ["81004530000000000001"]
    assert field.text() == ""  # the burst did not land in the field
    for char in "POS1":
        qtbot.keyClick(field, char, delay=80)  # a person: 80 ms between keys
    qtbot.waitUntil(lambda: field.text() == "POS1", timeout=3000)
    window.close()


@dataclass
class DemoLogins:
    """What `common.demo.DemoDirectory` gives the screenshot run, from the test's server,
    demo group and logins (the fake clock's TOTP codes)."""

    base_url: str
    data: dict[str, Any]
    staff: Callable[..., Staff]
    demo: DemoGroup

    def login(self, username: str) -> Session:
        return self.staff(username).session

    def signing_keys(self) -> dict[str, str]:
        return {a.username: a.signing_key for a in self.demo.accounts if a.signing_key}


def texts(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_every_screen_renders_with_demo_data(qtbot: QtBot, staff: Callable[..., Staff],
                                             live_server: ServerThread,
                                             demo: DemoGroup) -> None:
    screens = screenshots(DemoLogins(live_server.url, demo.as_json(), staff, demo))
    assert set(screens) == {"login", "inbox", "dispensing", "counter", "courier", "summary",
                            "profile"}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, widget in screens.items():
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        image = widget.grab()
        assert image.width() > 300 and image.save(str(SHOTS / f"{name}.png"))
    inbox = screens["inbox"]
    assert isinstance(inbox, PharmacyWindow)
    assert inbox.inbox_view.table.rowCount() == 4
    assert "新订单" in inbox.inbox_view.alert.text()
    assert inbox.windowTitle().startswith("处方流转平台 · 药店柜台 — 康宁大药房")
    dispensing = screens["dispensing"]
    assert isinstance(dispensing, PharmacyWindow)
    assert "追溯码已被使用，拒绝" in dispensing.dispensing_view.feedback.text()
    assert "张*" in dispensing.dispensing_view.header.text()
    counter = screens["counter"]
    assert isinstance(counter, PharmacyWindow)
    assert counter.counter_view.called.text().startswith("请 ")
    assert "刘*" in counter.counter_view.summary.text()
    summary = screens["summary"]
    assert isinstance(summary, PharmacyWindow)
    assert summary.summary_view.orders.text() == "3"
    courier = screens["courier"]
    assert isinstance(courier, PharmacyWindow)
    assert courier.counter_view.events.count() >= 2  # the carrier's tracking events
    profile = screens["profile"]
    assert isinstance(profile, PharmacyWindow)
    assert profile.profile_view.fixed["address"].text() == "滨江市人民路 118 号"
    # No screen shows a patient's full name (DOMAIN.md section 9).
    for name in ("张伟", "李娜", "刘洋", "吴敏"):
        assert all(name not in texts(w) for w in screens.values())
    for screen in screens.values():
        if isinstance(screen, PharmacyWindow):
            screen.shutdown()
        screen.close()
