"""Incidents and the system screen at the administration workstation against the real server:
a serious fault recorded with its two clocks counting down on screen, escalated and then run
out as the server's clock moves on (raised on the screen), taken, answered and fixed, and the
monthly report counting the clocks met and missed; a dead letter of the integration outbox
retried from the system tab, and a kiosk's printer fault shown first and highlighted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from client_admin.screenshots import report_kiosk_devices
from client_admin.ui.incidents_view import IncidentsView
from client_admin.ui.system_view import SystemView
from server.seed.demo import DemoGroup
from tests.client_admin.conftest import settled
from tests.helpers import sql


def test_a_serious_incident_counts_down_escalates_runs_out_and_is_reported(
        qtbot: QtBot, workstation, clock) -> None:
    station, _admin = workstation("admin_h1")
    view = station.window.show_page("incidents")
    assert isinstance(view, IncidentsView)
    settled(qtbot, view)
    assert station.window.tabs.tabText(station.window.tabs.indexOf(view)) == "故障管理"

    view.record()  # no title: refused in the form, nothing sent
    assert view.message.text().startswith("摘要")
    view.title.setText("开方服务无响应")
    view.description.setPlainText("门诊医生提交处方超时")
    view.severity.setCurrentIndex(view.severity.findData("serious"))
    view.service.setCurrentIndex(view.service.findData("prescribing"))
    view.record()
    settled(qtbot, view)
    assert "已登记" in view.message.text()
    [row] = view.rows
    assert row.severity == "serious" and view.selected() == row
    text, state = view.clock_text(row.number, "respond")
    assert state == "running" and text.startswith(("剩余 14:", "剩余 15:00")), text
    assert view.clock_text(row.number, "fix")[0].startswith(("剩余 59:", "剩余 1:00:00"))
    assert view.table.item(0, 1).text() == "严重故障"
    # The clock counts down on the workstation between reads.
    qtbot.waitUntil(lambda: view.clock_text(row.number, "respond")[0] != text, timeout=3000)
    assert not view.alert.isVisible()

    # 12 of the 15 minutes gone: the response clock has escalated (under a quarter left).
    clock.advance(minutes=12)
    view.load_incidents()
    settled(qtbot, view)
    text, state = view.clock_text(row.number, "respond")
    assert state == "escalated" and "即将超时" in text and text.startswith("剩余 0"), text
    assert view.clock_text(row.number, "fix")[1] == "running"
    assert view.alert.isVisible() and row.number in view.alert.text()
    assert "响应时限" in view.alert.text() and "即将" in view.alert.text()
    respond_column = 6
    assert view.table.item(0, respond_column).background().color() == QColor("#fff3e0")

    clock.advance(minutes=4)
    view.load_incidents()
    settled(qtbot, view)
    text, state = view.clock_text(row.number, "respond")
    assert state == "breached" and text.startswith("已超时 01:"), text
    assert "已过" in view.alert.text()

    # Taken, answered (late: the response clock is missed), fixed in time.
    assert [n for n, b in view.buttons.items() if b.isEnabled()] == [
        "acknowledge", "respond", "resolve", "notes", "severity"]
    view.act("acknowledge")
    settled(qtbot, view)
    assert view.table.item(0, 4).text() == "已确认"
    view.act("respond")  # the response needs its note
    assert "处理" in view.message.text()
    view.note.setText("已切换到备用数据库节点")
    view.act("respond")
    settled(qtbot, view)
    assert view.clock_text(row.number, "respond")[1] == "missed"
    clock.advance(minutes=10)
    view.note.setText("数据库连接池耗尽，已扩容并重启服务")
    view.act("resolve")
    settled(qtbot, view)
    assert view.table.item(0, 4).text() == "已修复"
    text, state = view.clock_text(row.number, "fix")
    assert state == "met" and text.startswith("按时完成"), text
    assert not view.buttons["resolve"].isEnabled() and view.buttons["notes"].isEnabled()
    kinds = [view.timeline.item(r, 1).text() for r in range(view.timeline.rowCount())]
    assert kinds[0] == "登记" and kinds[-1] == "已修复" and "已登记响应" in kinds

    # The month's report: one serious incident, response missed, fix met.
    view.tabs.setCurrentIndex(1)
    assert view.report is not None
    serious = next(r for r in range(view.report_table.rowCount())
                   if view.report_table.item(r, 0).text() == "严重故障")
    assert [view.report_table.item(serious, c).text() for c in range(1, 8)] == [
        "1", "0", "1", "0", "1", "0", "0"]
    assert view.missed_table.rowCount() == 1
    assert view.missed_table.item(0, 0).text() == row.number
    assert view.missed_table.item(0, 4).text() == "响应"
    assert view.month.currentData() == view.report["month"]


def dead_letter(db, *, topic: str, error: str) -> uuid.UUID:
    """A message the relay gave up on, as the relay leaves it."""
    message_id = uuid.uuid4()
    now = datetime.now(UTC)
    sql(db.owner, "INSERT INTO outbox_message (id, destination, topic, ordering_key, payload,"
                  " status, attempts, next_attempt_at, last_error, created_at, dead_at)"
                  " VALUES (%s, 'hl7', %s, %s, 'MSH|^~\\&|RXP', 'dead', 8, %s, %s, %s, %s)",
        (message_id, topic, f"rx-{message_id.hex[:8]}", now, error, now, now))
    return message_id


def test_dead_letter_retried_and_kiosk_faults_shown(
        qtbot: QtBot, workstation, db, demo: DemoGroup, live_server) -> None:
    message_id = dead_letter(db, topic="his-h1", error="连接被拒绝")
    kiosk = next(c for c in demo.clients if c.get("kind") == "kiosk")
    report_kiosk_devices(live_server.url, kiosk, [
        {"device": "card_reader", "state": "ok"},
        {"device": "printer", "state": "fault", "fault": "paper_out", "detail": "热敏纸用尽"}])
    station, _admin = workstation("sysadmin")
    view = station.window.show_page("system")
    assert isinstance(view, SystemView)
    settled(qtbot, view)
    assert view.integration_box.isVisibleTo(view) and view.devices_box.isVisibleTo(view)

    assert view.destinations.rowCount() == 1
    assert [view.destinations.item(0, c).text() for c in range(4)] == ["hl7", "0", "0", "1"]
    assert view.dead_letters.rowCount() == 1
    assert view.dead_letters.item(0, 1).text() == "his-h1"
    assert view.dead_letters.item(0, 4).text() == "连接被拒绝"
    assert not view.retry_button.isEnabled()
    view.dead_letters.selectRow(0)
    assert view.retry_button.isEnabled()
    view.retry()
    settled(qtbot, view)
    assert "重新排队" in view.message.text()
    assert view.dead_letters.rowCount() == 0
    [(status, attempts)] = sql(db.owner, "SELECT status, attempts FROM outbox_message"
                                         " WHERE id = %s", (message_id,))
    assert status != "dead" and attempts < 8
    [(action,)] = sql(db.owner, "SELECT action FROM audit_event WHERE entity_id = %s",
                      (str(message_id),))
    assert action.startswith("outbox.")

    # The kiosk's printer fault comes first and stands out.
    assert view.devices.rowCount() == 2
    assert [view.devices.item(0, c).text() for c in (1, 2, 3, 4)] == [
        "打印机", "故障", "缺纸", "热敏纸用尽"]
    assert view.devices.item(0, 0).text().endswith("自助机 01")
    assert view.devices.item(0, 2).background().color() == QColor("#ffebee")
    assert [view.devices.item(1, c).text() for c in (1, 2)] == ["读卡器", "正常"]


def test_the_auditor_reads_incidents_but_cannot_work_them(qtbot: QtBot, workstation) -> None:
    station, _auditor = workstation("auditor")
    view = station.window.show_page("incidents")
    assert isinstance(view, IncidentsView)
    settled(qtbot, view)
    assert not view.record_box.isVisibleTo(view) and not view.actions_box.isVisibleTo(view)
    system = station.window.show_page("system")
    assert isinstance(system, SystemView)
    settled(qtbot, system)
    assert not system.integration_box.isVisibleTo(system)
    assert system.devices_box.isVisibleTo(system)
