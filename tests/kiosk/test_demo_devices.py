"""The demo's kiosk devices (installers/kiosk_devices.py): the pty printer keeps what it printed
as text, and the slip video reads back as the slip's QR through the `file://` camera."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from common.hardware import open_printer, open_scanner
from common.qt.app import UiDefaults
from installers.kiosk_devices import PtyPrinter, slip_video
from kiosk import receipt


def test_the_pty_printer_keeps_its_output_as_text(ui: UiDefaults, tmp_path: Path) -> None:
    text_file = tmp_path / "kiosk" / "printer.txt"
    printer = PtyPrinter(text_file)
    driver = open_printer(printer.url)
    try:
        driver.print(receipt.test_page(kiosk_id="K-DEMO", printed_at="2026-11-27 09:00",
                                       translate=QCoreApplication.translate))
        deadline = time.monotonic() + 5
        while "[切纸]" not in text_file.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, text_file.read_text(encoding="utf-8")
            time.sleep(0.1)
    finally:
        driver.close()
        printer.close()
    lines = text_file.read_text(encoding="utf-8").splitlines()
    assert "自助机打印测试" in lines and "[二维码] RXP-TEST" in lines


def test_the_slip_video_reads_back_as_the_slip_qr(tmp_path: Path) -> None:
    video = slip_video(tmp_path / "slip.avi", "RXP1:ABCDEFGH23")
    scanner = open_scanner(f"file://{video}")
    try:
        scan = scanner.read(timeout=10)
    finally:
        scanner.close()
    assert scan is not None and scan.code == "RXP1:ABCDEFGH23" and scan.symbology == "QRCODE"
