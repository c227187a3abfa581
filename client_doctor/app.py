"""The doctor app as a whole: start by login or by a launch token from the HIS, then the main
window with live events, the connection monitor and the outbox sender running behind it.

`DoctorApp` owns the Qt-free services (session, monitor, outbox, event subscriber, sender) and
turns their callbacks, which come on their own threads, into queued signals on the GUI thread.
`main(argv)` is `python -m client_doctor`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from client_doctor.launch import LaunchUrlError, launch_token
from client_doctor.signing_keys import SigningKeys
from client_doctor.ui.context import DoctorContext
from client_doctor.ui.main_window import MainWindow
from common.api import ApiClient, RetryPolicy
from common.api.models import Me
from common.auth import CredentialStore, Session, SessionState
from common.events import EventSubscriber
from common.offline import ConnectivityMonitor, Outbox, OutboxSender
from common.offline.monitor import PROBE_INTERVAL
from common.offline.storage import FILE_NAME
from common.qt.app import create_application
from common.qt.crash import CrashHandler
from common.qt.failures import describe_failure
from common.qt.login import LockScreen, LoginDialog
from common.qt.selftest import AppSelfTest
from common.qt.worker import Worker
from common.workstation import WorkstationConfigError, app_data_dir, load_workstation

log = logging.getLogger(__name__)

APP_NAME = "doctor"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
CATALOGUE = "rxp_doctor"
SELF_TEST = AppSelfTest(APP_NAME, [(CATALOGUE, I18N_DIR)], signing=True)


class Bridge(QObject):
    """Signals the background threads emit; the GUI thread receives them queued."""

    live_event = Signal(object)
    connectivity = Signal(object)
    flushed = Signal(object)
    session_state = Signal(object)


class ActivityFilter(QObject):
    """Keys and clicks anywhere in the app count as activity for the idle lock."""

    def __init__(self, touch: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._touch = touch

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
            self._touch()
        return False


class DoctorApp(QObject):
    def __init__(self, api: ApiClient, *, data_dir: Path, store: CredentialStore | None = None,
                 idle_minutes: float = 10.0, probe_interval: float = PROBE_INTERVAL,
                 demo_keys: dict[str, str] | None = None, username: str = "",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.session = Session(api, store=store, idle_minutes=idle_minutes)
        self.monitor = ConnectivityMonitor(api, interval=probe_interval)
        self.outbox = Outbox(data_dir / FILE_NAME)
        self.worker = Worker(self)
        self.ctx = DoctorContext(api, self.session, self.outbox, self.worker)
        self.bridge = Bridge(self)
        self.demo_keys = demo_keys or {}
        self.username = username
        self.login_dialog: LoginDialog | None = None
        self.lock_screen: LockScreen | None = None
        self.window: MainWindow | None = None
        self.events: EventSubscriber | None = None
        self.outbox_sender: OutboxSender | None = None
        self.launch_error: str | None = None
        self.on_login_shown: Callable[[], None] | None = None
        self._closing = False
        self.monitor.add_listener(self.bridge.connectivity.emit)
        self.session.add_listener(self.bridge.session_state.emit)
        self.bridge.session_state.connect(self.on_session_state)
        self._activity = ActivityFilter(self.session.touch, self)

    # -- start ---------------------------------------------------------------------------------

    def start(self, launch: str | None = None) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity)
        self.monitor.start()
        if launch is None:
            self.show_login()
            return
        session = self.session
        task = self.worker.submit(lambda: session.launch(launch))
        task.succeeded.connect(self.on_launched)
        task.failed.connect(self.on_launch_failed)

    def on_launched(self, launched: tuple[Me, uuid.UUID]) -> None:
        me, patient_id = launched
        self.show_main(me, patient_id)

    def on_launch_failed(self, exc: BaseException) -> None:
        self.launch_error = describe_failure(exc).message
        self.show_login(self.launch_error)

    def show_login(self, message: str | None = None) -> None:
        dialog = LoginDialog(self.session.login, username=self.username, worker=self.worker,
                             title=self.tr("Log in · Prescribing workstation"))
        self.login_dialog = dialog
        if message:
            dialog.form_error.setText(message)
            dialog.form_error.show()
        dialog.logged_in.connect(self.on_login_dialog_logged_in)
        dialog.rejected.connect(self.on_login_dialog_rejected)
        dialog.show()
        if self.on_login_shown is not None:
            QTimer.singleShot(0, self.on_login_shown)

    def on_login_dialog_logged_in(self, me: Me) -> None:
        dialog, self.login_dialog = self.login_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.show_main(me, None)

    def on_login_dialog_rejected(self) -> None:
        self.login_dialog = None
        if self.window is None and not self._closing:
            QCoreApplication.exit(0)

    def show_main(self, me: Me, patient_id: uuid.UUID | None) -> None:
        self.install_demo_key()
        window = MainWindow(self.ctx)
        self.window = window
        self.bridge.live_event.connect(window.on_event)
        self.bridge.connectivity.connect(window.on_connectivity)
        self.bridge.flushed.connect(window.on_outbox_flushed)
        window.sign_out_requested.connect(self.sign_out)
        window.on_connectivity(self.monitor.state)
        self.events = EventSubscriber(self.api, on_event=self.bridge.live_event.emit)
        self.events.start()
        self.outbox_sender = OutboxSender(self.outbox, self.api, self.monitor,
                                   owner=lambda: self.session.username,
                                   on_flushed=self.bridge.flushed.emit)
        self.outbox_sender.start()
        window.show()
        window.prescriptions.refresh()
        if patient_id is not None:
            window.open_patient(patient_id)
        log.info("logged in as %s", me.name)

    def install_demo_key(self) -> None:
        """The demo's registered key for the demo user, when the keyring holds none yet."""
        username = self.session.username or ""
        pem = self.demo_keys.get(username)
        keys = SigningKeys(self.session.store, username)
        if pem and keys.private_key() is None:
            keys.install(pem)

    # -- session -------------------------------------------------------------------------------

    def on_session_state(self, state: SessionState) -> None:
        if state is SessionState.LOCKED and self.window is not None:
            if not self.session.can_unlock:
                # Started from the HIS: no password was typed here to unlock with.
                self.sign_out(self.tr("The session was locked after inactivity: log in again "
                                      "or open the workstation from the HIS."))
                return
            self.show_lock_screen()
        elif state is SessionState.LOGGED_OUT and self.window is not None:
            self.close_main()
            self.show_login(self.session.ended_reason)

    def show_lock_screen(self) -> None:
        if self.lock_screen is not None:
            return
        user = self.session.user
        screen = LockScreen(self.session.unlock, user_label=user.name if user else "",
                            worker=self.worker, parent=self.window)
        self.lock_screen = screen
        screen.unlocked.connect(self.on_lock_screen_done)
        screen.sign_out_requested.connect(self.sign_out)
        screen.open()

    def on_lock_screen_done(self, _value: object = None) -> None:
        screen, self.lock_screen = self.lock_screen, None
        if screen is not None:
            screen.deleteLater()

    def sign_out(self, message: str | None = None) -> None:
        self.on_lock_screen_done()
        session = self.session
        self.close_main()
        task = self.worker.submit(session.logout)
        task.finished.connect(lambda: self.show_login(message))

    def close_main(self) -> None:
        if self.events is not None:
            self.events.stop()
            self.events = None
        if self.outbox_sender is not None:
            self.outbox_sender.stop()
            self.outbox_sender = None
        if self.window is not None:
            window, self.window = self.window, None
            window.editor.stop()
            for dialog in window.findChildren(QDialog):
                dialog.close()
            window.close()
            window.deleteLater()

    def shutdown(self) -> None:
        self.close_main()
        self._closing = True
        dialog, self.login_dialog = self.login_dialog, None
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        self.monitor.stop()
        self.worker.shutdown()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity)


# -- the command line ------------------------------------------------------------------------------

def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rxp-doctor", description="开方工作站")
    parser.add_argument("--server", help="server URL (default: workstation.toml)")
    parser.add_argument("--workstation-id", help="workstation id (X-Workstation)")
    parser.add_argument("--launch", metavar="TOKEN", help="launch token from the HIS")
    parser.add_argument("--username", default="", help="user name to fill in")
    parser.add_argument("--demo-file", type=Path,
                        help="demo.json of `rxp demo`: the demo users' signing keys")
    parser.add_argument("--data-dir", type=Path, help="offline outbox folder")
    parser.add_argument("urls", nargs="*", help="rxp-doctor://launch?token=… (from the HIS)")
    return parser.parse_args(list(argv))


def _demo_keys(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    demo: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {a["username"]: a["signing_key"] for a in demo.get("accounts", [])
            if a.get("signing_key")}


def main(argv: Sequence[str] | None = None, *,
         on_login_shown: Callable[[], None] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                                                   "%(message)s")
    app, _ = create_application("rxp-doctor", catalogues=[(CATALOGUE, I18N_DIR)])
    crash = CrashHandler(app_data_dir(APP_NAME) / "logs", app_name=APP_NAME, parent=app)
    crash.install()
    try:
        token = launch_token(args.launch, args.urls)
        verify: bool | str = True
        if args.server:
            server, workstation_id = args.server, args.workstation_id
            idle = 10
        else:
            settings = load_workstation()
            server, verify = settings.server_url, settings.verify
            workstation_id = args.workstation_id or settings.workstation_id
            idle = settings.idle_lock_minutes
    except (WorkstationConfigError, LaunchUrlError) as exc:
        QMessageBox.critical(None, QCoreApplication.translate("DoctorApp", "Cannot start"),
                             str(exc))
        return 2
    api = ApiClient(server, verify=verify, workstation=workstation_id, retry=RetryPolicy())
    doctor = DoctorApp(api, data_dir=args.data_dir or app_data_dir(APP_NAME),
                       idle_minutes=idle, demo_keys=_demo_keys(args.demo_file),
                       username=args.username)
    doctor.on_login_shown = on_login_shown
    doctor.start(token)
    try:
        code = app.exec()
    finally:
        doctor.shutdown()
        api.close()
        crash.uninstall()
    return code
