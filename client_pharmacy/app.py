"""Starting the pharmacy counter: the workstation file (server, printer, scanners), log in, then
the counter window with its live order inbox; `python -m client_pharmacy`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from client_pharmacy.ui.window import PharmacyWindow
from common.api import ApiClient
from common.auth import Session
from common.qt.app import create_application
from common.qt.crash import CrashHandler
from common.qt.login import LoginDialog
from common.qt.selftest import AppSelfTest
from common.workstation import WorkstationConfigError, app_data_dir, load_workstation

APP_NAME = "rxp-pharmacy"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
CATALOGUE = "rxp_pharmacy"
# The drivers of the counter's printer and scanners load on first use: the self-test loads them.
SELF_TEST = AppSelfTest(APP_NAME, [(CATALOGUE, I18N_DIR)], modules=(
    "common.hardware.printer.escpos_printer", "common.hardware.scanner.serial_scanner",
    "common.hardware.scanner.camera"), devices=True)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO)
    app, _ = create_application(APP_NAME, argv, catalogues=[(CATALOGUE, I18N_DIR)])
    try:
        config = load_workstation()
    except WorkstationConfigError as error:
        QMessageBox.critical(None, app.translate("Startup", "Workstation configuration"),
                             str(error))
        return 2
    crash = CrashHandler(app_data_dir(APP_NAME) / "logs", app_name=APP_NAME)
    crash.install()
    api = ApiClient(config.server_url, verify=config.verify, workstation=config.workstation_id)
    session = Session(api, idle_minutes=config.idle_lock_minutes)
    login = LoginDialog(session.login, title=app.translate(
        "Startup", "Log in · Pharmacy counter"))
    if login.exec() != LoginDialog.DialogCode.Accepted or session.user is None:
        return 0
    devices = config.devices
    window = PharmacyWindow(
        api, me=session.user, printer_url=devices.printer,
        scanner_urls=tuple(url for url in (devices.scanner, devices.camera) if url))
    window.show()
    try:
        return app.exec()
    finally:
        window.close()
        session.logout()
        api.close()


if __name__ == "__main__":
    sys.exit(main())
