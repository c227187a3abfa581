"""Scanners in software, shipped in the product.

- `SimulatedScanner` (`sim://?codes=A,B`): codes queued in process; `scan(code)` adds one.
  Faults (`sim://?fault=…` or `inject`): `disconnected` (the next read raises
  `ScannerDisconnected`), `unavailable` (opening fails with `ScannerUnavailable`).
- `SerialScannerSimulator`: a line scanner on one end of a pty pair: `scan(code)` writes the
  code and CR LF, as a real serial scanner does, for the driver on the other end.
"""

from __future__ import annotations

import contextlib
import queue
import time

import serial

from common.hardware.errors import ScannerDisconnected, ScannerUnavailable, check_fault
from common.hardware.scanner.base import Scan

SCANNER_FAULTS = ("disconnected", "unavailable")


class SimulatedScanner:
    source = "模拟扫码枪"

    def __init__(self, codes: tuple[str, ...] = (), *, faults: tuple[str, ...] = ()) -> None:
        if "unavailable" in faults:
            raise ScannerUnavailable()
        self._codes: queue.Queue[str | None] = queue.Queue()
        self._disconnected = False
        for code in codes:
            self.scan(code)
        for fault in faults:
            self.inject(fault)

    def scan(self, code: str) -> None:
        self._codes.put(code)

    def inject(self, fault: str) -> None:
        check_fault(fault, SCANNER_FAULTS, "scanner")
        if fault == "disconnected":
            self._disconnected = True
            self._codes.put(None)  # wakes a reader blocked in read()
        else:
            raise ScannerUnavailable()

    def read(self, timeout: float | None = None) -> Scan | None:
        if self._disconnected:
            raise ScannerDisconnected()
        try:
            code = self._codes.get(timeout=timeout)
        except queue.Empty:
            return None
        if code is None:
            raise ScannerDisconnected()
        return Scan(code, "", self.source, time.monotonic())

    def close(self) -> None:
        pass


class SerialScannerSimulator:
    def __init__(self, device: str, *, baudrate: int = 9600, terminator: bytes = b"\r\n") -> None:
        self.terminator = terminator
        self._port = serial.Serial(device, baudrate=baudrate, timeout=0.1)

    def scan(self, code: str) -> None:
        self._port.write(code.encode("utf-8") + self.terminator)
        self._port.flush()

    def close(self) -> None:
        with contextlib.suppress(serial.SerialException, OSError):
            self._port.close()
