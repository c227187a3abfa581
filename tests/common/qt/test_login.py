"""The login dialog and the lock screen, driven by keyboard as a user would, against a plain
login callable (what the API client's login will be)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from common.qt.failures import describe_failure
from common.qt.login import LockScreen, LoginDialog, validate_login
from common.qt.worker import Worker
from tests.common.qt.screenshots import save_screenshot


class ServerRefused(Exception):
    """Shaped like the API client's errors: the server's message and the field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Session:
    username: str
    token: str


class RecordingLogin:
    def __init__(self, outcome: Exception | None = None,
                 gate: threading.Event | None = None) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.threads: list[int] = []
        self.outcome = outcome
        self.gate = gate

    def __call__(self, username: str, password: str, totp_code: str) -> Session:
        self.calls.append((username, password, totp_code))
        self.threads.append(threading.get_ident())
        if self.gate is not None:
            self.gate.wait(5)
        if self.outcome is not None:
            raise self.outcome
        return Session(username, "access-token")


def open_dialog(qtbot: QtBot, dialog: QDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def type_credentials(qtbot: QtBot, dialog: LoginDialog, code: str = "123456") -> None:
    """Type into whichever field has the focus, moving on with Enter, as a user does."""
    for text in ("doctor01", "Secret-2024"):
        qtbot.keyClicks(QApplication.focusWidget(), text)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert QApplication.focusWidget() is dialog.totp_code
    qtbot.keyClicks(dialog.totp_code, code)


class TestLoginDialog:
    def test_enter_moves_on_and_logs_in(self, qtbot: QtBot, worker: Worker) -> None:
        login = RecordingLogin()
        dialog = LoginDialog(login, worker=worker)
        open_dialog(qtbot, dialog)
        assert dialog.windowTitle() == "登录 · 处方流转平台"
        assert QApplication.focusWidget() is dialog.username
        type_credentials(qtbot, dialog)
        save_screenshot("login_dialog", dialog)
        with qtbot.waitSignal(dialog.logged_in) as logged_in:
            qtbot.keyClick(dialog.totp_code, Qt.Key.Key_Return)
        assert logged_in.args == [Session("doctor01", "access-token")]
        assert login.calls == [("doctor01", "Secret-2024", "123456")]
        assert login.threads[0] != threading.get_ident()
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert dialog.result_value == Session("doctor01", "access-token")

    def test_busy_while_the_call_runs(self, qtbot: QtBot, worker: Worker) -> None:
        gate = threading.Event()
        dialog = LoginDialog(RecordingLogin(gate=gate), worker=worker)
        open_dialog(qtbot, dialog)
        type_credentials(qtbot, dialog)
        dialog.submit_button.click()
        assert dialog.busy
        assert not dialog.username.isEnabled() and not dialog.submit_button.isEnabled()
        assert dialog.status.text() == "正在登录…"
        with qtbot.waitSignal(dialog.logged_in):
            gate.set()
        assert dialog.submit_button.isEnabled() and dialog.status.text() == ""

    def test_server_error_shows_next_to_its_field(self, qtbot: QtBot, worker: Worker) -> None:
        login = RecordingLogin(ServerRefused("动态验证码错误或已使用", field="totp_code"))
        dialog = LoginDialog(login, worker=worker)
        open_dialog(qtbot, dialog)
        type_credentials(qtbot, dialog)
        qtbot.keyClick(dialog.totp_code, Qt.Key.Key_Return)
        assert dialog.busy
        qtbot.waitUntil(lambda: not dialog.busy)
        assert login.calls == [("doctor01", "Secret-2024", "123456")]
        assert dialog.error_for("totp_code") == "动态验证码错误或已使用"
        assert dialog.error_for("password") == ""
        assert dialog.error_for(None) == ""
        assert dialog.isVisible() and dialog.result_value is None
        # A TOTP code is single-use: it is cleared for the next one, and focused.
        assert dialog.totp_code.text() == ""
        assert QApplication.focusWidget() is dialog.totp_code
        save_screenshot("login_dialog_error", dialog)

    def test_error_without_field_shows_for_the_form(self, qtbot: QtBot, worker: Worker) -> None:
        login = RecordingLogin(ServerRefused("用户名、密码或动态验证码错误"))
        dialog = LoginDialog(login, worker=worker)
        open_dialog(qtbot, dialog)
        type_credentials(qtbot, dialog)
        dialog.submit()
        qtbot.waitUntil(lambda: not dialog.busy)
        assert dialog.error_for(None) == "用户名、密码或动态验证码错误"
        assert all(dialog.error_for(f) == "" for f in ("username", "password", "totp_code"))
        assert QApplication.focusWidget() is dialog.password

    def test_unreachable_server(self, qtbot: QtBot, worker: Worker) -> None:
        dialog = LoginDialog(RecordingLogin(ConnectionRefusedError(111, "refused")),
                             worker=worker)
        open_dialog(qtbot, dialog)
        type_credentials(qtbot, dialog)
        dialog.submit()
        qtbot.waitUntil(lambda: not dialog.busy)
        assert dialog.error_for(None) == "无法连接服务器，请检查网络后重试。"

    def test_incomplete_form_is_not_sent(self, qtbot: QtBot, worker: Worker) -> None:
        login = RecordingLogin()
        dialog = LoginDialog(login, username="doctor01", worker=worker)
        open_dialog(qtbot, dialog)
        assert QApplication.focusWidget() is dialog.password
        qtbot.keyClicks(dialog.totp_code, "12a34")  # the validator keeps digits only
        assert dialog.totp_code.text() == "1234"
        dialog.submit()
        assert login.calls == []
        assert dialog.error_for("password") == "请输入密码"
        assert dialog.error_for("totp_code") == "请输入身份验证器上的 6 位动态验证码"
        assert dialog.error_for("username") == ""


class TestLockScreen:
    def test_wrong_then_right_password(self, qtbot: QtBot, worker: Worker) -> None:
        attempts: list[str] = []

        def unlock(password: str) -> str:
            attempts.append(password)
            if password != "Secret-2024":
                raise ServerRefused("密码错误", field="password")
            return "unlocked"

        lock = LockScreen(unlock, user_label="王药师（pharm01）", worker=worker)
        open_dialog(qtbot, lock)
        qtbot.keyClick(lock, Qt.Key.Key_Escape)
        assert lock.isVisible(), "Escape must not unlock"
        lock.close()
        assert lock.isVisible(), "closing must not unlock"

        qtbot.keyClicks(lock.password, "wrong")
        qtbot.keyClick(lock.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: lock.error_for("password") == "密码错误")
        assert lock.password.text() == ""
        save_screenshot("lock_screen", lock)

        qtbot.keyClicks(lock.password, "Secret-2024")
        with qtbot.waitSignal(lock.unlocked) as unlocked:
            qtbot.keyClick(lock.password, Qt.Key.Key_Return)
        assert unlocked.args == ["unlocked"]
        assert attempts == ["wrong", "Secret-2024"]
        assert not lock.isVisible()

    def test_sign_out(self, qtbot: QtBot, worker: Worker) -> None:
        lock = LockScreen(lambda _p: None, user_label="王药师", worker=worker)
        open_dialog(qtbot, lock)
        with qtbot.waitSignal(lock.sign_out_requested):
            lock.sign_out_button.click()
        assert not lock.isVisible()


class TestRules:
    def test_validate_login(self) -> None:
        assert validate_login("doctor01", "pw", "123456") == []
        assert [p.field for p in validate_login(" ", "", "12345")] == [
            "username", "password", "totp_code"]

    @pytest.mark.parametrize(("exc", "field"), [
        (ServerRefused("账号已被冻结，请联系医院管理员"), None),
        (ServerRefused("请输入动态验证码", field="totp_code"), "totp_code"),
    ])
    def test_server_message_is_shown_as_is(self, exc: ServerRefused, field: str | None) -> None:
        described = describe_failure(exc)
        assert (described.field, described.message) == (field, exc.message)

    def test_a_bug_is_not_dressed_as_a_server_message(self) -> None:
        assert describe_failure(KeyError("token")).message == "发生意外错误：KeyError"
