"""Starting the kiosk: the workstation file (server, kiosk id, device URLs), the kiosk's client
secret (the OS keyring, or `RXP_KIOSK_CLIENT_SECRET` for a locked-down session that has none),
the devices, then the full-screen window. A crash shows no stack trace to the patient: the crash
handler logs it and the flow goes back to home with the visit dropped."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QMessageBox

from common.api import ApiClient
from common.auth import CredentialStore
from common.hardware import open_card_reader, open_printer, open_scanner
from common.qt.app import create_application
from common.qt.crash import CrashHandler
from common.workstation import WorkstationConfigError, app_data_dir, load_workstation
from kiosk.app import KioskApp
from kiosk.flow import KioskFlow, KioskSettings
from kiosk.service import KioskService
from kiosk.ui.window import KioskWindow

APP_NAME = "rxp-kiosk"


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO)
    app, _ = create_application(APP_NAME, argv)
    try:
        config = load_workstation()
    except WorkstationConfigError as error:
        QMessageBox.critical(None, "工作站配置错误", str(error))
        return 2
    kiosk_id = config.kiosk_id or config.workstation_id or "KIOSK"
    store = CredentialStore(config.server_url)
    secret = os.environ.get("RXP_KIOSK_CLIENT_SECRET") or store.device_credential(kiosk_id)
    if not secret:
        QMessageBox.critical(None, "缺少终端凭据",
                             f"请为自助机 {kiosk_id} 配置客户端凭据（系统钥匙串或环境变量 "
                             "RXP_KIOSK_CLIENT_SECRET）。")
        return 2
    pin = os.environ.get("RXP_KIOSK_PIN_SHA256") or hashlib.sha256(b"000000").hexdigest()

    def client() -> ApiClient:
        return ApiClient(config.server_url, verify=config.verify, workstation=kiosk_id)

    service = KioskService(client(), client(), client_id=kiosk_id, client_secret=secret)
    devices = config.devices
    kiosk = KioskApp(
        service, flow=KioskFlow(KioskSettings(pin_sha256=pin)),
        card_reader=open_card_reader(devices.card_reader or "sim://?card=none"),
        scanner=open_scanner(devices.scanner) if devices.scanner else None,
        printer=open_printer(devices.printer or "sim://"), kiosk_id=kiosk_id)
    window = KioskWindow(kiosk)
    crash = CrashHandler(app_data_dir(APP_NAME) / "logs", app_name=APP_NAME,
                         recover=lambda report: kiosk.flow.reset())
    crash.install()
    kiosk.start()
    window.showFullScreen()
    try:
        return app.exec()
    finally:
        kiosk.stop()


if __name__ == "__main__":
    sys.exit(main())
