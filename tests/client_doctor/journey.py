"""Steps of the doctor's journey through the real app, done as a doctor does them (keys,
clicks), shared by the acceptance tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from client_doctor.app import DoctorApp
from client_doctor.editor import Readiness
from client_doctor.ui.editor_view import EditorView
from client_doctor.ui.main_window import MainWindow
from common.api.models import ReviewTask
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.clients import Staff
from tests.helpers import fresh_totp

WAIT = 15_000


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Keys for ASCII; Chinese arrives as an input method's commit, as it does from a pinyin
    IME (QTest cannot press keys for characters that are not on the keyboard)."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def log_in(qtbot: QtBot, app: DoctorApp, demo: DemoGroup, clock: FakeClock,
           username: str = "doctor_wang") -> MainWindow:
    """Start the app and log in through its login dialog with password and TOTP."""
    app.start()
    qtbot.waitUntil(lambda: app.login_dialog is not None and app.login_dialog.isVisible(),
                    timeout=WAIT)
    dialog = app.login_dialog
    assert dialog is not None
    account = demo.account(username)
    qtbot.keyClicks(dialog.username, account.username)
    qtbot.keyClicks(dialog.password, account.password)
    qtbot.keyClicks(dialog.totp_code, fresh_totp(account, clock))
    qtbot.keyClick(dialog.totp_code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(), timeout=WAIT)
    assert app.window is not None
    return app.window


def open_patient(qtbot: QtBot, window: MainWindow, name: str) -> EditorView:
    """Ctrl+O, the patient's name, Enter, Enter."""
    window.open_patient_dialog()
    dialog = window.patient_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    type_text(qtbot, dialog.query, name)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.results.count() > 0, timeout=WAIT)
    dialog.accept()
    editor = window.editor
    qtbot.waitUntil(lambda: editor.editor is not None and not editor.busy, timeout=WAIT)
    return editor


def pick_drug(qtbot: QtBot, editor: EditorView, query: str, name: str | None = None) -> None:
    """Type into the search box, wait for the results, go Down to the first whose generic
    name holds `name` (default: take the first), Enter."""
    box = editor.search
    box.line_edit.setFocus()
    type_text(qtbot, box.line_edit, query)
    qtbot.waitUntil(lambda: box.popup.isVisible() and bool(box.results.items)
                    and not box.searching, timeout=WAIT)
    if name is not None:
        assert any(name in hit.generic_name for hit in box.results.items), name
        while name not in box.results.current.generic_name:
            qtbot.keyClick(box.line_edit, Qt.Key.Key_Down)
    rows = len(editor.editor.lines) if editor.editor else 0
    qtbot.keyClick(box.line_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.editor is not None and len(editor.editor.lines) == rows + 1,
                    timeout=WAIT)


def type_line(qtbot: QtBot, editor: EditorView, **values: str) -> None:
    """From the dose field on, Enter through every field, typing the values given."""
    for name in ("dose", "dose_unit", "route", "frequency", "days"):
        field = editor.fields[name]
        field.setFocus()
        if name in values:
            field.selectAll()
            type_text(qtbot, field, values[name])
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert not editor.entry_error.isVisible(), editor.entry_error.text()


def settled(editor: EditorView) -> bool:
    """Checked and saved: the answers are about what is on the screen."""
    model = editor.editor
    return (model is not None and not editor.busy and model.readiness is not Readiness.CHECKING
            and model.up_to_date_on_server)


def click_ok(qtbot: QtBot, dialog: Any) -> None:
    ok = dialog.findChild(QDialogButtonBox).findChild(QPushButton, "ok")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def sign(qtbot: QtBot, editor: EditorView, *, before_confirm: Callable[[], None] | None = None,
         override_reason: str | None = None) -> str:
    """F9, the reasons for warnings that need one (if `override_reason`), read what is
    signed, confirm; returns the text the dialog showed."""
    qtbot.waitUntil(lambda: settled(editor), timeout=WAIT)
    window = editor.window()
    window.activateWindow()  # F9 is a shortcut of the window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)
    qtbot.keyClick(editor.search.line_edit, Qt.Key.Key_F9)
    if override_reason is not None:
        qtbot.waitUntil(lambda: editor.override_dialog is not None
                        and editor.override_dialog.isVisible(), timeout=WAIT)
        overrides = editor.override_dialog
        assert overrides is not None
        for edit in overrides.reasons.values():
            type_text(qtbot, edit, override_reason)
        click_ok(qtbot, overrides)
    qtbot.waitUntil(lambda: editor.confirm_dialog is not None
                    and editor.confirm_dialog.isVisible(), timeout=WAIT)
    dialog = editor.confirm_dialog
    assert dialog is not None
    shown = dialog.content.toPlainText()
    if before_confirm is not None:
        before_confirm()
    click_ok(qtbot, dialog)
    return shown


def review_task(staff: Callable[..., Staff], prescription_id: uuid.UUID
                ) -> tuple[Staff, ReviewTask]:
    """The pharmacist the review task went to, and the task."""
    for username in ("pharm_chen", "pharm_liu"):
        pharmacist = staff(username)
        for item in pharmacist.api.review_queue().items:
            if item.task.prescription_id == prescription_id:
                return pharmacist, item.task
    raise AssertionError("no pharmacist holds the review task")


def approve(staff: Callable[..., Staff], prescription_id: uuid.UUID) -> None:
    pharmacist, task = review_task(staff, prescription_id)
    document = pharmacist.api.decision_document(task.id, "approved")
    signature, algorithm = pharmacist.sign(document.document)
    pharmacist.api.approve(task.id, version=task.version, signature=signature,
                           algorithm=algorithm)


def reject(staff: Callable[..., Staff], prescription_id: uuid.UUID, text: str) -> None:
    pharmacist, task = review_task(staff, prescription_id)
    code = next(iter(pharmacist.api.rejection_reasons()))
    document = pharmacist.api.decision_document(task.id, "rejected", reason_code=code,
                                                reason_text=text)
    signature, algorithm = pharmacist.sign(document.document)
    pharmacist.api.reject(task.id, version=task.version, signature=signature,
                          algorithm=algorithm, reason_code=code, reason_text=text)
