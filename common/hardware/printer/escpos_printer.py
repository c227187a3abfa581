"""An ESC/POS receipt printer on a serial line (or anything with pyserial's read/write).

Every print asks the printer's real-time status first and refuses to send anything to a
printer that cannot print (nothing is printed, the error says why), then asks again after
the receipt: a fault found then is raised with `after_printing=True`, the receipt may be
incomplete. "Paper near end" is not a fault; it is in the returned status for the apps to
warn the staff.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import serial

from common.hardware.errors import PrinterNotResponding, PrinterUnavailable
from common.hardware.printer.receipt import ReceiptElement, render_escpos
from common.hardware.printer.status import DLE_EOT, STATUS_QUERIES, PrinterStatus, is_status_byte


class PrinterPort(Protocol):
    timeout: float | None

    def write(self, data: bytes, /) -> int | None: ...

    def read(self, size: int = 1, /) -> bytes: ...

    def reset_input_buffer(self) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class EscPosPrinter:
    def __init__(self, port: PrinterPort, *, name: str = "", status_timeout: float = 1.0) -> None:
        self.port = port
        self.name = name
        self.status_timeout = status_timeout
        self._lock = threading.Lock()

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._query_status(after_printing=False)

    def print(self, receipt: Sequence[ReceiptElement]) -> PrinterStatus:
        """Prints and returns the status after printing. Raises PaperOut, CoverOpen,
        PrinterOffline, PrinterNotResponding (before: nothing printed; after: with
        `after_printing=True`) or PrinterUnavailable."""
        data = render_escpos(receipt)
        with self._lock:
            self._query_status(after_printing=False).raise_for_fault()
            self._send(data)
            after = self._query_status(after_printing=True)
            after.raise_for_fault(after_printing=True)
            return after

    def close(self) -> None:
        self.port.close()

    def _send(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except (serial.SerialException, OSError) as exc:
            raise PrinterUnavailable(f"打印机连接中断：{exc}") from exc

    def _query_status(self, *, after_printing: bool) -> PrinterStatus:
        answers: dict[int, int] = {}
        try:
            self.port.timeout = self.status_timeout
            self.port.reset_input_buffer()
            for n in STATUS_QUERIES:
                self.port.write(DLE_EOT + bytes([n]))
                self.port.flush()
                answer = self.port.read(1)
                if len(answer) != 1 or not is_status_byte(answer[0]):
                    raise PrinterNotResponding(after_printing=after_printing)
                answers[n] = answer[0]
        except (serial.SerialException, OSError) as exc:
            raise PrinterUnavailable(f"打印机连接中断：{exc}") from exc
        return PrinterStatus.from_answers(answers)


def open_serial_printer(device: str, *, baudrate: int = 9600,
                        status_timeout: float = 1.0) -> EscPosPrinter:
    try:
        port = serial.Serial(device, baudrate=baudrate, timeout=status_timeout,
                             write_timeout=10)
    except (serial.SerialException, OSError) as exc:
        raise PrinterUnavailable(f"无法打开打印机端口 {device}：{exc}") from exc
    return EscPosPrinter(port, name=device, status_timeout=status_timeout)

