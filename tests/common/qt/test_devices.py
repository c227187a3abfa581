"""Device events reach Qt on the GUI thread, whichever driver thread produced them."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QThread
from pytestqt.qtbot import QtBot

from common.hardware import open_scanner
from common.hardware.card.pcsc import PcscCardReader
from common.hardware.card.profile import CardEvent, CardEventKind, CardProfile
from common.hardware.errors import ScannerDisconnected
from common.hardware.scanner.simulator import SimulatedScanner
from common.qt.devices import CardEvents, ScanEvents
from tests.devices import VirtualCardSlot


def on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    assert app is not None
    return QThread.currentThread() is app.thread()


def test_card_events_arrive_as_signals_on_the_gui_thread(
        qtbot: QtBot, virtual_card: VirtualCardSlot) -> None:
    reader = PcscCardReader(virtual_card.reader_name)
    driver_threads: list[threading.Thread] = []

    def note_driver_thread(event: CardEvent) -> None:
        driver_threads.append(threading.current_thread())

    reader.watch(note_driver_thread)
    bridge = CardEvents(reader)
    received: list[tuple[CardEventKind, bool]] = []
    bridge.inserted.connect(lambda event: received.append((event.kind, on_gui_thread())))
    bridge.removed.connect(lambda event: received.append((event.kind, on_gui_thread())))
    bridge.start()
    try:
        with qtbot.waitSignal(bridge.inserted, timeout=5000) as inserted:
            virtual_card.insert(CardProfile.insurance(holder_name="赵六"))
        assert inserted.args[0].atr == CardProfile.insurance().atr
        with qtbot.waitSignal(bridge.removed, timeout=5000):
            virtual_card.remove()
    finally:
        bridge.stop()
        reader.close()
    assert received == [(CardEventKind.INSERTED, True), (CardEventKind.REMOVED, True)]
    assert driver_threads and all(t is not threading.main_thread() for t in driver_threads)


def test_scans_and_scanner_failures_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    scanner = open_scanner("sim://?codes=81234567890123456789")
    assert isinstance(scanner, SimulatedScanner)
    bridge = ScanEvents(scanner)
    threads: list[bool] = []
    bridge.scanned.connect(lambda scan: threads.append(on_gui_thread()))
    bridge.failed.connect(lambda error: threads.append(on_gui_thread()))
    bridge.start()
    try:
        with qtbot.waitSignal(bridge.scanned, timeout=5000) as scanned:
            pass
        assert scanned.args[0].code == "81234567890123456789"
        with qtbot.waitSignal(bridge.failed, timeout=5000) as failed:
            scanner.inject("disconnected")
        assert isinstance(failed.args[0], ScannerDisconnected)
    finally:
        bridge.stop()
    assert threads == [True, True]
