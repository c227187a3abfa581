"""Starting the review workstation: log in, then the main window with its live event stream
and connectivity monitor; `python -m client_pharmacist`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from client_pharmacist.signing_key import SigningKeyStore
from client_pharmacist.ui.main_window import MainWindow
from client_pharmacist.ui.services import AppServices, LiveBridge
from common.api import ApiClient
from common.auth import Session
from common.events import EventSubscriber
from common.offline import ConnectivityMonitor
from common.qt.app import create_application
from common.qt.clock import Clock, utc_now
from common.qt.crash import CrashHandler
from common.qt.login import LoginDialog
from common.qt.selftest import AppSelfTest
from common.qt.worker import Worker
from common.workstation import WorkstationConfigError, app_data_dir, load_workstation

log = logging.getLogger(__name__)

APP_NAME = "pharmacist"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
CATALOGUE = "rxp_pharmacist"
SELF_TEST = AppSelfTest(APP_NAME, [(CATALOGUE, I18N_DIR)], signing=True)


class Workstation:
    """One logged-in pharmacist's window and the threads that feed it. `start()` once;
    `shutdown()` stops the threads and closes the window."""

    def __init__(self, api: ApiClient, session: Session, *, clock: Clock = utc_now,
                 monitor: ConnectivityMonitor | None = None) -> None:
        user = session.user
        if user is None or session.username is None:
            raise RuntimeError("log in before opening the workstation")
        self.api = api
        self.session = session
        self.worker = Worker(max_threads=4)
        self.bridge = LiveBridge()
        self.services = AppServices(api=api, worker=self.worker,
                                    keys=SigningKeyStore(session.store, session.username),
                                    me=user, clock=clock)
        self.window = MainWindow(self.services, self.bridge)
        self.events = EventSubscriber(api, on_event=self.bridge.on_event,
                                      on_connection=self.bridge.on_stream)
        self.monitor = monitor if monitor is not None else ConnectivityMonitor(api)
        self.monitor.add_listener(self.bridge.on_connectivity)

    def start(self) -> None:
        self.events.start()
        self.monitor.start()
        self.window.start()
        self.window.show()

    def shutdown(self) -> None:
        self.events.stop()
        self.monitor.stop()
        self.window.close()
        self.worker.shutdown()
        self.window.deleteLater()
        self.bridge.deleteLater()


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
        "Startup", "Log in · Prescription review"))
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
