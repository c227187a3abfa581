"""An uncaught exception (GUI thread or another thread) writes a log, shows one modal Chinese
dialog naming the log, and then the app recovers or exits, as it chose."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from common.qt.crash import CRASH_EXIT_CODE, CrashHandler, CrashReport
from tests.common.qt.screenshots import save_screenshot


class PrescriptionStateError(Exception):
    pass


def fail_in_a_slot() -> None:
    raise PrescriptionStateError("处方状态异常")


@pytest.fixture
def installed() -> Iterator[list[CrashHandler]]:
    """Handlers made by a test, uninstalled afterwards whatever happened."""
    handlers: list[CrashHandler] = []
    hooks = (sys.excepthook, threading.excepthook)
    yield handlers
    for handler in reversed(handlers):
        handler.uninstall()
        if handler.dialog is not None:
            handler.dialog.close()
    assert (sys.excepthook, threading.excepthook) == hooks


def test_gui_thread_exception_logs_shows_and_recovers(
        qtbot: QtBot, tmp_path: Path, installed: list[CrashHandler]) -> None:
    recovered: list[CrashReport] = []
    handler = CrashHandler(tmp_path / "logs", app_name="client_doctor", recover=recovered.append)
    installed.append(handler)
    handler.install()
    QTimer.singleShot(0, fail_in_a_slot)
    qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible())
    dialog = handler.dialog
    assert dialog is not None

    (log_file,) = (tmp_path / "logs").iterdir()
    text = log_file.read_text(encoding="utf-8")
    assert "app: client_doctor" in text
    assert "in fail_in_a_slot" in text
    assert "PrescriptionStateError: 处方状态异常" in text
    assert log_file.stat().st_mode & 0o077 == 0

    assert dialog.windowModality() == Qt.WindowModality.ApplicationModal
    assert dialog.windowTitle() == "程序错误"
    assert "意外错误" in dialog.text()
    assert str(log_file) in dialog.informativeText()
    assert "返回初始界面" in dialog.informativeText()
    assert dialog.detailedText() == "PrescriptionStateError: 处方状态异常"
    save_screenshot("crash_dialog", dialog)

    dialog.button(QMessageBox.StandardButton.Ok).click()
    assert [r.log_path for r in recovered] == [log_file]
    assert recovered[0].exc_type == "PrescriptionStateError"
    assert handler.dialog is None


def test_thread_exception_without_recovery_exits(
        qtbot: QtBot, tmp_path: Path, installed: list[CrashHandler]) -> None:
    exits: list[int] = []
    handler = CrashHandler(tmp_path, app_name="kiosk", quit_app=exits.append)
    installed.append(handler)
    handler.install()
    thread = threading.Thread(target=fail_in_a_slot, name="card-reader")
    with qtbot.waitSignal(handler.crashed) as crashed:
        thread.start()
        thread.join()
    (report,) = crashed.args
    assert report.thread_name == "card-reader"
    assert report.log_path is not None and report.log_path.exists()
    assert "thread: card-reader" in report.log_path.read_text(encoding="utf-8")
    qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible())
    assert handler.dialog is not None
    assert "程序将关闭" in handler.dialog.informativeText()
    assert exits == []
    handler.dialog.accept()
    assert exits == [CRASH_EXIT_CODE]


def test_one_dialog_for_a_burst_of_exceptions(
        qtbot: QtBot, tmp_path: Path, installed: list[CrashHandler]) -> None:
    reports: list[CrashReport] = []
    handler = CrashHandler(tmp_path, app_name="client_pharmacy", recover=reports.append)
    installed.append(handler)
    handler.install()
    QTimer.singleShot(0, fail_in_a_slot)
    QTimer.singleShot(0, fail_in_a_slot)
    qtbot.waitUntil(lambda: len(list(tmp_path.iterdir())) == 2)
    qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible())
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(dialogs) == 1
    assert handler.dialog is not None
    handler.dialog.accept()
    assert len(reports) == 1


def test_unwritable_log_folder_is_said_in_the_dialog(
        qtbot: QtBot, tmp_path: Path, installed: list[CrashHandler]) -> None:
    not_a_folder = tmp_path / "logs"
    not_a_folder.write_text("")
    handler = CrashHandler(not_a_folder, app_name="client_admin", recover=lambda _r: None)
    installed.append(handler)
    handler.install()
    QTimer.singleShot(0, fail_in_a_slot)
    qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible())
    assert handler.dialog is not None
    assert handler.dialog.report.log_path is None
    assert "未能保存" in handler.dialog.informativeText()
    handler.dialog.accept()
