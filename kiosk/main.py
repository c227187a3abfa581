"""Starting the kiosk: the workstation file (server, kiosk id, device URLs), the kiosk's client
secret (the OS keyring, or `RXP_KIOSK_CLIENT_SECRET` for a locked-down session that has none),
the staff PIN and idle time, the devices, then the full-screen window. A crash shows no stack
trace to the patient: the crash handler logs it and the flow goes back to home with the visit
dropped. docs/kiosk.md has every setting.

`--demo-file` (what the demo launcher passes) takes the server, the kiosk's client credentials
and the demo's devices from `.rxp/demo.json` instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from common.api import ApiClient
from common.auth import CredentialStore
from common.hardware import open_card_reader, open_printer, open_scanner
from common.hardware.errors import DeviceError
from common.qt.app import create_application
from common.qt.crash import CrashHandler
from common.qt.selftest import AppSelfTest
from common.selftest import CheckResult
from common.workstation import (
    WorkstationConfigError,
    WorkstationSettings,
    app_data_dir,
    load_workstation,
)
from kiosk.app import KioskApp
from kiosk.devices import ReporterSettings, scanner_device
from kiosk.flow import KioskFlow, KioskSettings
from kiosk.service import KioskService
from kiosk.texts import CATALOGUES
from kiosk.ui.window import KioskWindow

APP_NAME = "rxp-kiosk"
DEFAULT_PIN = "000000"  # only until the site sets RXP_KIOSK_PIN_SHA256 (docs/kiosk.md)
SIMULATED_CARD_READER = "sim://?card=none"
SIMULATED_PRINTER = "sim://"
SECRET_ENV = "RXP_KIOSK_CLIENT_SECRET"  # noqa: S105 (the variable's name, not a secret)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rxp-kiosk", description="处方自助机")
    parser.add_argument("--server", help="server URL (default: workstation.toml)")
    parser.add_argument("--workstation-id", help="ignored with --demo-file (the launcher's)")
    parser.add_argument("--demo-file", type=Path,
                        help="demo.json of `rxp demo`: server, kiosk credentials, devices")
    parser.add_argument("--card-reader", help="device URL of the card reader")
    parser.add_argument("--scanner", help="device URL of the slip scanner or camera")
    parser.add_argument("--printer", help="device URL of the receipt printer")
    parser.add_argument("--idle-seconds", type=float,
                        help="back to home after this long untouched (default 60)")
    parser.add_argument("--device-report-seconds", type=float,
                        help="device status heartbeat to the server (default 60)")
    parser.add_argument("--windowed", action="store_true", help="a window, not full screen")
    return parser.parse_args(list(argv))


@dataclass(frozen=True)
class KioskConfig:
    server_url: str
    verify: bool | str
    kiosk_id: str
    secret: str | None
    card_reader: str
    scanner: str | None
    printer: str
    idle_seconds: float
    pin_sha256: str
    report_seconds: float


def _from_demo(args: argparse.Namespace, path: Path) -> KioskConfig:
    demo: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    client = next(c for c in demo["clients"] if c["kind"] == "kiosk")
    devices: dict[str, str] = demo.get("kiosk_devices", {})
    return KioskConfig(
        server_url=args.server or demo["base_url"], verify=True, kiosk_id=client["client_id"],
        secret=client["client_secret"],
        card_reader=args.card_reader or devices.get("card_reader") or SIMULATED_CARD_READER,
        scanner=args.scanner or devices.get("scanner"),
        printer=args.printer or devices.get("printer") or SIMULATED_PRINTER,
        idle_seconds=_idle_seconds(args), pin_sha256=_pin_sha256(),
        report_seconds=_report_seconds(args))


def _from_workstation(args: argparse.Namespace) -> KioskConfig:
    config = load_workstation()
    kiosk_id, secret, _ = _client_secret(config)
    devices = config.devices
    return KioskConfig(
        server_url=args.server or config.server_url, verify=config.verify, kiosk_id=kiosk_id,
        secret=secret,
        card_reader=args.card_reader or devices.card_reader or SIMULATED_CARD_READER,
        scanner=args.scanner or devices.scanner or devices.camera,
        printer=args.printer or devices.printer or SIMULATED_PRINTER,
        idle_seconds=_idle_seconds(args), pin_sha256=_pin_sha256(),
        report_seconds=_report_seconds(args))


def _client_secret(config: WorkstationSettings) -> tuple[str, str | None, str]:
    """The kiosk's id, its client secret and where the secret came from."""
    kiosk_id = config.kiosk_id or config.workstation_id or "KIOSK"
    if os.environ.get(SECRET_ENV):
        return kiosk_id, os.environ[SECRET_ENV], SECRET_ENV
    store = CredentialStore(config.server_url)
    return kiosk_id, store.device_credential(kiosk_id), f"keyring {store.service}"


def check_credential(config: WorkstationSettings | None) -> CheckResult:
    """Self-test: the kiosk has a client secret to log in to the server with."""
    if config is None:
        return CheckResult("credential", False, "no workstation configuration, no kiosk id")
    kiosk_id, secret, source = _client_secret(config)
    if not secret:
        return CheckResult("credential", False, f"no client secret for kiosk {kiosk_id} in "
                                                f"{source} nor in {SECRET_ENV}")
    return CheckResult("credential", True, f"client secret of kiosk {kiosk_id} from {source}")


# The drivers load on first use (a simulator needs none): the self-test loads every one.
SELF_TEST = AppSelfTest(APP_NAME, CATALOGUES, extra=(check_credential,), modules=(
    "common.hardware.card.pcsc", "common.hardware.printer.escpos_printer",
    "common.hardware.scanner.serial_scanner", "common.hardware.scanner.camera"),
    devices=True, kiosk=True)


def _idle_seconds(args: argparse.Namespace) -> float:
    if args.idle_seconds is not None:
        return float(args.idle_seconds)
    raw = os.environ.get("RXP_KIOSK_IDLE_SECONDS")
    return float(raw) if raw else KioskSettings.idle_seconds


def _report_seconds(args: argparse.Namespace) -> float:
    raw = args.device_report_seconds
    if raw is None:
        raw = os.environ.get("RXP_KIOSK_DEVICE_REPORT_SECONDS") or None
    seconds = ReporterSettings.heartbeat_seconds if raw is None else float(raw)
    if not 5 <= seconds <= 240:  # under the server's 5 minutes, or every device looks silent
        raise ValueError(f"device report interval {seconds:g} s: between 5 and 240 s")
    return seconds


def _pin_sha256() -> str:
    return (os.environ.get("RXP_KIOSK_PIN_SHA256")
            or hashlib.sha256(DEFAULT_PIN.encode()).hexdigest())


def _refuse(title: str, text: str) -> int:
    QMessageBox.critical(None, title, text)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, force=True)  # python-escpos configured it on import
    app, _ = create_application(APP_NAME, [sys.argv[0]], catalogues=CATALOGUES,
                                require_cjk_font=True)
    translate = QCoreApplication.translate
    try:
        config = _from_demo(args, args.demo_file) if args.demo_file else _from_workstation(args)
    except (WorkstationConfigError, ValueError, OSError, KeyError, StopIteration) as error:
        return _refuse(translate("KioskMain", "Workstation configuration error"), str(error))
    if not config.secret:
        return _refuse(translate("KioskMain", "No kiosk credentials"), translate(
            "KioskMain", "Set the client secret of kiosk %1 in the system keyring or in the "
            "environment variable RXP_KIOSK_CLIENT_SECRET.").replace("%1", config.kiosk_id))

    def client() -> ApiClient:
        return ApiClient(config.server_url, verify=config.verify, workstation=config.kiosk_id)

    service = KioskService(client(), client(), client_id=config.kiosk_id,
                           client_secret=config.secret)
    try:
        kiosk = KioskApp(
            service, flow=KioskFlow(KioskSettings(idle_seconds=config.idle_seconds,
                                                  pin_sha256=config.pin_sha256)),
            card_reader=open_card_reader(config.card_reader),
            scanner=open_scanner(config.scanner) if config.scanner else None,
            scanner_device=scanner_device(config.scanner or ""),
            printer=open_printer(config.printer), kiosk_id=config.kiosk_id,
            reporting=ReporterSettings(heartbeat_seconds=config.report_seconds))
    except DeviceError as error:
        return _refuse(translate("KioskMain", "Device error"), error.message)
    window = KioskWindow(kiosk)
    crash = CrashHandler(app_data_dir(APP_NAME) / "logs", app_name=APP_NAME,
                         recover=lambda report: kiosk.flow.reset())
    crash.install()
    kiosk.start()
    if args.windowed or args.demo_file:  # a demo shares the desktop with the launcher
        window.resize(720, 1280)
        window.show()
    else:
        window.showFullScreen()
    try:
        return app.exec()
    finally:
        kiosk.stop()


if __name__ == "__main__":
    sys.exit(main())
