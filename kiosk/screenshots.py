"""Every kiosk screen with demo data, for `rxp screenshots` (`screenshots(demo)` like the other
apps: `demo` has `base_url` and `data` with the demo group's `clients` and `patients`, as
`common.demo.DemoDirectory` does).

The real app and window are driven through the flow against the demo server, with the simulated
card reader (张伟's insurance card) and a simulated printer that runs out of paper, so that the
fault screen is real too. Each screen is kept as a picture of the window at that moment.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QLabel, QWidget

from common.hardware.card.profile import CardProfile
from common.hardware.card.simulator import SimulatedCardReader
from common.hardware.printer.simulator import SimulatedPrinter
from kiosk.app import KioskApp
from kiosk.flow import KioskFlow, KioskSettings, Screen
from kiosk.models import DeliveryMode
from kiosk.service import KioskService
from kiosk.texts import CATALOGUES
from kiosk.ui.window import KioskWindow

__all__ = ["CATALOGUES", "close_all", "screenshots"]

SIZE = (1080, 1920)  # a portrait kiosk screen
PATIENT = "张伟"
DEMO_PIN = "246810"
_alive: list[object] = []  # the app and window live until the screenshot process ends


class Demo(Protocol):
    base_url: str
    data: dict[str, Any]


def wait_until(condition: Callable[[], bool], *, timeout: float = 20.0,
               what: str = "the screen") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def screenshots(demo: Demo) -> dict[str, QWidget]:
    kiosk = next(c for c in demo.data["clients"] if c["kind"] == "kiosk")
    patient = next(p for p in demo.data["patients"] if p["name"] == PATIENT)
    service = KioskService.connect(demo.base_url, client_id=kiosk["client_id"],
                                   client_secret=kiosk["client_secret"],
                                   workstation=kiosk["client_id"])
    reader = SimulatedCardReader(None)
    printer = SimulatedPrinter()
    flow = KioskFlow(KioskSettings(pin_sha256=hashlib.sha256(DEMO_PIN.encode()).hexdigest()))
    app = KioskApp(service, flow=flow, card_reader=reader, printer=printer,
                   kiosk_id=kiosk["client_id"])
    window = KioskWindow(app)
    window.resize(*SIZE)
    window.show()
    app.start()
    _alive.extend([service, app, window, reader, printer])
    screens: dict[str, QWidget] = {}

    def shot(name: str) -> None:
        wait_until(lambda: app.worker.pending == 0, what=f"{name} to settle")
        QCoreApplication.processEvents()
        picture = QLabel()
        picture.setPixmap(window.grab())
        picture.resize(window.size())
        screens[name] = picture

    def on(screen: Screen) -> None:
        wait_until(lambda: flow.screen is screen, what=str(screen))

    shot("home")
    flow.identifying()  # what a patient sees while the card or slip is checked
    shot("identifying")
    flow.reset()
    window.on_sms_button_clicked()
    window.id_number.setText("33010619560312003")
    shot("home_sms_keypad")
    window.on_sms_button_clicked()
    reader.insert(CardProfile.for_kind("foreign"))
    on(Screen.CARD_ERROR)
    shot("card_error")
    reader.remove()
    app.back()
    reader.insert(CardProfile.insurance(patient["insurance_card"], PATIENT))
    on(Screen.PRESCRIPTIONS)
    shot("prescriptions")
    visit = flow.visit
    assert visit is not None
    choosable = next((p for p in visit.prescriptions if p.can_choose), None)
    if choosable is not None:
        app.select_prescription(choosable.id)
        app.choose_mode(DeliveryMode.COURIER)
        wait_until(lambda: bool(flow.visit and flow.visit.options), what="pharmacies")
        option = flow.visit.options[0] if flow.visit else None
        assert option is not None
        app.choose_pharmacy(option.pharmacy_id)
        window.address_detail.setText("文三路 88 号 2 幢 301 室")
        window.recipient.setText(PATIENT)
        window.recipient_phone.setText(patient.get("phone", "13857101234"))
        shot("choose_courier")
        # The patient picks it up in the store after all: a counter to pay at.
        app.choose_mode(DeliveryMode.STORE_PICKUP)
        wait_until(lambda: bool(flow.visit and flow.visit.options), what="pharmacies")
        app.choose_pharmacy(option.pharmacy_id)
        window.on_confirm_clicked()
        on(Screen.PAY)
        shot("pay")
        app.pay_online()
        wait_until(lambda: bool(flow.visit and flow.visit.payment), what="the payment QR")
        shot("pay_qr")
        printer.inject("paper_out")
        app.pay_at_counter()  # the demo's patient changes their mind: pay at the counter
        on(Screen.DONE)
        shot("done_printer_fault")
        app.leave()
        reader.remove()
        reader.insert(CardProfile.insurance(patient["insurance_card"], PATIENT))
        on(Screen.PRESCRIPTIONS)
        visit = flow.visit
        assert visit is not None
        ordered = next(p for p in visit.prescriptions if p.id == choosable.id)
        app.select_prescription(ordered.id)  # chosen already: its progress
        on(Screen.STATUS)
        shot("status")
    app.leave()
    flow.server_unreachable()
    shot("out_of_service")
    flow.server_back()
    app.open_maintenance(DEMO_PIN)
    app.self_test()
    wait_until(lambda: bool(app.self_test_report), what="the self-test")
    shot("maintenance")
    app.close_maintenance()
    reader.remove()
    return screens


def close_all() -> None:
    """Stop what `screenshots` left running (for a caller that goes on, e.g. a test)."""
    for thing in _alive:
        if isinstance(thing, KioskApp):
            thing.stop()
        elif isinstance(thing, QWidget):
            thing.close()
            thing.deleteLater()
        elif isinstance(thing, KioskService | SimulatedCardReader):
            thing.close()
    _alive.clear()
