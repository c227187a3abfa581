"""Home is not a patient screen for the flow, but what a patient typed there (an ID number) or
was shown (the masked phone a code went to) goes after the idle time too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from common.qt.app import UiDefaults
from kiosk.app import KioskApp
from kiosk.flow import KioskFlow, KioskSettings, Screen
from kiosk.service import KioskService
from kiosk.ui.window import KioskWindow
from tests.clients import ManualClock


@pytest.fixture
def window(qtbot: QtBot, ui: UiDefaults) -> Iterator[tuple[KioskWindow, ManualClock]]:
    clock = ManualClock()
    # Nobody listens there: this path never calls the server.
    service = KioskService.connect("http://127.0.0.1:9", client_id="K", client_secret="s")
    app = KioskApp(service, flow=KioskFlow(KioskSettings(idle_seconds=60), clock=clock))
    built = KioskWindow(app)
    qtbot.addWidget(built)
    built.show()
    yield built, clock
    app.stop()
    service.close()


def test_what_was_typed_on_home_goes_after_the_idle_time(
        window: tuple[KioskWindow, ManualClock]) -> None:
    win, clock = window
    app = win.app
    win.on_sms_button_clicked()
    for digit in "33010619560312003":
        win.id_keypad.keys[digit].click()
    app.sms_phone = "138****1234"  # as the server's answer to "send me a code" sets it
    win.show_flow()
    assert any("138****1234" in t for t in win.texts()) and win.sms_panel.isVisible()
    clock.advance(seconds=59)
    win.id_keypad.keys["X"].click()  # typing counts as using the kiosk
    clock.advance(seconds=59)
    app.on_tick_timeout()
    assert win.id_number.text() == "33010619560312003X" and app.sms_phone
    clock.advance(seconds=1)
    app.on_tick_timeout()
    assert app.flow.screen is Screen.HOME and app.sms_phone is None
    assert win.id_number.text() == "" and not win.sms_panel.isVisible()
    assert not [t for t in win.texts() if "138****1234" in t or "330106" in t]
