"""A line scanner on a serial port (RS-232, or USB in CDC/virtual-COM mode): each code arrives
as one line ending in CR, LF or CR LF."""

from __future__ import annotations

import time

import serial

from common.hardware.errors import ScannerDisconnected, ScannerUnavailable
from common.hardware.scanner.base import Scan


class SerialScanner:
    def __init__(self, port: serial.Serial, *, source: str = "") -> None:
        self.port = port
        self.source = source or str(port.port)
        self._buffer = bytearray()

    def _take_line(self) -> str | None:
        while True:
            ends = [i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0]
            if not ends:
                return None
            end = min(ends)
            line = bytes(self._buffer[:end]).strip()
            del self._buffer[:end + 1]
            if line:  # the LF of CR LF leaves an empty line behind
                return line.decode("utf-8", errors="replace")

    def read(self, timeout: float | None = None) -> Scan | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            line = self._take_line()
            if line is not None:
                return Scan(line, "", self.source, time.monotonic())
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            try:
                self.port.timeout = 0.1 if remaining is None else min(0.1, remaining)
                self._buffer += self.port.read(max(1, self.port.in_waiting))
            except (serial.SerialException, OSError, TypeError) as exc:
                # pyserial reports an unplugged device (or a pty whose other end is gone) as
                # "readiness to read but returned no data", sometimes as an OSError.
                raise ScannerDisconnected() from exc

    def close(self) -> None:
        self.port.close()


def open_serial_scanner(device: str, *, baudrate: int = 9600) -> SerialScanner:
    try:
        port = serial.Serial(device, baudrate=baudrate, timeout=0.1)
    except (serial.SerialException, OSError) as exc:
        raise ScannerUnavailable(f"无法打开扫码枪端口 {device}：{exc}") from exc
    return SerialScanner(port, source=device)
