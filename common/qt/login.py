"""The login dialog (username, password, 6-digit TOTP code) and the idle lock screen.

Both take a plain callable that does the real work (the API client's login, or a re-check of
the password) and run it on a `Worker`, so the dialog stays responsive and shows a busy state.
A failure carrying a `message` attribute (and optionally the `field` it is about, named as the
server names it: `username`, `password`, `totp_code`) is shown next to that field, in the
server's own words; anything else gets a generic sentence and goes to the log
(`common.qt.failures`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QRegularExpression, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.qt.failures import FieldMessage, describe_failure, is_expected
from common.qt.worker import Task, Worker

# Module-level calls lupdate can read (it extracts `translate("Context", "text")`).
translate = QCoreApplication.translate

log = logging.getLogger(__name__)

# The server's field names (LoginRequest), so its `field` lands on the right input.
USERNAME = "username"
PASSWORD = "password"  # noqa: S105 (a field name)
TOTP_CODE = "totp_code"
TOTP_DIGITS = 6

ERROR_STYLE = "color: #c62828;"


def validate_login(username: str, password: str, totp_code: str) -> list[FieldMessage]:
    """What is wrong with the form before asking the server (empty list: send it)."""
    problems = []
    if not username.strip():
        problems.append(FieldMessage(
            USERNAME, translate("CredentialForm", "Enter your username")))
    if not password:
        problems.append(FieldMessage(
            PASSWORD, translate("CredentialForm", "Enter your password")))
    if not re.fullmatch(rf"\d{{{TOTP_DIGITS}}}", totp_code):
        problems.append(FieldMessage(
            TOTP_CODE, translate("CredentialForm", "Enter the 6-digit code from your "
                                 "authenticator")))
    return problems


class _CredentialDialog(QDialog):
    """Inputs with an error line under each, a form-wide error line, a busy state."""

    succeeded = Signal(object)  # the callable's return value

    def __init__(self, worker: Worker | None, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setModal(True)
        self.setMinimumWidth(380)
        self._worker = worker if worker is not None else Worker(self, max_threads=1)
        self._task: Task | None = None
        self.result_value: Any = None
        self.inputs: dict[str, QLineEdit] = {}
        self.field_errors: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form_error = self._error_label("form_error")
        self.status = QLabel()
        self.status.setObjectName("status")
        self.submit_button = QPushButton()
        self.submit_button.setObjectName("submit")
        # Enter is ours (it moves between fields); a default button would also fire on it.
        self.submit_button.setAutoDefault(False)
        self.submit_button.clicked.connect(self.submit)

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        return label

    def _add_input(self, name: str, label: str, edit: QLineEdit) -> None:
        edit.setObjectName(name)
        error = self._error_label(f"{name}_error")
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(edit)
        box.addWidget(error)
        self.form.addRow(label, box)
        self.inputs[name] = edit
        self.field_errors[name] = error

    def _layout(self, header: QWidget | None, buttons: list[QPushButton]) -> None:
        outer = QVBoxLayout(self)
        if header is not None:
            outer.addWidget(header)
        outer.addLayout(self.form)
        outer.addWidget(self.form_error)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        for button in buttons:
            row.addWidget(button)
        outer.addLayout(row)

    @property
    def busy(self) -> bool:
        return self._task is not None

    def error_for(self, field: str | None) -> str:
        """The message shown for `field` (None: the form-wide one); '' when none."""
        label = self.form_error if field is None else self.field_errors[field]
        return "" if label.isHidden() else label.text()

    def show_errors(self, problems: list[FieldMessage]) -> None:
        self.clear_errors()
        for problem in problems:
            label = self.field_errors.get(problem.field or "", self.form_error)
            label.setText(problem.message)
            label.show()
        if problems:
            self._focus_field(problems[0].field)

    def clear_errors(self) -> None:
        for label in [self.form_error, *self.field_errors.values()]:
            label.clear()
            label.hide()

    def _focus_field(self, field: str | None) -> None:
        edit = self.inputs.get(field or "")
        if edit is not None:
            edit.setFocus()
            edit.selectAll()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        for edit in self.inputs.values():
            edit.setEnabled(not busy)
        self.submit_button.setEnabled(not busy)
        self.status.setText(text if busy else "")

    def _run(self, call: Callable[[], Any], busy_text: str) -> None:
        self.clear_errors()
        self._set_busy(True, busy_text)
        task = self._worker.submit(call)
        self._task = task
        task.succeeded.connect(self._on_task_succeeded)
        task.failed.connect(self._on_task_failed)

    def _on_task_succeeded(self, value: object) -> None:
        self._task = None
        self._set_busy(False)
        self.result_value = value
        self.succeeded.emit(value)
        self.accept()

    def _on_task_failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        failure = describe_failure(exc)
        if not is_expected(exc):
            log.error("call failed", exc_info=exc)
        self._after_failure(failure)

    def _after_failure(self, failure: FieldMessage) -> None:
        self.show_errors([failure])

    def _abandon(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def submit(self) -> None:
        raise NotImplementedError

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # handled by the inputs' returnPressed; never a default button
            return
        super().keyPressEvent(event)


class LoginDialog(_CredentialDialog):
    """`login(username, password, totp_code)` runs on the worker; its return value is emitted
    as `logged_in` and kept in `result_value`, and the dialog is accepted."""

    logged_in = Signal(object)

    def __init__(self, login: Callable[[str, str, str], Any], *, title: str | None = None,
                 username: str = "", worker: Worker | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, parent)
        self._login = login
        self.setWindowTitle(title or self.tr("Log in · Prescription circulation platform"))
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.totp_code = QLineEdit()
        self.totp_code.setMaxLength(TOTP_DIGITS)
        self.totp_code.setValidator(QRegularExpressionValidator(
            QRegularExpression(rf"\d{{0,{TOTP_DIGITS}}}"), self.totp_code))
        self.totp_code.setPlaceholderText(self.tr("6 digits"))
        self._add_input(USERNAME, self.tr("Username"), self.username)
        self._add_input(PASSWORD, self.tr("Password"), self.password)
        self._add_input(TOTP_CODE, self.tr("Verification code"), self.totp_code)
        self.submit_button.setText(self.tr("Log in"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self._layout(None, [self.cancel_button, self.submit_button])
        # Enter moves on to the next field, and logs in from the last one.
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.totp_code.setFocus)
        self.totp_code.returnPressed.connect(self.submit)
        self.succeeded.connect(self.logged_in)
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        username, password, code = (self.username.text().strip(), self.password.text(),
                                     self.totp_code.text())
        problems = validate_login(username, password, code)
        if problems:
            self.show_errors(problems)
            return
        login = self._login
        self._run(lambda: login(username, password, code), self.tr("Logging in…"))

    def _after_failure(self, failure: FieldMessage) -> None:
        # A code is accepted once and expires in seconds: never send the same one again.
        self.totp_code.clear()
        self.show_errors([failure])
        if failure.field is None:
            self._focus_field(PASSWORD)

    def reject(self) -> None:
        self._abandon()
        super().reject()


class LockScreen(_CredentialDialog):
    """Shown when the session idles: only the password of the signed-in user opens it again.

    `unlock(password)` runs on the worker. The screen cannot be closed or escaped; the way out
    other than the password is `sign_out_requested` (the app ends the session).
    """

    unlocked = Signal(object)
    sign_out_requested = Signal()

    def __init__(self, unlock: Callable[[str], Any], *, user_label: str,
                 worker: Worker | None = None, parent: QWidget | None = None) -> None:
        super().__init__(worker, parent)
        self._unlock = unlock
        self._leaving = False
        self.setWindowTitle(self.tr("Screen locked"))
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        header = QLabel(self.tr("The screen was locked after a period of inactivity.\n"
                                "%1, enter your password to continue.").replace("%1", user_label))
        header.setObjectName("header")
        header.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self._add_input(PASSWORD, self.tr("Password"), self.password)
        self.submit_button.setText(self.tr("Unlock"))
        self.sign_out_button = QPushButton(self.tr("Sign out"))
        self.sign_out_button.setObjectName("sign_out")
        self.sign_out_button.setAutoDefault(False)
        self.sign_out_button.clicked.connect(self.sign_out)
        self._layout(header, [self.sign_out_button, self.submit_button])
        self.password.returnPressed.connect(self.submit)
        self.succeeded.connect(self.unlocked)
        self.password.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        password = self.password.text()
        if not password:
            self.show_errors([FieldMessage(
                PASSWORD, translate("CredentialForm", "Enter your password"))])
            return
        unlock = self._unlock
        self._run(lambda: unlock(password), self.tr("Checking…"))

    def _after_failure(self, failure: FieldMessage) -> None:
        self.password.clear()
        self.show_errors([failure])
        self.password.setFocus()

    def sign_out(self) -> None:
        self._abandon()
        self._leaving = True
        self.sign_out_requested.emit()
        super().reject()

    def accept(self) -> None:
        self._leaving = True
        super().accept()

    def reject(self) -> None:
        """Escape does not unlock."""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._leaving:
            super().closeEvent(event)
        else:
            event.ignore()
