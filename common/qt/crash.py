"""The one crash handler of every app: an exception nobody caught (in a slot, in the GUI thread,
in any Python thread) is written to a log file, told to the user in a modal dialog, and then the
app either exits or goes back to a safe screen, as the app decided when it installed the handler.

An app must not run on after an unexpected exception as if nothing happened: the screen may show
a half-saved prescription. The kiosk's `recover` shows "out of service, please see the counter"
and restarts its flow; a desk app without one exits (the user opens it again).
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

import PySide6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from common.qt.clock import Clock, utc_now

log = logging.getLogger(__name__)

# What `exec()` returns after a crash when the app has no way back to a safe screen.
CRASH_EXIT_CODE = 70  # EX_SOFTWARE


@dataclass(frozen=True)
class CrashReport:
    when: datetime
    app_name: str
    thread_name: str
    exc_type: str
    message: str
    traceback: str
    log_path: Path | None  # None when the log could not be written
    log_error: str | None = None  # why not


def format_crash_log(*, app_name: str, when: datetime, thread_name: str,
                     traceback_text: str) -> str:
    return (
        f"rxp crash report\n"
        f"app: {app_name}\n"
        f"time: {when.isoformat()}\n"
        f"thread: {thread_name}\n"
        f"python: {platform.python_version()}  PySide6: {PySide6.__version__}  "
        f"platform: {platform.platform()}\n"
        f"pid: {os.getpid()}\n\n"
        f"{traceback_text}"
    )


def write_crash_log(log_dir: Path, when: datetime, text: str) -> Path:
    """Write `text` to a new file in `log_dir` (created if missing); returns its path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stem = f"crash-{when:%Y%m%d-%H%M%S-%f}"
    path = log_dir / f"{stem}.log"
    n = 1
    while path.exists():  # two crashes in one microsecond (a thread and the GUI)
        path = log_dir / f"{stem}-{n}.log"
        n += 1
    # Owner-only: a traceback may quote what the user was working on.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class CrashDialog(QMessageBox):
    """Modal, in Chinese: what happened, where the log is, and what happens next."""

    def __init__(self, report: CrashReport, *, will_exit: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(self.tr("Program error"))
        self.setText(self.tr("The program ran into an unexpected error; the current operation "
                             "was not completed."))
        if report.log_path is not None:
            where = self.tr("The error details were saved to:\n%1\nPlease give this file to "
                            "the IT department.").replace("%1", str(report.log_path))
        else:
            where = self.tr("The error details could not be saved (%1). Please tell the IT "
                            "department.").replace("%1", report.log_error or "")
        then = (self.tr("The program will close after you press OK; please open it again.")
                if will_exit else
                self.tr("After you press OK the program returns to its start screen."))
        self.setInformativeText(f"{where}\n\n{then}")
        self.setDetailedText(f"{report.exc_type}: {report.message}")
        self.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)


class CrashHandler(QObject):
    """Install once at start-up: `CrashHandler(log_dir, app_name="doctor").install()`.

    `recover(report)` brings the app back to a safe screen after the user closed the dialog;
    without one (or if it raises) the app exits with `CRASH_EXIT_CODE` through `quit_app`.
    """

    crashed = Signal(object)  # CrashReport, on the GUI thread, once the log is written

    # From another thread's excepthook to the GUI thread.
    _from_thread = Signal(object)

    def __init__(self, log_dir: Path, *, app_name: str,
                 recover: Callable[[CrashReport], None] | None = None,
                 quit_app: Callable[[int], None] = QCoreApplication.exit,
                 clock: Clock = utc_now,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_dir = log_dir
        self.app_name = app_name
        self._recover = recover
        self._quit_app = quit_app
        self._clock = clock
        self._previous_excepthook: Callable[..., object] | None = None
        self._previous_threading_hook: Callable[..., object] | None = None
        self.dialog: CrashDialog | None = None
        self._gui_thread = threading.get_ident()  # the handler is made on the GUI thread
        self._from_thread.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._previous_excepthook = sys.excepthook
        self._previous_threading_hook = threading.excepthook
        sys.excepthook = self._excepthook
        threading.excepthook = self._threading_excepthook

    def uninstall(self) -> None:
        if self._previous_excepthook is not None:
            sys.excepthook = self._previous_excepthook
        if self._previous_threading_hook is not None:
            threading.excepthook = self._previous_threading_hook
        self._previous_excepthook = self._previous_threading_hook = None

    def _excepthook(self, exc_type: type[BaseException], exc: BaseException,
                    tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):  # Ctrl-C in a console is not a crash
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.handle(exc_type, exc, tb, threading.current_thread().name)

    def _threading_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:  # as the default hook: a thread's normal way out
            return
        name = args.thread.name if args.thread is not None else "?"
        self.handle(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback, name)

    def handle(self, exc_type: type[BaseException], exc: BaseException,
               tb: TracebackType | None, thread_name: str) -> CrashReport:
        """Log the exception now (in the failing thread: the file must exist even if the GUI
        is gone), then tell the user on the GUI thread."""
        when = self._clock()
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log_path, log_error = None, None
        try:
            log_path = write_crash_log(self.log_dir, when, format_crash_log(
                app_name=self.app_name, when=when, thread_name=thread_name, traceback_text=text))
        except OSError as error:
            log_error = str(error)
        log.critical("uncaught exception in %s, log %s\n%s", thread_name, log_path, text)
        report = CrashReport(when=when, app_name=self.app_name, thread_name=thread_name,
                             exc_type=exc_type.__name__, message=str(exc), traceback=text,
                             log_path=log_path, log_error=log_error)
        if threading.get_ident() == self._gui_thread:
            self._show(report)
        else:
            self._from_thread.emit(report)
        return report

    @Slot(object)
    def _show(self, report: CrashReport) -> None:
        self.crashed.emit(report)
        if self.dialog is not None:
            # One dialog at a time: a failing timer must not stack up dialogs; the log has it.
            return
        dialog = CrashDialog(report, will_exit=self._recover is None)
        self.dialog = dialog
        dialog.finished.connect(self._on_dialog_finished)
        # show(), not open() or exec(): open() makes it window-modal, which without a parent
        # blocks nothing; exec() would nest an event loop inside the excepthook.
        dialog.show()

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        report = dialog.report
        dialog.deleteLater()
        if self._recover is not None:
            try:
                self._recover(report)
                return
            except Exception:
                log.exception("recovery after a crash failed; exiting")
        self._quit_app(CRASH_EXIT_CODE)
