"""Codes into the dispensing screen from every scanner the counter may have.

- keyboard wedge: an application-wide key filter feeds `common.hardware` `KeyboardWedge`; a fast
  burst ending in Enter is a scan, slower keys are a person typing and go on to the focused
  field;
- serial or camera scanner (`open_scanner(url)`): `common.qt.devices.ScanEvents`.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from common.hardware import open_scanner
from common.hardware.scanner.base import Scan
from common.hardware.scanner.wedge import KeyboardWedge, WedgeScan, WedgeTyping
from common.qt.devices import ScanEvents


class WedgeFilter(QObject):
    """`scanned(str)` for each wedge scan; typing is replayed into the focused line edit."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, wedge: KeyboardWedge | None = None
                 ) -> None:
        super().__init__(parent)
        self.wedge = wedge or KeyboardWedge()
        self._timer = QTimer(self)
        self._timer.setInterval(int(self.wedge.max_interval * 1000) + 10)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._timer.start()
        self._replaying = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            char = "\r"
        else:
            char = event.text()
            if not char or not char.isprintable():
                return False
        self._deliver(self.wedge.feed(char, time.monotonic()))
        return True

    def on_timer_timeout(self) -> None:
        self._deliver(self.wedge.flush(time.monotonic()))

    def _deliver(self, outputs: list[WedgeScan | WedgeTyping]) -> None:
        for output in outputs:
            if isinstance(output, WedgeScan):
                self.scanned.emit(output.code)
            else:
                self._type(output.text)

    def _type(self, text: str) -> None:
        focused = QApplication.focusWidget()
        if not isinstance(focused, QLineEdit):
            return
        for char in text:
            if char in "\r\n":
                focused.returnPressed.emit()
            else:
                focused.insert(char)


class DeviceScanner(QObject):
    """A serial or camera scanner from its URL; `scanned(str)` and `failed(str)` on the GUI
    thread."""

    scanned = Signal(str)
    failed = Signal(str)

    def __init__(self, url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self.events = ScanEvents(open_scanner(url), self)
        self.events.scanned.connect(self.on_events_scanned)
        self.events.failed.connect(self.on_events_failed)

    def start(self) -> None:
        self.events.start()

    def stop(self) -> None:
        self.events.stop()
        self.events.scanner.close()

    def on_events_scanned(self, scan: Scan) -> None:
        self.scanned.emit(scan.code)

    def on_events_failed(self, error: Exception) -> None:
        self.failed.emit(getattr(error, "message", str(error)))
