"""The live queue at a real workstation: tasks arrive without a refresh, in severity order,
with a countdown; overdue ones are marked; tasks leave when they are taken away; a resync reads
the queue again."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from common.api.models import QueuePage
from common.events import resync_event
from common.qt.widgets import CountdownState, level_style
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.client_pharmacist.conftest import OpenWorkstation
from tests.client_pharmacist.prescribing import (
    only_on_duty,
    submit,
    submit_clean,
    submit_warfarin_patient_aspirin,
)
from tests.client_pharmacist.ui_helpers import cell

pytestmark = pytest.mark.slow


class TestLiveQueue:
    def test_a_submitted_prescription_appears_without_refreshing(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        qtbot.waitUntil(lambda: window.on_duty is True)
        assert window.queue_view.table.rowCount() == 0
        doctor = staff("doctor_wang")
        rx = submit(demo, doctor)
        qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == 1, timeout=10_000)
        table = window.queue_view.table
        assert cell(table, 0, 0) == rx.number
        countdown = table.countdowns[table.rows[0].task_id]
        assert countdown.state is CountdownState.RUNNING
        assert "剩余" in countdown.text()  # the outpatient limit, 15 minutes
        assert countdown.current.remaining is not None
        assert 13 * 60 < countdown.current.remaining.total_seconds() <= 15 * 60
        assert "待审处方：1" in window.queue_view.heading.text()

    def test_an_earlier_read_answering_last_changes_nothing(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup,
            monkeypatch: pytest.MonkeyPatch):
        """Each event reads the queue again; a read that saw the queue before the task came
        and answers after the newer read must not take the task off the screen."""
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        qtbot.waitUntil(lambda: window.on_duty is True and station.worker.pending == 0)
        api = window.services.api
        real, release, calls = api.review_queue, threading.Event(), []

        def review_queue(**kw: Any) -> QueuePage:
            calls.append(kw)
            if len(calls) == 1:
                release.wait(10)
                return QueuePage(items=[], total=0)  # read before the task came
            return real(**kw)

        monkeypatch.setattr(api, "review_queue", review_queue)
        submit(demo, staff("doctor_wang"))
        window.refresh_queue()
        qtbot.waitUntil(lambda: bool(calls), timeout=10_000)  # the first read is under way
        window.refresh_queue()
        qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == 1, timeout=10_000)
        release.set()
        qtbot.waitUntil(lambda: station.worker.pending == 0, timeout=10_000)
        assert window.queue_view.table.rowCount() == 1

    def test_a_resync_reads_the_queue_again(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        qtbot.waitUntil(lambda: window.on_duty is True and station.worker.pending == 0)
        station.events.stop()  # what follows is missed, as by a workstation that was away
        missed = submit(demo, staff("doctor_wang"))
        station.events.on_event(resync_event(1))  # as the subscriber delivers it
        qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == 1, timeout=10_000)
        assert cell(window.queue_view.table, 0, 0) == missed.number

    def test_the_worst_warning_comes_first(
            self, qtbot: QtBot, workstation: OpenWorkstation, staff, demo: DemoGroup):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        doctor = staff("doctor_wang")
        clean = submit_clean(demo, doctor)  # first: the nearer deadline
        interaction = submit_warfarin_patient_aspirin(demo, doctor)
        assert clean.worst_level in (None, 0) and interaction.worst_level == 2
        table = station.window.queue_view.table
        qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=10_000)
        assert [cell(table, i, 0) for i in range(2)] == [interaction.number, clean.number]
        chip = table.cellWidget(0, 2)
        assert isinstance(chip, QLabel) and chip.text() == "不推荐"
        assert level_style(2).background in chip.styleSheet()

    def test_an_overdue_task_is_marked(self, qtbot: QtBot, workstation: OpenWorkstation, staff,
                                       demo: DemoGroup, clock: FakeClock):
        only_on_duty(staff, "pharm_liu")
        station, _ = workstation("pharm_liu")
        window = station.window
        submit(demo, staff("doctor_wang"))
        qtbot.waitUntil(lambda: window.queue_view.table.rowCount() == 1, timeout=10_000)
        clock.advance(minutes=16)
        qtbot.keyClick(window, Qt.Key.Key_F5)
        table = window.queue_view.table
        qtbot.waitUntil(lambda: table.overdue_count() == 1, timeout=10_000)
        countdown = table.countdowns[table.rows[0].task_id]
        assert countdown.state is CountdownState.OVERDUE
        assert countdown.text().startswith("已超时")
        assert "超时：1" in window.queue_view.heading.text()
