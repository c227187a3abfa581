"""Devices of the kiosk and the pharmacy counter: card readers, code scanners, receipt
printers. Qt-free; `common.qt.devices` hands their events to Qt.

Each device is chosen by a URL in configuration (see docs/hardware.md):

    open_card_reader("pcsc://Virtual PCD 00 00")   open_card_reader("sim://?card=hospital")
    open_scanner("serial:///dev/ttyUSB0?baudrate=9600")   open_scanner("camera://0")
    open_scanner("file:///srv/demo/codes.avi?loop=1")     open_printer("sim://?fault=paper_out")

Every kind has a simulator (`sim://`) that ships in the product, raises the same typed errors
(`common.hardware.errors`) and can inject every fault. Drivers are imported on first use, so
configuring a simulator does not load pyscard or OpenCV.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.hardware.urls import parse_device_url

if TYPE_CHECKING:
    from common.hardware.card.pcsc import PcscCardReader
    from common.hardware.card.simulator import SimulatedCardReader
    from common.hardware.printer.escpos_printer import EscPosPrinter
    from common.hardware.printer.simulator import SimulatedPrinter
    from common.hardware.scanner.camera import CameraScanner
    from common.hardware.scanner.serial_scanner import SerialScanner
    from common.hardware.scanner.simulator import SimulatedScanner


def _faults(options: dict[str, str]) -> tuple[str, ...]:
    return tuple(f for f in options.get("fault", "").split(",") if f)


def open_card_reader(url: str) -> PcscCardReader | SimulatedCardReader:
    """`pcsc://<reader name or index>` (empty: the first reader), or
    `sim://?card=insurance|hospital|foreign|none&number=…&name=…&fault=…`."""
    device = parse_device_url(url, allowed=("pcsc", "sim"))
    if device.scheme == "pcsc":
        from common.hardware.card.pcsc import PcscCardReader

        return PcscCardReader(device.target,
                              removal_grace=device.option_float("removal_grace", 2.0))
    from common.hardware.card.profile import CardProfile
    from common.hardware.card.simulator import SimulatedCardReader

    kind = device.options.get("card", "insurance")
    try:
        card = None if kind == "none" else CardProfile.for_kind(
            kind, device.options.get("number"), device.options.get("name"))
        return SimulatedCardReader(card, faults=_faults(device.options))
    except ValueError as exc:
        from common.hardware.errors import DeviceUrlError

        raise DeviceUrlError(f"模拟读卡器参数无效：{exc}") from exc


def open_scanner(url: str) -> SerialScanner | CameraScanner | SimulatedScanner:
    """`serial:///dev/ttyS0?baudrate=9600`, `camera://0?dedupe=2`,
    `file:///path/frames.avi?dedupe=2&loop=1`, `sim://?codes=A,B&fault=disconnected`."""
    device = parse_device_url(url, allowed=("serial", "camera", "file", "sim"))
    if device.scheme == "serial":
        from common.hardware.scanner.serial_scanner import open_serial_scanner

        return open_serial_scanner(device.target,
                                   baudrate=device.option_int("baudrate", 9600))
    if device.scheme in ("camera", "file"):
        from common.hardware.scanner.camera import open_camera_scanner

        source: int | str = device.target
        if device.scheme == "camera" and (device.target or "0").isdigit():
            source = int(device.target or "0")
        return open_camera_scanner(source, dedupe_window=device.option_float("dedupe", 2.0),
                                   loop=device.options.get("loop", "0") in ("1", "true"))
    from common.hardware.scanner.simulator import SimulatedScanner

    try:
        return SimulatedScanner(tuple(device.option_list("codes")),
                                faults=_faults(device.options))
    except ValueError as exc:
        from common.hardware.errors import DeviceUrlError

        raise DeviceUrlError(f"模拟扫码枪参数无效：{exc}") from exc


def open_printer(url: str) -> EscPosPrinter | SimulatedPrinter:
    """`serial:///dev/ttyS0?baudrate=9600&timeout=1`, or
    `sim://?fault=paper_out,cover_open` (faults: see `printer.simulator`)."""
    device = parse_device_url(url, allowed=("serial", "sim"))
    status_timeout = device.option_float("timeout", 1.0)
    if device.scheme == "serial":
        from common.hardware.printer.escpos_printer import open_serial_printer

        return open_serial_printer(device.target, baudrate=device.option_int("baudrate", 9600),
                                   status_timeout=status_timeout)
    from common.hardware.errors import DeviceUrlError
    from common.hardware.printer.simulator import SimulatedPrinter, VirtualPrinter

    try:
        printer = VirtualPrinter(faults=_faults(device.options))
    except ValueError as exc:
        raise DeviceUrlError(f"模拟打印机参数无效：{exc}") from exc
    return SimulatedPrinter(printer, status_timeout=status_timeout)


__all__ = ["open_card_reader", "open_printer", "open_scanner"]
