"""The inbox's own actions and the keyboard wedge on real screens, and every screen rendered
to `.rxp/screenshots/client_pharmacy/` with real data (look at them: Chinese must be text)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import client_pharmacy
from client_pharmacy.screenshots import screenshots
from client_pharmacy.ui.views import cell
from client_pharmacy.ui.window import PharmacyWindow
from common.auth import Session
from tests.client_pharmacy.conftest import STORE_STAFF, Journey
from tests.clients import Staff

SHOTS = Path(client_pharmacy.__file__).resolve().parent.parent / ".rxp/screenshots/client_pharmacy"


@pytest.fixture
def window(qtbot: QtBot, staff: Callable[..., Staff]) -> Iterator[PharmacyWindow]:
    win = PharmacyWindow(staff(STORE_STAFF).api, user_name="吴芳", live=False)
    qtbot.addWidget(win)
    yield win
    win.shutdown()


def test_return_with_a_reason_releases_the_order(window: PharmacyWindow,
                                                journey: Journey) -> None:
    _, order = journey.order(journey.approved())
    view = window.inbox_view
    view.refresh()
    view.select_number(order["number"])
    assert cell(view.table, view.table.currentRow(), 0) == order["number"]
    view.ask_reason = lambda: "该药品暂时缺货"
    view.return_button.click()
    assert view.message.text() == f"已退单：{order['number']}（该药品暂时缺货）"
    assert order["number"] not in [o["number"] for o in window.inbox.orders]


def test_wedge_burst_is_a_scan_and_slow_keys_are_typing(qtbot: QtBot,
                                                        window: PharmacyWindow) -> None:
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


class DemoLogins:
    """What `common.demo.DemoDirectory.login` gives the screenshot run, from the test's staff."""

    def __init__(self, staff: Callable[..., Staff]) -> None:
        self.staff = staff

    def login(self, username: str) -> Session:
        return self.staff(username).session


def test_every_screen_renders_with_demo_data(qtbot: QtBot, staff: Callable[..., Staff],
                                             journey: Journey) -> None:
    _, order = journey.order(journey.approved())
    store = staff(STORE_STAFF)
    store.api.call("POST", f"/pharmacy/orders/{order['id']}/accept")
    screens: dict[str, QWidget] = screenshots(DemoLogins(staff))
    assert set(screens) == {"login", "inbox", "dispensing", "counter", "summary"}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, widget in screens.items():
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        image = widget.grab()
        assert image.width() > 300 and image.save(str(SHOTS / f"{name}.png"))
        widget.close()
    inbox = screens["inbox"]
    assert isinstance(inbox, PharmacyWindow)
    assert cell(inbox.inbox_view.table, 0, 0) == order["number"]
    dispensing = screens["dispensing"]
    assert isinstance(dispensing, PharmacyWindow)
    assert order["number"] in dispensing.dispensing_view.header.text()
    for screen in screens.values():
        if isinstance(screen, PharmacyWindow):
            screen.shutdown()
