"""What every code scanner offers: a blocking `read`, and a worker thread that turns it into
callbacks (which a GUI hands over with `common.qt.devices.ScanEvents`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from common.hardware.errors import ScannerError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scan:
    code: str
    symbology: str  # "QRCODE", "CODE128", … as zbar names them; "" when the device does not say
    source: str
    at: float  # seconds: monotonic clock, or the position in a video file


class Scanner(Protocol):
    source: str

    def read(self, timeout: float | None = None) -> Scan | None:
        """The next code, or None after `timeout` seconds without one. Raises
        ScannerDisconnected when the device (or the video file) is gone."""
        ...

    def close(self) -> None: ...


class ScannerWorker:
    """Reads a scanner on a thread of its own; stops at the first device error."""

    def __init__(self, scanner: Scanner, on_scan: Callable[[Scan], None],
                 on_error: Callable[[ScannerError], None] | None = None) -> None:
        self.scanner = scanner
        self.on_scan = on_scan
        self.on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"scanner-{scanner.source}",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                scan = self.scanner.read(timeout=0.2)
            except ScannerError as error:
                if self.on_error is not None and not self._stop.is_set():
                    self.on_error(error)
                return
            if scan is not None:
                try:
                    self.on_scan(scan)
                except Exception:
                    log.exception("scan callback failed")
