"""Every screen of the pharmacy counter app with demo data, for `rxp screenshots`.

`screenshots(demo)` logs store_kangning (吴芳, pharmacy P1) in through `demo.login(username)`
(`common.demo.DemoDirectory` has it) and returns the real screens by name, each in a window of
its own; the caller shows and saves them.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

from client_pharmacy.counter import Dispensing
from client_pharmacy.ui.window import PharmacyWindow
from common.auth import Session
from common.qt.login import LoginDialog

USER = "store_kangning"
USER_NAME = "吴芳"
PHARMACY_NAME = "康宁大药房"
SIZE = (1280, 800)
# What the screens need alive until the run ends (a screenshot run is a process of its own).
_alive: list[object] = []


class Demo(Protocol):
    def login(self, username: str) -> Session: ...


def _window(session: Session, tab: int) -> PharmacyWindow:
    window = PharmacyWindow(session.api, user_name=USER_NAME, pharmacy_name=PHARMACY_NAME,
                            live=False)
    window.resize(*SIZE)
    window.tabs.setCurrentIndex(tab)
    return window


def screenshots(demo: Demo) -> dict[str, QWidget]:
    session = demo.login(USER)
    _alive.append(session)
    login = LoginDialog(lambda *_: None)
    inbox = _window(session, 0)
    if inbox.inbox.orders:
        inbox.inbox_view.table.selectRow(0)
    dispensing = _window(session, 1)
    accepted = [o for o in dispensing.inbox.orders if o["accepted_at"] is not None]
    if accepted:
        order = session.api.call("GET", f"/pharmacy/orders/{accepted[0]['id']}")
        dispensing.dispensing_view.show_order(Dispensing(session.api, order, USER_NAME))
    counter = _window(session, 2)
    if accepted:
        counter.counter_view.show_order(
            session.api.call("GET", f"/pharmacy/orders/{accepted[0]['id']}"))
    summary = _window(session, 3)
    return {"login": login, "inbox": inbox, "dispensing": dispensing, "counter": counter,
            "summary": summary}
