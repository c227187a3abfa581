"""A receipt printer in software, shipped in the product: for the demo and for tests.

`VirtualPrinter` behaves like an ESC/POS printer on the byte level: it answers DLE EOT status
queries from its state, records what it prints, and prints nothing while it cannot (paper out,
cover open, offline). It is reached two ways:

- `sim://` printer URLs: `SimulatedPrinter`, the real `EscPosPrinter` over a
  `VirtualPrinterPort`, in process;
- `SerialPrinterSimulator`: the printer on one end of a `socat` pty pair, so the real driver
  opens a real tty (`serial:///dev/pts/N`) and the simulator answers from the other end.

Faults (URL `sim://?fault=a,b`, or `inject("a")`, `clear()`):
`paper_out`, `paper_near_end`, `cover_open`, `offline`, `not_responding` (no status
answers, nothing printed), `paper_runs_out` (the paper ends after `runs_out_after` more
printed bytes: the next receipt is cut short and the status after it says paper out).

A DLE EOT sequence inside printed data (possible in raster images) is taken for a status
query, as many real printers do too.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import serial

from common.hardware.errors import check_fault
from common.hardware.printer.decode import decode_escpos
from common.hardware.printer.escpos_printer import EscPosPrinter
from common.hardware.printer.status import PrinterStatus

PRINTER_FAULTS = ("paper_out", "paper_near_end", "cover_open", "offline", "not_responding",
                  "paper_runs_out")


class VirtualPrinter:
    def __init__(self, *, faults: tuple[str, ...] = (), runs_out_after: int = 48) -> None:
        self.paper_out = False
        self.paper_near_end = False
        self.cover_open = False
        self.offline = False
        self.not_responding = False
        self.runs_out_after = runs_out_after
        self.paper_left: int | None = None  # printed bytes until the paper ends; None: plenty
        self.printed = bytearray()
        self._pending = b""
        self._lock = threading.Lock()
        for fault in faults:
            self.inject(fault)

    def inject(self, fault: str) -> None:
        check_fault(fault, PRINTER_FAULTS, "printer")
        with self._lock:
            if fault == "paper_runs_out":
                self.paper_left = self.runs_out_after
                self.paper_near_end = True
            else:
                setattr(self, fault, True)

    def clear(self) -> None:
        """Paper loaded, cover closed, back online."""
        with self._lock:
            self.paper_out = self.paper_near_end = self.cover_open = False
            self.offline = self.not_responding = False
            self.paper_left = None

    @property
    def status(self) -> PrinterStatus:
        stopped = self.paper_out or self.cover_open
        return PrinterStatus(offline=self.offline or stopped, cover_open=self.cover_open,
                             paper_out=self.paper_out, paper_near_end=self.paper_near_end)

    def can_print(self) -> bool:
        return not (self.paper_out or self.cover_open or self.offline or self.not_responding)

    def receive(self, data: bytes) -> bytes:
        """Takes bytes from the host; returns the bytes the printer answers."""
        with self._lock:
            data, self._pending = self._pending + data, b""
            answers = bytearray()
            start = i = 0
            while i < len(data):
                if data[i] != 0x10:
                    i += 1
                    continue
                if len(data) - i < 3:  # a query may be split across reads
                    self._pending = data[i:]
                    break
                if data[i + 1] == 0x04 and data[i + 2] in (1, 2, 3, 4):
                    self._print(data[start:i])
                    if not self.not_responding:
                        answers.append(self.status.answer(data[i + 2]))
                    i += 3
                    start = i
                else:
                    i += 1
            self._print(data[start:len(data) - len(self._pending)])
            return bytes(answers)

    def _print(self, chunk: bytes) -> None:
        if not chunk or not self.can_print():
            return
        if self.paper_left is not None:
            chunk = chunk[:self.paper_left]
            self.paper_left -= len(chunk)
            if self.paper_left <= 0:
                self.paper_out = True
        self.printed += chunk

    def lines(self) -> list[str]:
        """What is on paper so far, as text."""
        with self._lock:
            return decode_escpos(bytes(self.printed))

    def save_text(self, path: Path) -> None:
        path.write_text("\n".join(self.lines()) + "\n", encoding="utf-8")


class VirtualPrinterPort:
    """A pyserial-like port wired straight to a `VirtualPrinter` (for `sim://`)."""

    def __init__(self, printer: VirtualPrinter) -> None:
        self.printer = printer
        self.timeout: float | None = 1.0
        self._answers = bytearray()
        self.closed = False

    def write(self, data: bytes, /) -> int:
        if self.closed:
            raise serial.SerialException("port closed")
        self._answers += self.printer.receive(bytes(data))
        return len(data)

    def read(self, size: int = 1, /) -> bytes:
        # Nothing arrives later in process: an empty read is a timeout, at once.
        chunk = bytes(self._answers[:size])
        del self._answers[:size]
        return chunk

    def reset_input_buffer(self) -> None:
        self._answers.clear()

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class SimulatedPrinter(EscPosPrinter):
    """The `sim://` printer: the real ESC/POS driver talking to a `VirtualPrinter`."""

    def __init__(self, printer: VirtualPrinter | None = None, *,
                 status_timeout: float = 1.0) -> None:
        self.virtual = printer or VirtualPrinter()
        super().__init__(VirtualPrinterPort(self.virtual), name="模拟打印机",
                         status_timeout=status_timeout)

    def inject(self, fault: str) -> None:
        self.virtual.inject(fault)

    def clear(self) -> None:
        self.virtual.clear()

    def lines(self) -> list[str]:
        return self.virtual.lines()


class SerialPrinterSimulator:
    """A `VirtualPrinter` on a serial device (one end of a pty pair)."""

    def __init__(self, device: str, printer: VirtualPrinter | None = None, *,
                 baudrate: int = 9600) -> None:
        self.device = device
        self.printer = printer or VirtualPrinter()
        self._port = serial.Serial(device, baudrate=baudrate, timeout=0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"printer-sim-{device}",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._port.read(max(1, self._port.in_waiting))
                if data:
                    answer = self.printer.receive(data)
                    if answer:
                        self._port.write(answer)
            except (serial.SerialException, OSError, TypeError):
                break  # the other end is gone

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(serial.SerialException, OSError):
            self._port.close()
