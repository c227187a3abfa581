from __future__ import annotations

import queue

import pytest

from common.hardware import open_scanner
from common.hardware.errors import DeviceUrlError, ScannerDisconnected, ScannerUnavailable
from common.hardware.scanner.base import Scan, ScannerWorker
from common.hardware.scanner.simulator import SimulatedScanner


def test_codes_from_the_url_then_fed() -> None:
    scanner = open_scanner("sim://?codes=A1,B2")
    assert isinstance(scanner, SimulatedScanner)
    scanner.scan("C3")
    assert [s.code for s in (scanner.read(1), scanner.read(1), scanner.read(1)) if s] == [
        "A1", "B2", "C3"]
    assert scanner.read(timeout=0.05) is None


def test_disconnected_from_the_url_and_injected() -> None:
    with pytest.raises(ScannerDisconnected):
        open_scanner("sim://?fault=disconnected").read(1)
    scanner = open_scanner("sim://")
    assert isinstance(scanner, SimulatedScanner)
    scanner.inject("disconnected")
    with pytest.raises(ScannerDisconnected):
        scanner.read(1)


def test_unavailable() -> None:
    with pytest.raises(ScannerUnavailable):
        open_scanner("sim://?fault=unavailable")
    with pytest.raises(DeviceUrlError):
        open_scanner("sim://?fault=jammed")


def test_worker_calls_back_then_stops_at_the_first_error() -> None:
    scanner = SimulatedScanner(("A1",))
    scans: queue.Queue[Scan] = queue.Queue()
    errors: queue.Queue[Exception] = queue.Queue()
    worker = ScannerWorker(scanner, scans.put, errors.put)
    worker.start()
    try:
        assert scans.get(timeout=2).code == "A1"
        scanner.inject("disconnected")
        assert isinstance(errors.get(timeout=2), ScannerDisconnected)
    finally:
        worker.stop()
