"""Starting the administration workstation: log in, then the main window with the tabs the
account's permissions open; `python -m client_admin`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from client_admin.admin_api import AdminApi
from client_admin.ui.main_window import MainWindow
from client_admin.ui.services import AppServices
from common.api import ApiClient
from common.auth import Session
from common.qt.app import create_application
from common.qt.crash import CrashHandler
from common.qt.login import LoginDialog
from common.qt.selftest import AppSelfTest
from common.qt.worker import Worker
from common.workstation import WorkstationConfigError, app_data_dir, load_workstation

log = logging.getLogger(__name__)

APP_NAME = "admin"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
CATALOGUE = "rxp_admin"
SELF_TEST = AppSelfTest(APP_NAME, [(CATALOGUE, I18N_DIR)], modules=("openpyxl",))


class Workstation:
    """One logged-in administrator's window and the worker threads of its calls. The
    administration app works online only (nothing it does is safe to queue), so it keeps no
    outbox; a call that cannot reach the server says so on its page."""

    def __init__(self, api: ApiClient, session: Session) -> None:
        if session.user is None:
            raise RuntimeError("log in before opening the workstation")
        self.api = api
        self.session = session
        self.worker = Worker(max_threads=4)
        self.services = AppServices(api=api, admin=AdminApi(api), worker=self.worker,
                                    me=session.user)
        self.window = MainWindow(self.services)

    def start(self) -> None:
        self.window.start()
        self.window.show()

    def shutdown(self) -> None:
        self.window.close()
        self.worker.shutdown()
        self.window.deleteLater()


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
    api = ApiClient(config.server_url, verify=config.verify,
                    workstation=config.workstation_id)
    session = Session(api, idle_minutes=config.idle_lock_minutes)
    login = LoginDialog(session.login, title=app.translate(
        "Startup", "Log in · Hospital administration"))
    if login.exec() != LoginDialog.DialogCode.Accepted:
        return 0
    workstation = Workstation(api, session)
    workstation.start()
    try:
        return app.exec()
    finally:
        workstation.shutdown()
        api.close()


if __name__ == "__main__":
    sys.exit(main())
