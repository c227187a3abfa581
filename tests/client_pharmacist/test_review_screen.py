"""The review screen at a real workstation: login with TOTP, the hits in their colours, signing
an approval or a rejection (the doctor sees it through the API), the conflict of two
pharmacists, annotating, the first-time signing key, offline, and the keyboard shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from client_pharmacist.app import Workstation
from client_pharmacist.signing_key import ENTRY_PREFIX, SigningKeyStore
from client_pharmacist.ui.main_window import MainWindow
from common.api.models import Prescription
from common.auth import CredentialStore, Session
from common.events import resync_event
from common.offline import ConnectivityMonitor
from common.qt.login import LoginDialog
from common.qt.widgets import level_style
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.client_pharmacist.conftest import OpenWorkstation
from tests.client_pharmacist.prescribing import (
    only_on_duty,
    queue_item,
    submit_clean,
    submit_warfarin_patient_aspirin,
)
from tests.client_pharmacist.ui_helpers import cell, press
from tests.clients import ServerThread, Staff
from tests.helpers import fresh_totp

pytestmark = pytest.mark.slow


def open_first(qtbot: QtBot, window: MainWindow, count: int = 1) -> None:
    """Wait for `count` tasks in the live queue, then open the first with Ctrl+N."""
    qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == count, timeout=10_000)
    press(qtbot, window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.review.view is not None, timeout=10_000)


def confirm_signature(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.review.confirm_dialog is not None
                    and window.review.confirm_dialog.isVisible(), timeout=10_000)
    dialog = window.review.confirm_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)


def open_from_senior_view(qtbot: QtBot, window: MainWindow) -> None:
    """A senior pharmacist opens the hospital's one open task (another's) from their view."""
    qtbot.waitUntil(lambda: window.senior_view is not None, timeout=10_000)
    senior = window.senior_view
    assert senior is not None
    senior.refresh_open_tasks()
    qtbot.waitUntil(lambda: senior.open_tasks.rowCount() == 1, timeout=10_000)
    senior.open_tasks.cellClicked.emit(0, 0)  # a click on the row
    qtbot.waitUntil(lambda: window.review.view is not None, timeout=10_000)


def approve_through_the_api(pharmacist: Staff, rx: Prescription) -> None:
    """`pharmacist` approves `rx`'s task from their own workstation, signed."""
    item = queue_item(pharmacist, rx)
    assert item is not None
    document = pharmacist.api.decision_document(item.task.id, "approved")
    signature, algorithm = pharmacist.sign(document.document)
    pharmacist.api.approve(item.task.id, version=item.task.version, signature=signature,
                           algorithm=algorithm)


class TestLogin:
    def test_password_and_totp_open_the_workstation(
            self, qtbot: QtBot, make_api, demo: DemoGroup, clock: FakeClock, memory_keyring,
            no_leaked_windows):
        api = make_api()
        session = Session(api, store=CredentialStore(api.base_url))
        dialog = LoginDialog(session.login)
        qtbot.addWidget(dialog)
        account = demo.account("pharm_liu")
        dialog.username.setText(account.username)
        dialog.password.setText(account.password)
        dialog.totp_code.setText(fresh_totp(account, clock))
        with qtbot.waitSignal(dialog.logged_in, timeout=10_000):
            qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
        station = Workstation(api, session, monitor=ConnectivityMonitor(api, interval=0.3))
        try:
            station.start()
            assert "刘洋" in station.window.windowTitle()
            qtbot.waitUntil(lambda: station.window.on_duty is True, timeout=10_000)
            assert station.window.duty_action.text() == "在岗"
            assert station.window.tabs.count() == 2  # 药师: no senior tab
        finally:
            station.shutdown()


class TestReviewScreen:
    def test_interaction_hit_in_its_colour_with_advice_and_the_doctors_reason(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        rx = submit_warfarin_patient_aspirin(demo, staff("doctor_wang"))
        open_first(qtbot, window)
        review = window.review
        assert rx.number in review.title.text()
        assert review.patient.name.text() == "刘*"  # masked for pharmacists
        assert "心房颤动" in review.patient.diagnoses.text()
        assert "华法林" in review.medications.text()
        assert review.signature_state.text() == "医生签名验证通过"
        interaction = [row for row in review.checks.rows()
                       if row.warning.subject and "华法林" in row.warning.message]
        assert interaction, [r.warning.message for r in review.checks.rows()]
        row = interaction[0]
        assert row.warning.level == 2
        assert row.level_chip.text() == "不推荐"
        assert level_style(2).background in row.level_chip.styleSheet()
        qtbot.waitUntil(lambda: row.advice.isVisibleTo(review))  # layouts show rows queued
        assert "医生坚持开具：已评估，获益大于风险" in \
            row.advice.text()
        assert "第1行" in row.warning.subject
        assert review.lines.rowCount() == 1 and "阿司匹林" in cell(review.lines, 0, 1)
        assert review.lines.cellWidget(0, 8).property("text") == "不推荐"
        assert review.rational_level.text().startswith("审查结果：")
        assert "生产企业" in review.references.text()
        assert review.countdown.text().startswith("剩余")
        assert review.approve_button.text() == "通过（F9）"
        assert review.reject_button.text() == "驳回（F10）"


class TestDeciding:
    def test_approving_with_the_signature_approves_the_prescription(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        doctor = staff("doctor_wang")
        rx = submit_clean(demo, doctor)
        open_first(qtbot, window)
        press(qtbot, window, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: window.review.confirm_dialog is not None, timeout=10_000)
        dialog = window.review.confirm_dialog
        assert dialog is not None
        assert dialog.fields["number"].text() == rx.number
        assert dialog.fields["decision"].text() == "通过"
        confirm_signature(qtbot, window)
        qtbot.waitUntil(lambda: window.review.decision_message.text() == "已签名通过。",
                        timeout=10_000)
        assert doctor.api.get_prescription(rx.id).status == "awaiting_patient_choice"
        qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == 0, timeout=10_000)
        assert not window.review.approve_button.isEnabled()
        qtbot.waitUntil(lambda: window.history.table.rowCount() == 1, timeout=10_000)
        assert cell(window.history.table, 0, 0) == rx.number
        assert cell(window.history.table, 0, 2) == "通过"
        assert window.history.figures["approval_rate"].text() == "100.0%"

    def test_rejecting_with_a_coded_reason_reaches_the_doctor(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        doctor = staff("doctor_wang")
        rx = submit_warfarin_patient_aspirin(demo, doctor)
        open_first(qtbot, window)
        press(qtbot, window, Qt.Key.Key_F10)
        qtbot.waitUntil(lambda: window.review.reject_dialog is not None
                        and window.review.reject_dialog.isVisible())
        dialog = window.review.reject_dialog
        assert dialog is not None
        qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()  # nothing chosen: refused in the dialog
        assert dialog.error.text() == "请选择驳回原因。 请向医生说明驳回理由。"
        dialog.reason.setCurrentIndex(dialog.reason.findData("interaction"))
        assert dialog.reason.currentText() == "联合用药不适宜或有不良相互作用"
        dialog.text.setPlainText("与华法林合用出血风险增加，建议停用阿司匹林")
        qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.review.confirm_dialog is not None, timeout=10_000)
        confirm = window.review.confirm_dialog
        assert confirm is not None
        assert confirm.fields["reason"].text() == "联合用药不适宜或有不良相互作用"
        assert "出血风险" in confirm.fields["reason_text"].text()
        confirm_signature(qtbot, window)
        qtbot.waitUntil(lambda: "已签名驳回" in window.review.decision_message.text(),
                        timeout=10_000)
        seen = doctor.api.get_prescription(rx.id)
        assert seen.status == "rejected"
        assert seen.review is not None and seen.review["reason_code"] == "interaction"
        assert "出血风险" in (seen.transitions[-1].reason or "")

    def test_cancelling_the_confirmation_sends_nothing(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        doctor = staff("doctor_wang")
        rx = submit_clean(demo, doctor)
        open_first(qtbot, window)
        qtbot.mouseClick(window.review.approve_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.review.confirm_dialog is not None, timeout=10_000)
        dialog = window.review.confirm_dialog
        assert dialog is not None
        dialog.reject()
        assert window.review.decision_message.text() == "未签名，未提交任何内容。"
        assert doctor.api.get_prescription(rx.id).status == "under_review"
        assert window.review.approve_button.isEnabled()

    def test_the_second_of_two_pharmacists_sees_a_conflict(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        people = only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_chen")  # senior: opens 刘洋's task from the hospital
        window = station.window
        rx = submit_clean(demo, staff("doctor_wang"))
        open_from_senior_view(qtbot, window)
        assert window.tabs.currentIndex() == 0
        approve_through_the_api(people["pharm_liu"], rx)
        press(qtbot, window, Qt.Key.Key_F9)
        confirm_signature(qtbot, window)
        qtbot.waitUntil(lambda: window.review.decision_message.text().startswith("冲突："),
                        timeout=10_000)
        text = window.review.decision_message.text()
        assert "该审核任务已处理" in text and "已从您的队列中移除" in text
        assert not window.review.approve_button.isEnabled()

    def test_a_resync_reads_the_open_task_again(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        people = only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_chen")  # senior: opens 刘洋's task from the hospital
        window = station.window
        rx = submit_clean(demo, staff("doctor_wang"))
        open_from_senior_view(qtbot, window)
        qtbot.waitUntil(window.review.approve_button.isEnabled, timeout=10_000)
        station.events.stop()  # 刘洋's decision is missed, as by a workstation that was away
        approve_through_the_api(people["pharm_liu"], rx)
        station.events.on_event(resync_event(1))  # as the subscriber delivers it
        qtbot.waitUntil(lambda: not window.review.approve_button.isEnabled(), timeout=10_000)


class TestAnnotating:
    def test_an_annotation_is_saved_and_listed(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        only_on_duty(staff, "pharm_liu")
        station, person = workstation("pharm_liu")
        window = station.window
        submit_clean(demo, staff("doctor_wang"))
        open_first(qtbot, window)
        press(qtbot, window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(window.review.annotation_text.hasFocus)
        window.review.annotation_line.setCurrentIndex(1)
        # Chinese arrives through the input method, not as key presses (QTest cannot type it).
        window.review.annotation_text.insert("建议饭后服用")
        qtbot.keyClick(window.review.annotation_text, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.review.annotations.count() == 1, timeout=10_000)
        assert window.review.annotations.item(0).text() == "[第 1 行] 建议饭后服用 — 刘洋"
        task_id = window.review.task_id
        assert task_id is not None
        saved = person.api.review_task(task_id).annotations
        assert [(a.text, a.line_no) for a in saved] == [("建议饭后服用", 1)]


class TestSigningKey:
    def test_first_time_the_key_pair_is_made_and_works_once_registered(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup,
            memory_keyring):
        only_on_duty(staff, "pharm_liu")
        station, person = workstation("pharm_liu", with_key=False)
        window = station.window
        doctor = staff("doctor_wang")
        rx = submit_clean(demo, doctor)
        open_first(qtbot, window)
        press(qtbot, window, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: window.review.key_dialog is not None
                        and window.review.key_dialog.isVisible())
        dialog = window.review.key_dialog
        assert dialog is not None
        assert "签名密钥" in window.review.decision_message.text()
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
        public = dialog.public_key.toPlainText()
        assert public.startswith("-----BEGIN PUBLIC KEY-----")
        assert "PRIVATE" not in public
        stored = [k for k in memory_keyring.entries if k[1] == f"{ENTRY_PREFIX}pharm_liu"]
        assert stored, memory_keyring.entries.keys()
        dialog.accept()
        admin = staff("admin_h1")
        admin.api.call("POST", f"/users/{person.account.id}/certificates",
                       {"algorithm": dialog.key.algorithm if dialog.key else "",
                        "public_key": public})
        press(qtbot, window, Qt.Key.Key_F9)
        confirm_signature(qtbot, window)
        qtbot.waitUntil(lambda: window.review.decision_message.text() == "已签名通过。",
                        timeout=10_000)
        assert doctor.api.get_prescription(rx.id).status == "awaiting_patient_choice"
        keys = SigningKeyStore(person.session.store, "pharm_liu")
        assert keys.public_key() is not None and keys.public_key() == dialog.key


class TestOffline:
    def test_decisions_are_not_offered_while_offline(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup,
            live_server: ServerThread):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        submit_clean(demo, staff("doctor_wang"))
        open_first(qtbot, window)
        assert window.review.approve_button.isEnabled()
        live_server.stop()
        qtbot.waitUntil(lambda: window.offline_banner.isVisible(), timeout=10_000)
        assert "不会排队" in window.offline_banner.message.text()
        assert window.connection.text().startswith("离线")
        assert not window.review.approve_button.isEnabled()
        assert not window.review.reject_button.isEnabled()
        assert window.review.offline_note.isVisibleTo(window)
        live_server.start()
        qtbot.waitUntil(lambda: not window.offline_banner.isVisible(), timeout=10_000)
        qtbot.waitUntil(window.review.approve_button.isEnabled, timeout=10_000)


class TestShortcuts:
    def test_next_task_and_refresh(self, qtbot: QtBot, workstation: OpenWorkstation, staff,
                                   demo: DemoGroup, clock: FakeClock):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        doctor = staff("doctor_wang")
        submit_clean(demo, doctor)
        submit_warfarin_patient_aspirin(demo, doctor)
        open_first(qtbot, window, count=2)
        rows = window.queue.rows
        assert window.review.task_id == rows[0].task_id
        press(qtbot, window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.review.view is not None
                        and window.review.view.task.id == rows[1].task_id, timeout=10_000)
        assert window.queue_view.table.selected_task() == rows[1].task_id
        # F5 reads the queue again: the server's clock moved, the deadlines are past.
        clock.advance(minutes=20)
        press(qtbot, window, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: window.queue_view.table.overdue_count() == 2, timeout=10_000)
        assert [a.shortcut().toString() for a in (
            window.refresh_action, window.next_action, window.approve_action,
            window.reject_action, window.annotate_action)] == ["F5", "Ctrl+N", "F9", "F10",
                                                                "Ctrl+M"]
