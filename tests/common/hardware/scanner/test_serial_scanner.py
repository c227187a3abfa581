"""The serial line scanner over a real pty pair (socat)."""

from __future__ import annotations

import pytest
import serial

from common.hardware import open_scanner
from common.hardware.errors import ScannerDisconnected, ScannerUnavailable
from common.hardware.ptypair import PtyPair
from common.hardware.scanner.serial_scanner import SerialScanner
from common.hardware.scanner.simulator import SerialScannerSimulator


def test_codes_ending_in_cr_lf_or_crlf(pty_pair: PtyPair) -> None:
    scanner = open_scanner(f"serial://{pty_pair.a}?baudrate=115200")
    assert isinstance(scanner, SerialScanner)
    device = serial.Serial(pty_pair.b, timeout=1)
    try:
        device.write(b"81234567890123456789\r\n(01)06901234567892\rRX-0001\n\r\n")
        codes = [scanner.read(timeout=2) for _ in range(3)]
        assert [scan.code for scan in codes if scan] == [
            "81234567890123456789", "(01)06901234567892", "RX-0001"]
        assert scanner.read(timeout=0.2) is None  # blank lines are not codes
    finally:
        device.close()
        scanner.close()


def test_a_code_split_across_reads(pty_pair: PtyPair) -> None:
    scanner = open_scanner(f"serial://{pty_pair.a}")
    device = serial.Serial(pty_pair.b, timeout=1)
    try:
        device.write(b"8123456789")
        device.flush()
        assert scanner.read(timeout=0.3) is None
        device.write(b"0123456789\r\n")
        scan = scanner.read(timeout=2)
        assert scan is not None and scan.code == "81234567890123456789"
    finally:
        device.close()
        scanner.close()


def test_the_scanner_simulator(pty_pair: PtyPair) -> None:
    simulator = SerialScannerSimulator(pty_pair.b)
    scanner = open_scanner(f"serial://{pty_pair.a}")
    try:
        for code in ("11111111112222222222", "处方号 RX-9"):
            simulator.scan(code)
        assert [s.code for s in (scanner.read(2), scanner.read(2)) if s] == [
            "11111111112222222222", "处方号 RX-9"]
    finally:
        simulator.close()
        scanner.close()


def test_unplugged_scanner() -> None:
    pair = PtyPair()
    scanner = open_scanner(f"serial://{pair.a}")
    try:
        pair.close()
        with pytest.raises(ScannerDisconnected) as caught:
            scanner.read(timeout=2)
        assert "断开" in caught.value.message
    finally:
        scanner.close()


def test_missing_port() -> None:
    with pytest.raises(ScannerUnavailable):
        open_scanner("serial:///dev/rxp-no-such-port")
