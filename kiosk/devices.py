"""What the kiosk tells the server about its devices (`POST /devices/status`), Qt-free.

The server keeps each kiosk device's last state and counts faults and silent devices in its
metrics, so staff hear of an empty paper roll before the next patient does. The kiosk reports
when a device's state changes (a fault raised or cleared) and, as a heartbeat, every
`heartbeat_seconds` even when nothing changed: a kiosk that stops reporting shows as silent.

Only the latest state of each device is kept, never a queue of reports: while the server is
down the reporter retries with a growing pause and, once it answers, sends what is true now.
At most one report is on its way at a time; a change made meanwhile goes out after it.

`DeviceReporter` decides what to send and when on a clock tests move; the Qt layer
(`kiosk.app`) feeds it device outcomes, sends what it hands out on a worker thread and tells it
how that went. Device states carry device messages only, never patient data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from common.hardware.errors import (
    CardError,
    CoverOpen,
    DeviceError,
    NoCardReader,
    PaperOut,
    PrinterError,
    PrinterNotResponding,
    PrinterOffline,
    PrinterUnavailable,
    ScannerDisconnected,
    ScannerError,
    ScannerUnavailable,
)

log = logging.getLogger(__name__)

Device = Literal["card_reader", "scanner", "printer", "camera"]
DETAIL_LIMIT = 500  # the server's limit on `detail`

# Most specific first: the codes staff and the metrics see (`rxp_kiosk_device_faults{fault}`).
_FAULT_CODES: tuple[tuple[type[DeviceError], str], ...] = (
    (PaperOut, "paper_out"),
    (CoverOpen, "cover_open"),
    (PrinterOffline, "offline"),
    (PrinterNotResponding, "not_responding"),
    (PrinterUnavailable, "disconnected"),
    (PrinterError, "printer_error"),
    (NoCardReader, "disconnected"),
    (CardError, "reader_error"),
    (ScannerDisconnected, "disconnected"),
    (ScannerUnavailable, "unavailable"),
    (ScannerError, "scanner_error"),
)


def fault_code(error: DeviceError) -> str:
    return next((code for cls, code in _FAULT_CODES if isinstance(error, cls)), "device_error")


def scanner_device(url: str) -> Device:
    """A camera (or a video standing in for one) reads slips as images; anything else is a
    scanner. The server tells the two apart in its listing."""
    return "camera" if url.split(":", 1)[0] in ("camera", "file") else "scanner"


@dataclass(frozen=True)
class DeviceState:
    device: Device
    fault: str | None = None  # None: working
    detail: str | None = None

    @classmethod
    def failed(cls, device: Device, error: DeviceError) -> DeviceState:
        return cls(device, fault_code(error), error.message)

    @property
    def state(self) -> str:
        return "ok" if self.fault is None else "fault"

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"device": self.device, "state": self.state}
        if self.fault is not None:
            body["fault"] = self.fault
        if self.detail:
            body["detail"] = self.detail[:DETAIL_LIMIT]
        return body


@dataclass(frozen=True)
class ReporterSettings:
    heartbeat_seconds: float = 60.0  # the server calls a device silent after 5 minutes
    retry_seconds: float = 5.0  # first pause after a failed report; doubles up to the heartbeat


class DeviceReporter:
    """Change detection, heartbeat and retry for one kiosk's device reports.

    `update()` records a device's state as the kiosk sees it now. `next_report()` returns the
    body to send when one is due (a change not yet delivered, or the heartbeat) and nothing is
    on its way; the caller then calls exactly one of `delivered()` or `undelivered()`.
    """

    def __init__(self, devices: Iterable[Device], settings: ReporterSettings | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings or ReporterSettings()
        self.clock = clock
        # None until the device was first checked: a guess would be reported as a change.
        self._current: dict[Device, DeviceState | None] = dict.fromkeys(devices)
        self._delivered: dict[Device, DeviceState] = {}
        self._in_flight: dict[Device, DeviceState] | None = None
        self._last_delivered_at: float | None = None
        self._retry_at = 0.0
        self.failures = 0  # consecutive reports that did not reach the server

    @property
    def devices(self) -> tuple[Device, ...]:
        return tuple(self._current)

    def state(self, device: Device) -> DeviceState | None:
        return self._current.get(device)

    def update(self, state: DeviceState) -> bool:
        """The device's state now; True when that differs from what the kiosk knew."""
        if state.device not in self._current:
            return False  # a device this kiosk does not report (not configured)
        if self._current[state.device] == state:
            return False
        if state.fault is not None:
            log.warning("device %s: %s (%s)", state.device, state.fault, state.detail)
        elif self._current[state.device] is not None:
            log.info("device %s: working again", state.device)
        self._current[state.device] = state
        return True

    def ok(self, device: Device, detail: str | None = None) -> bool:
        return self.update(DeviceState(device, None, detail))

    def failed(self, device: Device, error: DeviceError) -> bool:
        return self.update(DeviceState.failed(device, error))

    @property
    def in_flight(self) -> bool:
        return self._in_flight is not None

    @property
    def pending(self) -> bool:
        """A state the server has not been told yet."""
        return any(s is not None and self._delivered.get(d) != s
                   for d, s in self._current.items())

    def next_report(self) -> dict[str, Any] | None:
        """The body of `POST /devices/status` when a report is due, else None."""
        if self._in_flight is not None:
            return None
        known = {d: s for d, s in self._current.items() if s is not None}
        if not known:
            return None
        now = self.clock()
        if now < self._retry_at:
            return None
        heartbeat = (self._last_delivered_at is None
                     or now - self._last_delivered_at >= self.settings.heartbeat_seconds)
        if not heartbeat and not self.pending:
            return None
        self._in_flight = known
        return {"devices": [s.wire() for s in known.values()]}

    def delivered(self) -> None:
        if self._in_flight is None:
            return
        self._delivered.update(self._in_flight)
        self._in_flight = None
        self._last_delivered_at = self.clock()
        self._retry_at = 0.0
        if self.failures:
            log.info("device status reaches the server again")
        self.failures = 0

    def undelivered(self, error: Exception) -> None:
        """Kept, not queued: the next attempt sends the states of that moment."""
        if self._in_flight is None:
            return
        self._in_flight = None
        self.failures += 1
        pause = min(self.settings.retry_seconds * 2 ** (self.failures - 1),
                    self.settings.heartbeat_seconds)
        self._retry_at = self.clock() + pause
        if self.failures == 1:
            log.warning("device status not delivered: %s", error)
