"""Going off duty at the workstation, and the senior pharmacist's reassignment and spot checks,
against the real server."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from server.seed.demo import DemoGroup
from tests.client_pharmacist.conftest import OpenWorkstation
from tests.client_pharmacist.prescribing import only_on_duty, queue_item, submit_clean
from tests.clients import Staff

pytestmark = pytest.mark.slow


def approve_through_api(pharmacist: Staff, item_task_id: object, version: int) -> None:
    document = pharmacist.api.decision_document(str(item_task_id), "approved")
    signature, algorithm = pharmacist.sign(document.document)
    pharmacist.api.approve(str(item_task_id), version=version, signature=signature,
                           algorithm=algorithm)


class TestDuty:
    def test_going_off_duty_hands_the_open_tasks_back(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        people = only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        rx = submit_clean(demo, staff("doctor_wang"))
        qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == 1, timeout=10_000)
        chen = people["pharm_chen"]
        chen.api.set_duty(True)  # someone to hand the task to
        assert window.duty_action.isChecked()
        window.duty_action.trigger()
        qtbot.waitUntil(lambda: window.on_duty is False, timeout=10_000)
        assert window.duty_action.text() == "离岗"
        assert window.queue_view.duty_note.text() == (
            "您已离岗：1 个待审任务已交回重新分配，不会再给您分配新任务。")
        qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == 0, timeout=10_000)
        assert queue_item(chen, rx) is not None
        assert station.api.duty_state().on_duty is False
        window.duty_action.trigger()
        qtbot.waitUntil(lambda: window.on_duty is True, timeout=10_000)
        assert window.queue_view.duty_note.isHidden()


class TestSenior:
    def test_a_pharmacist_below_supervising_has_no_senior_screen(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff):
        station, _ = workstation("pharm_liu")
        qtbot.waitUntil(lambda: station.window.level_known, timeout=10_000)
        assert station.window.senior_view is None
        assert station.window.tabs.count() == 2

    def test_reassigning_a_task_moves_it_to_the_chosen_pharmacist(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        people = only_on_duty(staff, "pharm_liu")
        station, person = workstation("pharm_chen")
        window = station.window
        rx = submit_clean(demo, staff("doctor_wang"))
        qtbot.waitUntil(lambda: window.senior_view is not None, timeout=10_000)
        senior = window.senior_view
        assert senior is not None
        assert window.tabs.tabText(2) == "抽查与改派"
        senior.refresh_open_tasks()
        qtbot.waitUntil(lambda: senior.open_tasks.rowCount() == 1, timeout=10_000)
        assert senior.open_tasks.item(0, 5) is not None
        assert senior.open_tasks.item(0, 5).text() == "刘洋"  # type: ignore[union-attr]
        senior.open_tasks.selectRow(0)
        assert senior.select_pharmacist(person.session.user.id)  # type: ignore[union-attr]
        assert "陈静（主管药师，离岗" in senior.pharmacists.currentText()
        qtbot.mouseClick(senior.reassign_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: senior.reassign_message.text().startswith("已改派给"),
                        timeout=10_000)
        # Live: the task arrives in 陈静's own queue, and leaves 刘洋's.
        qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == 1, timeout=10_000)
        assert queue_item(people["pharm_liu"], rx) is None
        qtbot.waitUntil(lambda: senior.open_tasks.rowCount() == 1
                        and senior.open_tasks.item(0, 5) is not None
                        and senior.open_tasks.item(0, 5).text() == "陈静",  # type: ignore
                        timeout=10_000)

    def test_a_spot_check_marks_an_approval_as_an_error(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        people = only_on_duty(staff, "pharm_liu")
        liu = people["pharm_liu"]
        rx = submit_clean(demo, staff("doctor_wang"))
        item = queue_item(liu, rx)
        assert item is not None
        approve_through_api(liu, item.task.id, item.task.version)
        station, _ = workstation("pharm_chen")
        window = station.window
        qtbot.waitUntil(lambda: window.senior_view is not None, timeout=10_000)
        senior = window.senior_view
        assert senior is not None
        senior.setCurrentIndex(1)
        qtbot.waitUntil(lambda: senior.spot_table.rowCount() == 1, timeout=10_000)
        assert senior.spot_table.item(0, 2).text() == "刘洋"  # type: ignore[union-attr]
        assert senior.select_spot(rx.number)
        qtbot.mouseClick(senior.error_button, Qt.MouseButton.LeftButton)
        assert senior.spot_message.text() == "请在备注中写明差错内容。"
        senior.spot_note.setText("阿莫西林剂量未按肾功能调整")
        qtbot.mouseClick(senior.error_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: senior.spot_message.text() == "已记录：审核差错。",
                        timeout=10_000)
        qtbot.waitUntil(lambda: senior.spot_table.rowCount() == 0, timeout=10_000)
        checked = station.api.spot_check_candidates(pending=False).items
        assert [(i.prescription_number, i.task.spot_check) for i in checked] == [
            (rx.number, "error")]
        # 刘洋's own figures count the error.
        assert liu.api.review_stats(pharmacist_id=liu.account.id).errors == 1
