"""Device events on the GUI thread.

Card monitors and scanner workers call back on threads of their own; Qt objects may only be
touched on the GUI thread. Each bridge here re-emits a driver callback through a private signal
connected with `Qt.QueuedConnection`, so its public signals always fire on the thread the
bridge lives in (the GUI thread), whichever thread the driver used.

Call `stop()` before the bridge is deleted: a driver thread must not emit into a dead object.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot

from common.hardware.card.profile import CardEvent, CardEventKind
from common.hardware.card.reader import CardReader
from common.hardware.errors import ScannerError
from common.hardware.scanner.base import Scan, Scanner, ScannerWorker


class CardEvents(QObject):
    """`inserted(CardEvent)` / `removed(CardEvent)` of one card reader, on the GUI thread."""

    inserted = Signal(object)
    removed = Signal(object)
    _arrived = Signal(object)

    def __init__(self, reader: CardReader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reader = reader
        self._arrived.connect(self._on_arrived, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        self.reader.watch(self._from_driver)

    def stop(self) -> None:
        self.reader.unwatch(self._from_driver)

    def _from_driver(self, event: CardEvent) -> None:
        self._arrived.emit(event)

    @Slot(object)
    def _on_arrived(self, event: CardEvent) -> None:
        if event.kind is CardEventKind.INSERTED:
            self.inserted.emit(event)
        else:
            self.removed.emit(event)


class ScanEvents(QObject):
    """`scanned(Scan)` and `failed(ScannerError)` of one scanner, on the GUI thread."""

    scanned = Signal(object)
    failed = Signal(object)
    _scan_arrived = Signal(object)
    _error_arrived = Signal(object)

    def __init__(self, scanner: Scanner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scanner = scanner
        self._scan_arrived.connect(self.scanned, Qt.ConnectionType.QueuedConnection)
        self._error_arrived.connect(self.failed, Qt.ConnectionType.QueuedConnection)
        self._worker: ScannerWorker | None = None

    def start(self) -> None:
        if self._worker is None:
            self._worker = ScannerWorker(self.scanner, self._on_scan, self._on_error)
            self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def _on_scan(self, scan: Scan) -> None:
        self._scan_arrived.emit(scan)

    def _on_error(self, error: ScannerError) -> None:
        self._error_arrived.emit(error)
