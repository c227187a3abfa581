"""A kiosk on a test bench: the real server, the app and its window, a card in the vpcd reader,
a pty printer with the simulator on the far end; and a prescription approved for the patient."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

import httpx
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from common.hardware import open_card_reader, open_printer, open_scanner
from common.hardware.card.profile import CardProfile
from common.hardware.printer.simulator import SerialPrinterSimulator
from kiosk.app import KioskApp
from kiosk.flow import KioskFlow, KioskSettings, Screen
from kiosk.service import KioskService
from kiosk.ui.window import KioskWindow
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.clients import FAST_RETRY, ServerThread
from tests.devices import VirtualCardSlot
from tests.server.clinic import Clinic, approved

STAFF_PIN = "246810"


def approved_prescription(server: ServerThread, demo: DemoGroup, clock: FakeClock,
                          patient: str = "张伟") -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            return await approved(Clinic(client, demo, clock), patient=patient)

    return asyncio.run(run())


def slip_qr(server: ServerThread, demo: DemoGroup, clock: FakeClock,
            rx: dict[str, Any]) -> str:
    """The QR payload printed on the prescription's slip (the doctor's printout)."""
    async def run() -> str:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            doctor = await Clinic(client, demo, clock).actor("doctor_wang")
            answer = await doctor.call("GET", f"/prescriptions/{rx['id']}/slip")
            assert answer.status_code == 200, answer.text
            return str(answer.json()["qr_payload"])

    return asyncio.run(run())


def operator_headers(server: ServerThread, demo: DemoGroup, clock: FakeClock,
                     username: str = "sysadmin") -> dict[str, str]:
    """The bearer header of a logged-in operator (a staff account, not the kiosk)."""
    async def run() -> dict[str, str]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            return (await Clinic(client, demo, clock).actor(username)).headers

    return asyncio.run(run())


def patient_card(demo: DemoGroup, name: str = "张伟") -> CardProfile:
    patient = next(p for p in demo.patients if p["name"] == name)
    return CardProfile.insurance(patient["insurance_card"], name)


@dataclass
class Rig:
    qtbot: QtBot
    server: ServerThread
    app: KioskApp
    window: KioskWindow
    card: VirtualCardSlot
    printer_sim: SerialPrinterSimulator

    @property
    def screen(self) -> Screen:
        return self.app.flow.screen

    def wait_for(self, screen: Screen, timeout: int = 15000) -> None:
        try:
            self.qtbot.waitUntil(lambda: self.screen is screen, timeout=timeout)
        except Exception as exc:
            flow = self.app.flow
            raise AssertionError(f"on {flow.screen} ({flow.message}), alerts "
                                 f"{list(flow.alerts)}") from exc

    def buttons(self, containing: str) -> list[QPushButton]:
        page = self.window.currentWidget()
        assert page is not None
        return [b for b in page.findChildren(QPushButton)
                if containing in b.text() and b.isVisibleTo(page) and b.isEnabled()]

    def click(self, containing: str) -> None:
        """Click the button on the current page once it is shown (a new widget is shown by
        a queued event) and enabled."""
        self.qtbot.waitUntil(lambda: bool(self.buttons(containing)), timeout=10000)
        self.buttons(containing)[0].click()

    def pay_in_sandbox(self) -> None:
        visit = self.app.flow.visit
        assert visit is not None and visit.payment is not None
        paid = httpx.post(f"{self.server.url}/payments/sandbox/"
                          f"{visit.payment.gateway_trade_no}/pay", timeout=10)
        assert paid.status_code in (200, 202), paid.text

    def printed(self) -> list[str]:
        return self.printer_sim.printer.lines()


def build_rig(qtbot: QtBot, server: ServerThread, demo: DemoGroup, card: VirtualCardSlot,
              printer_device: str, printer_end: str, *, scanner: str | None = None,
              **app_kw: Any) -> Rig:
    """`scanner`: a scanner's device URL (a `file://` video as the camera), or none;
    `app_kw`: more `KioskApp` settings (timers, device reporting)."""
    kiosk = next(c for c in demo.clients if c["kind"] == "kiosk")
    service = KioskService.connect(server.url, client_id=kiosk["client_id"],
                                   client_secret=kiosk["client_secret"], retry=FAST_RETRY,
                                   workstation="KIOSK-TEST-01")
    printer_sim = SerialPrinterSimulator(printer_end)
    flow = KioskFlow(KioskSettings(idle_seconds=300,
                                   pin_sha256=hashlib.sha256(STAFF_PIN.encode()).hexdigest()))
    app = KioskApp(service, flow=flow, card_reader=open_card_reader(card.url),
                   printer=open_printer(f"serial://{printer_device}?timeout=1"),
                   scanner=open_scanner(scanner) if scanner else None,
                   kiosk_id="KIOSK-TEST-01", poll_ms=200, probe_ms=300, **app_kw)
    window = KioskWindow(app)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    app.start()
    return Rig(qtbot, server, app, window, card, printer_sim)


def tear_down(rig: Rig) -> None:
    rig.app.stop()
    if rig.app.scans is not None:
        rig.app.scans.scanner.close()
    rig.printer_sim.stop()
    rig.app.service.close()
